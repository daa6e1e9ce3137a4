"""CaseRecorder: writes each transition of one case to the read model, in order, exactly once."""

import asyncio
from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.exceptions import TimeoutError as AttemptTimedOut

with workflow.unsafe.imports_passed_through():
    from activities.read_model import ReadModelActivities
    from schemas.messages import TaskRecord, TransitionRecord
    from schemas.notes import check_note

# The read model must catch up eventually whatever happens to the database, so retry forever;
# each attempt is idempotent because the transition is keyed by (case, seq).
# Capped at a few seconds: after a database outage the read model catches up within seconds of
# its return, not after a minute's back-off.
RECORD_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(seconds=5))
# A transition is one short transaction in the worker's own database pool, so it runs as a local
# activity: the engine records its result as a marker in the same workflow task instead of
# dispatching an activity task and waking the workflow again when it completes (about half the
# engine's work a transition, and an officer's answer one round trip sooner). A local activity
# writes before its workflow task is durable: if that task never completes and its retry records
# something else (the engine dropped a decision the lost attempt took), the retry's transitions
# supersede what the lost attempt wrote under the same seq, which each record's task mark tells apart
# (db/repositories/superseding.py). Cases begun before keep their activity tasks, as their
# histories say.
LOCAL_RECORDING = "read-model-local-activity"
# How long a transition is retried as a local activity (about 8 s, by attempts: its schedule-to-close
# timeout does not end a local activity's retries) before it goes to an activity task. While a
# local activity retries, the worker keeps its workflow task alive by completing it every few
# seconds, three history events each time; through a long database outage that would grow every
# waiting case's history without bound, while an activity task's retries add nothing to it.
LOCAL_RECORD_RETRY = RetryPolicy(initial_interval=timedelta(seconds=0.5), maximum_interval=timedelta(seconds=2),
                                 maximum_attempts=6)


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

    @staticmethod
    def _task_mark() -> int:
        """A number that grows with every workflow task of the case, a retried one included, and
        across its runs: the run's start (ms) above the history's length when this task began."""
        info = workflow.info()
        started_ms = int(info.workflow_start_time.timestamp() * 1000)
        return (started_ms << 20) | min(info.get_current_history_length(), (1 << 20) - 1)

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
            record.chain = workflow.info().first_execution_run_id
            if workflow.patched(LOCAL_RECORDING):
                record.task_mark = self._task_mark()
                record.open_now = list(self.open_tasks)
                try:
                    await workflow.execute_local_activity_method(
                        ReadModelActivities.record_transition, record,
                        start_to_close_timeout=timedelta(seconds=30), retry_policy=LOCAL_RECORD_RETRY)
                    return record
                except (ActivityError, ApplicationError, AttemptTimedOut):
                    # A local activity's last failure comes as itself, not wrapped in an ActivityError;
                    # the database is away for longer than a hiccup: retried on the server from here.
                    pass
            await workflow.execute_activity_method(
                ReadModelActivities.record_transition, record,
                start_to_close_timeout=timedelta(seconds=30), retry_policy=RECORD_RETRY)
            return record
