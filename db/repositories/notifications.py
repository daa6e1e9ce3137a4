"""The applicants' outbox: written with each transition that tells the applicant something
(transitions.py), taken here one at a time by whichever relay gets to it first."""

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Notification


async def next_unsent(session: AsyncSession, passed_over: set[int] = frozenset(),
                      settled: timedelta = timedelta(0)) -> Notification | None:
    """The oldest notification not yet sent (and not `passed_over` this round) that is at least
    `settled` old, locked for this transaction; one another relay holds is skipped, so two relays
    never send the same one at once."""
    query = select(Notification).where(Notification.sent_at.is_(None))
    if settled:  # by the database's clock, which wrote created_at
        query = query.where(Notification.created_at <= func.now() - settled)
    if passed_over:
        query = query.where(Notification.id.not_in(passed_over))
    return await session.scalar(query.order_by(Notification.id).limit(1).with_for_update(skip_locked=True))


async def also_unsent(session: AsyncSession, first: Notification) -> list[int]:
    """The other unsent notifications of the same case (news that came together, such as a decision
    and its document), locked too: one mail tells of them all."""
    return list(await session.scalars(select(Notification.id).where(
        Notification.case_number == first.case_number, Notification.sent_at.is_(None), Notification.id != first.id)
        .with_for_update(skip_locked=True)))


async def mark_sent(session: AsyncSession, ids: list[int], channel: str, at: datetime,
                    provider_ref: str | None = None) -> None:
    """`provider_ref`: the SMS centre's id for the text that told of them all, for its receipt."""
    await session.execute(update(Notification).where(Notification.id.in_(ids))
                          .values(sent_at=at, channel=channel, provider_ref=provider_ref or None))


async def record_receipt(session: AsyncSession, provider_ref: str, delivery: str, at: datetime) -> int:
    """What the SMS centre's receipt says of a text, on each notification it told of; a later
    receipt (a final one after "accepted") replaces an earlier. Returns how many it concerned."""
    done = await session.execute(update(Notification).where(Notification.provider_ref == provider_ref,
                                                            Notification.channel == "sms")
                                 .values(delivery=delivery, delivery_at=at))
    return done.rowcount


async def latest_for_case(session: AsyncSession, case_number: str) -> Notification | None:
    """The case's latest news for its applicant, however it went (the officers' page says whether
    it reached them)."""
    return await session.scalar(select(Notification).where(Notification.case_number == case_number)
                                .order_by(Notification.id.desc()).limit(1))


async def for_case(session: AsyncSession, case_number: str) -> list[Notification]:
    """Every piece of news for the case's applicant, in the order it was written (the auditor's timeline)."""
    return list(await session.scalars(select(Notification).where(Notification.case_number == case_number)
                                      .order_by(Notification.id)))
