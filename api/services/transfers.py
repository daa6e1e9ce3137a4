"""The transfers of a repatriation claim, for the officers who see its payment: what is to be, or
was, transferred, to which account, and how each attempt ended. The finance officer confirming a
transfer reads here the amount the bank must send; an attempt that failed stays listed beside the
next one, made to the corrected account."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Case
from db.repositories import payments
from db.sealing import session_sealer


@dataclass(frozen=True)
class Transfer:
    attempt: int
    amount: int
    currency: str
    account: dict[str, Any]  # as ordered: holder, bank, BIC, account number
    status: str  # ordered | paid | failed
    ordered_at: datetime
    settled_at: datetime | None
    bank_reference: str
    problem: str  # a failed transfer's problem: a code of the `choice` catalogue


async def transfers(session: AsyncSession, case: Case, parts: frozenset[str]) -> list[Transfer]:
    """The claim's transfers, attempt by attempt; none for a reader who may not see its payment."""
    if case.procedure != "repatriation" or "payment" not in parts:
        return []
    sealer = session_sealer(session)
    return [Transfer(p.attempt, p.amount, p.currency,
                     sealer.open(p.account, f"{p.idempotency_key}|payment.account") or {}, p.status, p.ordered_at,
                     p.settled_at, p.bank_reference, p.failure)
            for p in await payments.for_case(session, case.case_number)]
