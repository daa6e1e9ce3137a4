"""Read-model activities."""

import logging
from datetime import datetime, timezone

from sqlalchemy.ext.asyncio import async_sessionmaker
from temporalio import activity

from db.repositories.audit import append_audit
from db.repositories.superseding import ForeignWorkflow, StaleTransition
from db.repositories.transitions import apply_transition
from schemas.messages import TransitionRecord
from schemas.procedures import PROCEDURES

log = logging.getLogger(__name__)


_BY_PREFIX = {p.case_prefix: p for p in PROCEDURES.values()}


def count_transition(meter, record: TransitionRecord) -> None:
    procedure = _BY_PREFIX.get(record.case_number.split("-", 1)[0])
    if procedure is None:
        return
    labels = {"procedure": procedure.slug}
    meter.create_counter("aryz_case_events", "Case transitions recorded, by procedure and event").add(
        1, {**labels, "event": record.event})
    if record.seq == 1:
        meter.create_counter("aryz_cases_opened", "Cases whose processing began").add(1, labels)
    if record.state in procedure.final:
        meter.create_counter("aryz_cases_closed", "Cases that reached a final state").add(
            1, {**labels, "state": record.state})


class ReadModelActivities:
    """Writes the Postgres read model that lists, inboxes and status pages read.

    Activity `record_transition`: in one transaction, the transition row, the case's state,
    awaited party and deadline, tasks opened/closed/reminded/escalated, an applicant
    notification in the outbox and an audit-log entry. Keyed by (case, seq): applying the
    same transition twice is a no-op. Run as a local activity by cases begun since it became one
    (workflows/steps/recorder.py): then a transition written by a workflow task that never
    completed is superseded by its retry's, and a late write from that task is refused
    (db/repositories/superseding.py). Counted once in the worker's metrics (cases opened and
    closed, and every event — decisions, deadlines reminded and breached, documents issued —
    per procedure).
    """

    def __init__(self, sessions: async_sessionmaker) -> None:
        self.sessions = sessions

    @activity.defn
    async def record_transition(self, record: TransitionRecord) -> None:
        try:
            async with self.sessions.begin() as session:
                applied = await apply_transition(session, record)
        except ForeignWorkflow:
            await self._refuse_foreign(record)
            return
        except StaleTransition:
            # From a workflow task attempt that never completed and was retried: its result is
            # discarded by the engine, and what it wrote must not be either.
            log.warning("transition %s#%d from a superseded workflow task not written", record.case_number,
                        record.seq, extra={"case_number": record.case_number})
            return
        if applied and activity.in_activity():
            count_transition(activity.metric_meter(), record)
        # Case numbers identify a case without revealing who the applicant is; no personal data here.
        log.info("transition %s#%d %s -> %s%s", record.case_number, record.seq, record.event, record.state,
                 "" if applied else " (already applied)", extra={"case_number": record.case_number})

    async def _refuse_foreign(self, record: TransitionRecord) -> None:
        """A workflow that is not the case's (a twin, a squatter) tried to write its records: nothing
        is written but this, once per workflow and seq, for the auditors."""
        writer = activity.info().workflow_id if activity.in_activity() else ""
        log.error("transition %s#%d refused: written by workflow %r of another chain of runs than the case's",
                  record.case_number, record.seq, writer[:64], extra={"case_number": record.case_number})
        async with self.sessions.begin() as session:
            await append_audit(session, action="foreign_workflow_refused", actor="system", case_number=record.case_number,
                               at=datetime.now(timezone.utc),
                               idempotency_key=f"foreign:{record.case_number}:{record.chain}:{record.seq}",
                               detail={"seq": record.seq, "event": record.event, "workflow_id": writer[:64],
                                       "chain": record.chain,
                                       "why": "not the workflow serving the case: nothing it said was recorded"})
