"""Whether the applicant hears of their case's news, for the officers: the latest notification
and how it went (activities/notifications.py), so that an officer knows to phone or write when a
text did not reach the phone or nothing can be sent."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db.repositories.notifications import NOT_DELIVERED, latest_for_case


@dataclass(frozen=True)
class Reach:
    key: str  # the catalogue's `ui` key of the sentence
    at: datetime
    reached: bool  # False: the officer should reach the applicant another way


async def applicant_reach(session: AsyncSession, case_number: str) -> Reach | None:
    latest = await latest_for_case(session, case_number)
    if latest is None or latest.channel == "stale":
        return None
    if latest.sent_at is None:
        return Reach("reach_waiting", latest.created_at, True)
    if latest.channel in ("none", "refused"):
        return Reach(f"reach_{latest.channel}", latest.sent_at, False)
    if latest.channel == "sms" and latest.delivery in NOT_DELIVERED:
        return Reach("reach_sms_not_delivered", latest.delivery_at or latest.sent_at, False)
    if latest.channel == "sms" and latest.delivery == "delivered":
        return Reach("reach_sms_delivered", latest.delivery_at or latest.sent_at, True)
    return Reach(f"reach_{latest.channel}", latest.sent_at, True)
