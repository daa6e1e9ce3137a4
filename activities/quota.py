"""Quota ledger activities."""

from sqlalchemy.ext.asyncio import async_sessionmaker
from temporalio import activity

from db.repositories import quota
from schemas.messages import QuotaRequest


class QuotaActivities:
    """Moves a work-permit case's quota unit through the ledger.

    Activity `reserve_quota`: reserves one unit of the case's region × sector bucket for its year;
    returns 'reserved', 'exhausted' or 'no_quota' (the same answer on a retry: the unit is keyed by
    the case). Activity `consume_quota`: the reserved unit becomes consumed (the permit is issued).
    Activity `release_quota`: the unit returns to the bucket (refusal, withdrawal, expiry,
    cancellation). All are idempotent and happen under the bucket's row lock.
    """

    def __init__(self, sessions: async_sessionmaker) -> None:
        self.sessions = sessions

    @activity.defn
    async def reserve_quota(self, req: QuotaRequest) -> str:
        async with self.sessions.begin() as session:
            return await quota.reserve(session, req.case_number, req.year, req.region, req.sector)

    @activity.defn
    async def consume_quota(self, case_number: str) -> None:
        async with self.sessions.begin() as session:
            await quota.consume(session, case_number)

    @activity.defn
    async def release_quota(self, case_number: str) -> None:
        async with self.sessions.begin() as session:
            await quota.release(session, case_number)
