"""The payment ledger. Ordering is idempotent per attempt, and one deceased is paid for once."""

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Payment


async def order(session: AsyncSession, *, key: str, case_number: str, attempt: int, deceased_key: str,
                amount: int, currency: str, account: dict[str, Any], at: datetime) -> Payment | None:
    """The payment for `key` (created now or before), or None if this person was already paid
    for (or a payment is under way) in another case or attempt."""
    existing = await session.get(Payment, key)
    if existing is not None:
        return existing
    blocking = await session.scalar(select(Payment).where(Payment.deceased_key == deceased_key,
                                                          Payment.status != "failed"))
    if blocking is not None:
        return None
    await session.execute(insert(Payment).values(
        idempotency_key=key, case_number=case_number, attempt=attempt, deceased_key=deceased_key, amount=amount,
        currency=currency, account=account, status="ordered", ordered_at=at, bank_reference="", failure=""))
    return await session.get(Payment, key)


async def settle(session: AsyncSession, key: str, *, paid: bool, reference: str, failure: str,
                 at: datetime) -> None:
    await session.execute(update(Payment).where(Payment.idempotency_key == key, Payment.status == "ordered")
                          .values(status="paid" if paid else "failed", bank_reference=reference, failure=failure,
                                  settled_at=at))


async def for_case(session: AsyncSession, case_number: str) -> list[Payment]:
    return list(await session.scalars(select(Payment).where(Payment.case_number == case_number)
                                      .order_by(Payment.attempt)))


async def for_death_elsewhere(session: AsyncSession, deceased_key: str, case_number: str) -> Payment | None:
    """The payment ordered or made for this death in another case, if any (what `order` would
    find blocking): the officers deciding a claim are told before they decide."""
    return await session.scalar(select(Payment).where(Payment.deceased_key == deceased_key, Payment.status != "failed",
                                                      Payment.case_number != case_number))
