"""Read-model activities."""

import logging

from sqlalchemy.ext.asyncio import async_sessionmaker
from temporalio import activity

from db.repositories.transitions import apply_transition
from schemas.messages import TransitionRecord

log = logging.getLogger(__name__)


class ReadModelActivities:
    """Writes the Postgres read model that lists, inboxes and status pages read.

    Activity `record_transition`: in one transaction, the transition row, the case's state,
    awaited party and deadline, tasks opened/closed/reminded/escalated, an applicant
    notification in the outbox and an audit-log entry. Keyed by (case, seq): applying the
    same transition twice is a no-op.
    """

    def __init__(self, sessions: async_sessionmaker) -> None:
        self.sessions = sessions

    @activity.defn
    async def record_transition(self, record: TransitionRecord) -> None:
        async with self.sessions.begin() as session:
            applied = await apply_transition(session, record)
        # Case numbers identify a case without revealing who the applicant is; no personal data here.
        log.info("transition %s#%d %s -> %s%s", record.case_number, record.seq, record.event, record.state,
                 "" if applied else " (already applied)")
