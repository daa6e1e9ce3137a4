"""Permit for a private employment agency (Res. No. 175 of 2019 App. 2): the sequence of steps."""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.agency_permit import (
        COMMISSION,
        COMMISSION_ACTIONS,
        DEPOSIT,
        DOC_CHECK,
        RESUME,
        SUSPEND,
        WITHDRAWABLE,
        State,
    )
    from schemas.messages import CaseInput, CaseOutcome, PlacementReportInput
    from schemas.steps import InvalidDecision
    from workflows.steps.case_workflow import CaseWorkflow
    from workflows.steps.paperwork import REFUSAL_LETTER, TERMINATION_LETTER
    from workflows.steps.report_duty import ReportDuty
    from workflows.steps.runner import Transition as T

ACTIONS = {
    "suspend": T(State.SUSPENDED, "permit_suspended", with_reason=True,
                 notify=True, ends="suspended"),
    "resume": T(State.ACTIVE, "permit_resumed", notify=True, ends="valid"),
    "extend_permit": T(None, "permit_extension_approved", notify=True),
    "cancel_permit": T(State.CANCELLED, "permit_cancelled_by_commission", with_reason=True, notify=True,
                       letter=TERMINATION_LETTER, ends="revoked"),
}


@workflow.defn
class AgencyPermitWorkflow(CaseWorkflow):
    """An agency's application for a permit to place KR citizens abroad, and the permit's year.

    Messages: those of CaseWorkflow (updates `decide`, `extend_deadline`; signals
    `provide_documents`, `withdraw`) and signal `file_report`: while the permit is in force the
    agency reports each quarter how many citizens it placed abroad (ReportDuty); a missed report
    is recorded and told, and may ground a suspension. Side effects (activities): a read-model
    transition and audit entry per step; the permit (listing the destination countries), a new one replacing it at each
    extension, suspended and reinstated with the permit, revoked on cancellation and expired at its
    end; refusal and cancellation letters with the appeal route.
    """

    @workflow.init
    def __init__(self, case: CaseInput) -> None:
        self.setup(case, State.SUBMITTED, WITHDRAWABLE)
        self.years = 0  # permit years issued so far (each has a clock of its own)
        self.reports = ReportDuty(self.case, self.steps)

    @workflow.run
    async def run(self, case: CaseInput) -> CaseOutcome:
        return await self.run_procedure(self._procedure)

    @workflow.signal
    def file_report(self, report: PlacementReportInput) -> None:
        if self.guard.accept("file_report", report):
            self.reports.receive(report)

    async def _procedure(self) -> None:
        await self.case.record("submitted", state=State.DOC_CHECK, public_note="application_submitted",
                               detail={"destinations": self.input.facts["destinations"]})
        await self.steps.decide_within(DOC_CHECK, "document_check", {
            "documents_ok": T(State.ON_COMMISSION_AGENDA, "agency_documents_complete")},
            started_at=self.input.lodged_at, documents_state=State.AWAITING_DOCS)
        # The agency reads what to pay (the deadline shows as the case's); cases approved before kept
        # the note without amounts, which the catalogue still holds.
        values = self.input.rules.values
        decision = await self.steps.decide_within(COMMISSION, "decision", {
            "approve": T(State.APPROVED_PENDING_DEPOSIT, "agency_approved_pay_deposit", notify=True,
                         params={"deposit": str(values["deposit_som"]), "fee": str(values["fee_som"]),
                                 "currency": "KGS"}),
            "refuse": T(State.REJECTED, "agency_permit_refused_on_ground", with_reason=True, notify=True,
                        letter=REFUSAL_LETTER, data_params=("ground",))})
        if decision.outcome == "refuse":
            return
        deposit_window = self.steps.clock("deposit_window", "deposit", lapses=True)
        paid = await self.steps.decide(DEPOSIT, deposit_window, {
            "confirm_deposit": T(None, "deposit_received")}, lapse=deposit_window, check=self._check_deposit)
        await self.steps.stop(deposit_window)
        if paid is None:
            await self.case.record("approval_lapsed", state=State.REJECTED, awaiting="", deadline=None,
                                   close_all_tasks=True, notify_applicant=True,
                                   public_note="approval_lapsed")
            return
        await self._permit_year()

    async def _permit_year(self) -> None:
        permit = await self.papers.issue("AGP", "permit",
                                         contents={"destination_countries": self.input.facts["destinations"]})
        validity = self._validity(None)
        await self.case.record("permit_active", state=State.ACTIVE, deadline=validity.due_at,
                               public_note="permit_active")
        self.reports.start()
        try:
            await self._while_in_force(permit, validity)
        finally:
            await self.reports.stop()

    async def _while_in_force(self, permit, validity) -> None:
        while True:
            if self.case.state == State.SUSPENDED:
                remedy = self.steps.clock("remedy_window", "remedy_window", lapses=True)
                chosen = await self.steps.decide_any([(RESUME, None), (COMMISSION_ACTIONS, None)], ACTIONS,
                                                     lapse=[validity, remedy])
                await self.steps.stop(remedy)
                if chosen is None and remedy.lapsed and not validity.lapsed:
                    await self.case.record("suspension_lapsed", state=State.CANCELLED, awaiting="", deadline=None,
                                           close_all_tasks=True, notify_applicant=True,
                                           public_note="permit_cancelled_unremedied")
                    await self.papers.letter(TERMINATION_LETTER, "cancel_permit", "", "")
                    await self.papers.set_status("revoked", "suspension_lapsed")
                    return
            else:
                chosen = await self.steps.decide_any([(SUSPEND, None), (COMMISSION_ACTIONS, None)], ACTIONS,
                                                     lapse=validity)
            if chosen is None:
                await self.case.record("permit_expired", state=State.EXPIRED, awaiting="", deadline=None,
                                       close_all_tasks=True, notify_applicant=True, public_note="agency_permit_expired")
                await self.papers.set_status("expired", "expiry")
                return
            _, d = chosen
            if d.outcome == "cancel_permit":
                return
            if d.outcome == "extend_permit":
                previous, validity = validity, self._validity(validity)
                await self.steps.stop(previous)
                permit = await self.papers.issue("AGP", None, replaces=permit,
                                                 until=validity.due_at,
                                                 contents={"destination_countries": self.input.facts["destinations"]})
                await self.case.record("permit_extended", deadline=validity.due_at, notify_applicant=True,
                                       public_note="permit_extended_until",
                                       note_params={"until": self.steps.calendar.last_day(validity.due_at).isoformat()})

    def _check_deposit(self, d) -> None:
        values = self.input.rules.values
        if d.data["deposit_som"] < values["deposit_som"] or d.data["fee_som"] < values["fee_som"]:
            raise InvalidDecision(f"the deposit is {values['deposit_som']} som and the fee {values['fee_som']} som "
                                  "(rules/agency_permit.toml)", "deposit_below_rules",
                                  deposit=str(values["deposit_som"]), fee=str(values["fee_som"]))

    def _validity(self, previous):
        """The permit's year: a new one starts where an extended one ends, with its own reminder."""
        self.years += 1
        return self.steps.clock(f"permit_{self.years}", "permit", lapses=True,
                                started_at=previous.due_at if previous else None, reminders=("extension_reminder",),
                                reminder_note="permit_extension_reminder")
