"""CaseRecorder: writes each transition of one case to the read model, in order, exactly once."""

import asyncio
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.read_model import ReadModelActivities
    from schemas.messages import TaskRecord, TransitionRecord
    from schemas.notes import check_note

# The read model must catch up eventually whatever happens to the database, so retry forever;
# each attempt is idempotent because the transition is keyed by (case, seq).
# Capped at a few seconds: after a database outage the read model catches up within seconds of
# its return, not after a minute's back-off.
# An activity task, not a local activity, though a local one would halve the engine's work a
# transition: a local activity writes before its workflow task is durable, and when that task is
# retried (its worker died) with a signal that arrived meanwhile, the workflow may record a
# different transition under the same seq; the read model would keep the one that never happened.
RECORD_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=5))


class CaseInterrupted(Exception):
    """Raised inside a waiting step when the applicant withdrew."""


class CaseRecorder:
    """Holds where a case is (state, what it awaits, open tasks) and records every change."""

    def __init__(self, case_number: str, state: str) -> None:
        self.case_number = case_number
        self.state = state
        self.awaiting = ""
        self.deadline: datetime | None = None
        self.seq = 0
        self.open_tasks: dict[str, TaskRecord] = {}
        self.withdrawal: str | None = None  # the applicant's reason, once withdrawn
        # True while the case waits for a person (or has ended): an officer's decision returns
        # only then, so its answer says where the case went and who is awaited next.
        self.settled = False
        self._lock = asyncio.Lock()

    @property
    def interrupted(self) -> bool:
        return self.withdrawal is not None

    async def wait_for(self, condition) -> None:
        """Block the procedure until `condition`, marking the case settled meanwhile."""
        self.settled = True
        try:
            await workflow.wait_condition(condition)
        finally:
            self.settled = False

    def new_task_id(self, step: str) -> str:
        return f"{self.case_number}:{self.seq + 1}:{step}"

    async def record(
        self,
        event: str,
        *,
        state: str | None = None,
        awaiting: str | None = None,
        deadline: datetime | None | bool = False,
        open_tasks: list[TaskRecord] = (),
        close_tasks: list[str] = (),
        close_all_tasks: bool = False,
        **fields: Any,
    ) -> TransitionRecord:
        """Append one transition. `deadline=False` keeps the current deadline, None clears it."""
        check_note(fields.get("public_note", ""), fields.get("note_params", {}))
        async with self._lock:
            if close_all_tasks:
                close_tasks = list(self.open_tasks)
            self.state = state or self.state
            self.awaiting = self.awaiting if awaiting is None else awaiting
            if deadline is not False:
                self.deadline = deadline
            for task_id in close_tasks:
                self.open_tasks.pop(task_id, None)
            for task in open_tasks:
                self.open_tasks[task.task_id] = task
            self.seq += 1
            record = TransitionRecord(
                case_number=self.case_number,
                seq=self.seq,
                at=workflow.now(),
                state=self.state,
                event=event,
                awaiting=self.awaiting,
                deadline=self.deadline,
                open_tasks=list(open_tasks),
                close_tasks=list(close_tasks),
                **fields,
            )
            await workflow.execute_activity_method(
                ReadModelActivities.record_transition,
                record,
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=RECORD_RETRY,
            )
            return record
