"""Repatriation cost reimbursement (Decree No. 56; Res. No. 169): the sequence of steps."""

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.payments import PaymentActivities
    from schemas.messages import (
        AccountCorrected,
        CaseInput,
        CaseOutcome,
        OrderPaymentInput,
        PaymentOrder,
        SettlePaymentInput,
    )
    from schemas.repatriation import (
        APPROVAL,
        DOCUMENT_CHECK,
        MISSION_DOCUMENT_CHECK,
        MISSION_PAYMENT,
        PAYMENT,
        WITHDRAWABLE,
        State,
    )
    from workflows.steps.case_workflow import CaseWorkflow
    from workflows.steps.paperwork import REFUSAL_LETTER
    from workflows.steps.recorder import RECORD_RETRY
    from workflows.steps.runner import Transition as T

LEDGER = {"start_to_close_timeout": timedelta(seconds=30), "retry_policy": RECORD_RETRY}


@workflow.defn
class RepatriationReimbursementWorkflow(CaseWorkflow):
    """One claim for the cost of bringing home the body of a citizen who died abroad.

    A claim lodged at a diplomatic mission (the consular route) has its documents checked and its
    payment made by a consular officer of that mission; the finance officer at home approves it
    either way, and the ledger is the same, so a death is paid once whichever route is taken.

    Messages: those of CaseWorkflow (updates `decide`, `extend_deadline`; signals
    `provide_documents`, `withdraw`) and signal `correct_bank_account` after a failed transfer.
    Side effects (activities): a read-model transition and audit entry per step; a payment order
    in the ledger per attempt (exactly once, and never a second payment for the same death);
    the recorded result of each transfer; on approval, once the death's payment is reserved for
    this claim, the family is told and the reimbursement decision issued; a refusal letter with the
    appeal route on refusal (or when the death was paid in another claim).
    """

    @workflow.init
    def __init__(self, case: CaseInput) -> None:
        self.setup(case, State.SUBMITTED, WITHDRAWABLE)
        self.account_corrections = 0

    @workflow.run
    async def run(self, case: CaseInput) -> CaseOutcome:
        return await self.run_procedure(self._procedure)

    @workflow.signal
    def correct_bank_account(self, correction: AccountCorrected) -> None:
        if not self.guard.accept("correct_bank_account", correction):
            return
        if self.case.state == State.AWAITING_ACCOUNT:
            self.account_corrections += 1

    async def _procedure(self) -> None:
        facts = self.input.facts
        mission = self.desk.mission  # the country of the diplomatic mission where it was lodged, or ""
        await self.case.record("submitted", state=State.DOCS_CHECK, public_note="application_submitted",
                               detail={"amount": facts["amount"], "currency": facts["currency"],
                                       "legal_act": facts["legal_act"], "late": facts["late"],
                                       "days_since_death": facts["days_since_death"],
                                       "mission": mission,
                                       "rules_version": self.input.rules.version})
        refusal = T(State.REJECTED, "application_refused_on_ground", with_reason=True, notify=True, letter=REFUSAL_LETTER,
                    data_params=("ground",))
        check_step = MISSION_DOCUMENT_CHECK if mission else DOCUMENT_CHECK
        check = await self.steps.decide_within(check_step, "document_check", {
            "documents_ok": T(None, "documents_checked"), "refuse": refusal},
            started_at=self.input.lodged_at, documents_state=State.AWAITING_DOCS)
        if check.outcome == "refuse":
            return
        approved_note = {"amount": str(facts["amount"]), "currency": facts["currency"]}
        # The family is told of an approval once the death's one payment is reserved for this claim:
        # two claims approved in the same instant must not both read "approved" (cases that reached
        # the approval before this told it with the decision).
        told_once_reserved = workflow.patched("repatriation-approval-told-once-reserved")
        approve = T() if told_once_reserved else T(State.APPROVED, "reimbursement_approved", notify=True,
                                                   params=approved_note)
        approval = await self.steps.decide_within(APPROVAL, "approval", {"approve": approve, "refuse": refusal})
        if approval.outcome != "approve":
            return
        amount = f"{facts['amount']:,} {facts['currency']}".replace(",", " ")
        if workflow.patched("repatriation-reserve-before-decision"):
            # The death's one payment is reserved before the decision to reimburse is issued: a
            # claim for a death paid in another case is refused without a decision that says
            # otherwise (cases approved before this kept the order they had).
            first = await self._order(facts, 1)
            if first.status == "already_paid":
                await self._refuse_already_paid(first)
                return
            if told_once_reserved:
                await self.case.record("payment_reserved", state=State.APPROVED, public_note="reimbursement_approved",
                                       note_params=approved_note, notify_applicant=True,
                                       detail={"payment": first.idempotency_key})
            await self.papers.decision("RDD", {"amount": amount})
            await self._pay(facts, first)
        else:
            await self.papers.decision("RDD", {"amount": amount})
            await self._pay(facts)

    async def _order(self, facts: dict, attempt: int) -> PaymentOrder:
        return await workflow.execute_activity_method(
            PaymentActivities.order_payment,
            OrderPaymentInput(self.input.case_number, attempt, facts["amount"], facts["currency"]), **LEDGER)

    async def _refuse_already_paid(self, order: PaymentOrder) -> None:
        await self.case.record("refused_already_paid", state=State.REJECTED, awaiting="", deadline=None,
                               notify_applicant=True, detail={"payment": order.idempotency_key},
                               public_note="already_reimbursed")
        await self.papers.letter(REFUSAL_LETTER, "refuse", "already_paid", "")

    async def _pay(self, facts: dict, first: PaymentOrder | None = None) -> None:
        """Orders the transfer (the first order may be made already) and waits for its result; after
        a failed transfer, a corrected account is ordered again as the next attempt."""
        mission = self.desk.mission
        attempt = 0
        while True:
            attempt += 1
            order = first if attempt == 1 and first is not None else await self._order(facts, attempt)
            if order.status == "already_paid":
                await self._refuse_already_paid(order)
                return
            await self.case.record("payment_ordered", state=State.PAYMENT_ORDERED,
                                   public_note="payment_ordered_at_mission" if mission else "payment_ordered",
                                   note_params={"mission": mission} if mission else {},
                                   detail={"payment": order.idempotency_key, "attempt": attempt, "mission": mission})
            result = await self.steps.decide_within(MISSION_PAYMENT if mission else PAYMENT, "payment", {
                "confirm_paid": T(State.PAID, "paid", notify=True),
                "payment_failed": T(State.AWAITING_ACCOUNT, "transfer_failed",
                                    with_reason=True, notify=True)})
            paid = result.outcome == "confirm_paid"
            await workflow.execute_activity_method(
                PaymentActivities.settle_payment,
                SettlePaymentInput(order.idempotency_key, paid, result.data.get("bank_reference", ""),
                                   result.data.get("problem", "")), **LEDGER)
            if paid:
                await self.case.record("closed", state=State.CLOSED, awaiting="", deadline=None,
                                       public_note="reimbursement_paid")
                return
            corrections = self.account_corrections
            wait = self.steps.clock("account_correction", "account_correction")
            await self.case.record("awaiting_account", awaiting="applicant: correct the bank account",
                                   deadline=wait.due_at)
            await self.case.wait_for(lambda: self.account_corrections > corrections)
            await self.steps.stop(wait)
            await self.case.record("account_corrected", actor="applicant", actor_role="applicant",
                                   public_note="account_corrected")
