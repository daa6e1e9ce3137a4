"""The applicants' outbox: written with each transition that tells the applicant something
(transitions.py), taken here one at a time by whichever relay gets to it first."""

from datetime import datetime, timedelta

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Notification, TextPart

# What a part's receipt can say that keeps the whole text from the phone, worst first.
NOT_DELIVERED = ("rejected", "undelivered", "expired")
# How long a part waits for its receipt. A text lives at most a few days in an operator's network;
# a receipt naming an older part is for a later message the centre gave the same id.
RECEIPT_WINDOW = timedelta(days=7)


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
                    text_parts: tuple[str, ...] = ()) -> None:
    """`text_parts`: the SMS centre's id for each part of the text that told of them all, in order,
    for their receipts."""
    await session.execute(update(Notification).where(Notification.id.in_(ids)).values(sent_at=at, channel=channel))
    if text_parts:
        told = sorted(ids)
        await session.execute(insert(TextPart), [
            {"text_id": told[0], "notification_ids": told, "message_id": message_id, "part": n, "sent_at": at}
            for n, message_id in enumerate(text_parts, 1)])


async def record_receipt(session: AsyncSession, message_id: str, delivery: str, at: datetime) -> str | None:
    """What the SMS centre's receipt says of one part of a text; on each notification the text told
    of, what it says of the whole text (`text_delivery`). Returns the whole text's delivery (""
    while a part's receipt is still to come), or None when no part waits for this receipt."""
    # A centre may give an id again (after its restart, say), and a receipt may come before the
    # relay has committed the part it names: the part is the latest of this id still waiting for
    # its receipt, never one whose receipt came. A receipt the centre sends again after it was
    # recorded then names no part, and is acknowledged once the listener has waited for the relay.
    text_id = await session.scalar(select(TextPart.text_id).where(
        TextPart.message_id == message_id, TextPart.delivery == "", TextPart.sent_at > func.now() - RECEIPT_WINDOW)
        .order_by(TextPart.id.desc()).limit(1))
    if text_id is None:
        return None
    # Every part locked, in one order: two workers recording two parts' receipts at once each see
    # the other's once it commits, so the last of them sums up both.
    parts = list(await session.scalars(select(TextPart).where(TextPart.text_id == text_id)
                                       .order_by(TextPart.id).with_for_update()))
    for part in parts:
        if part.message_id == message_id:
            part.delivery, part.delivery_at = delivery, at
    whole = text_delivery([part.delivery for part in parts])
    if whole:
        await session.execute(update(Notification).where(Notification.id.in_(parts[0].notification_ids))
                              .values(delivery=whole, delivery_at=at))
    return whole


def text_delivery(parts: list[str]) -> str:
    """A text reaches the phone when every part does: not delivered as soon as one part is not,
    delivered once all are, unknown when the centre could not tell of a part, and "" until then."""
    for state in NOT_DELIVERED:
        if state in parts:
            return state
    if "" in parts:
        return ""
    return "delivered" if all(state == "delivered" for state in parts) else "unknown"


async def latest_for_case(session: AsyncSession, case_number: str) -> Notification | None:
    """The case's latest news for its applicant, however it went (the officers' page says whether
    it reached them)."""
    return await session.scalar(select(Notification).where(Notification.case_number == case_number)
                                .order_by(Notification.id.desc()).limit(1))


async def for_case(session: AsyncSession, case_number: str) -> list[Notification]:
    """Every piece of news for the case's applicant, in the order it was written (the auditor's timeline)."""
    return list(await session.scalars(select(Notification).where(Notification.case_number == case_number)
                                      .order_by(Notification.id)))
