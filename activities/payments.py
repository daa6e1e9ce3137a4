"""Payment ledger activities."""

from datetime import datetime, timezone

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker
from temporalio import activity

from db.repositories import payments
from db.repositories.cases import get_case
from db.sealing import session_sealer
from schemas.messages import OrderPaymentInput, PaymentOrder, SettlePaymentInput
from schemas.repatriation import deceased_key


class PaymentActivities:
    """Orders and settles reimbursement transfers in the payment ledger.

    Activity `order_payment`: records the transfer order for one attempt, to the account on the
    case at that moment, under the idempotency key (case, attempt): a retry returns the same
    order. A person who died is paid for once: if another case or attempt is ordered or paid
    for the same deceased, nothing is ordered and the answer is `already_paid`.
    Activity `settle_payment`: records the bank's result (paid with a reference, or failed).
    """

    def __init__(self, sessions: async_sessionmaker) -> None:
        self.sessions = sessions

    @activity.defn
    async def order_payment(self, req: OrderPaymentInput) -> PaymentOrder:
        key = f"{req.case_number}:payment:{req.attempt}"
        for _ in range(2):  # a concurrent order for the same deceased may win the unique index: look again
            try:
                async with self.sessions.begin() as session:
                    case = await get_case(session, req.case_number)
                    # The deceased is identified by a digest of the personal number, read here from the
                    # case so that not even the digest travels through workflow history.
                    pin = case.application["deceased"]["personal_number"]
                    sealer = session_sealer(session)
                    account = sealer.open(case.application["bank_account"], f"{case.case_number}|application.bank_account")
                    row = await payments.order(
                        session, key=key, case_number=req.case_number, attempt=req.attempt,
                        deceased_key=deceased_key(pin), amount=req.amount,
                        currency=req.currency, account=sealer.seal(account, f"{key}|payment.account"),
                        at=datetime.now(timezone.utc))
                break
            except IntegrityError:
                row = None
        return PaymentOrder(key, row.status if row is not None else "already_paid")

    @activity.defn
    async def settle_payment(self, req: SettlePaymentInput) -> None:
        async with self.sessions.begin() as session:
            await payments.settle(session, req.idempotency_key, paid=req.paid, reference=req.reference,
                                  failure=req.failure, at=datetime.now(timezone.utc))
