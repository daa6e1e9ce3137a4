"""Read-model activities."""

import logging

from sqlalchemy.ext.asyncio import async_sessionmaker
from temporalio import activity

from db.repositories.superseding import StaleTransition
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
