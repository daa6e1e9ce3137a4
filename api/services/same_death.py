"""One payment per death: what the officers deciding a repatriation claim are told before they
decide, when the same death was paid for, or is being paid for, in another case.

The ledger alone decides at the moment of payment (db/repositories/payments.py), whatever the
page said; this only spares a family a decision that the ledger would then contradict.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from api import policy
from api.deps import Staff
from db.models import Case
from db.repositories import cases as case_repo
from db.repositories import payments
from schemas.repatriation import deceased_key

# The outcomes a payment elsewhere makes futile: the claim can only be refused ("already paid").
_FUTILE = (("document_check", "documents_ok"), ("mission_document_check", "documents_ok"), ("approval", "approve"))


async def paid_elsewhere(session: AsyncSession, staff: Staff, case: Case) -> dict[tuple[str, str], tuple]:
    """(step, outcome) → (refusal code, params) for a claim whose death has a payment ordered or
    made in another case; empty otherwise. The other case is named only to a reader who may open it."""
    if case.procedure != "repatriation":
        return {}
    number = ((case.application or {}).get("deceased") or {}).get("personal_number")
    if not number:
        return {}
    other = await payments.for_death_elsewhere(session, deceased_key(number), case.case_number)
    if other is None:
        return {}
    other_case = await case_repo.get_case(session, other.case_number)
    named = other_case is not None and bool(policy.case_parts(staff, other_case.procedure, other_case.mission))
    paid = other.status == "paid"
    moment = (other.settled_at if paid and other.settled_at else other.ordered_at).date().isoformat()
    code = ("death_paid_in_case" if paid else "death_payment_under_way_in_case") if named else \
        ("death_paid_elsewhere" if paid else "death_payment_under_way_elsewhere")
    params = {"date": moment, **({"case": other.case_number} if named else {})}
    return {step_outcome: (code, params) for step_outcome in _FUTILE}
