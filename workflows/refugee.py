"""Refugee recognition (Law No. 44 "On Refugees"; Res. No. 188): the sequence of steps."""

import asyncio
from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.messages import AppealInput, CaseInput, CaseOutcome, DecisionInput, IssuedDocument, RefugeeStatusCarry
    from schemas.refugee import (
        APPEAL_REVIEW,
        CONCLUSION,
        DECISION,
        EXIT_ASSISTANCE,
        INTERVIEW,
        REFUSAL_SIGNOFF,
        REGISTRATION,
        VERIFICATION,
        WITHDRAWABLE,
        State,
    )
    from workflows.refugee_status import RefugeeStatusWorkflow
    from workflows.steps.case_workflow import CaseWorkflow
    from workflows.steps.paperwork import REFUSAL_LETTER
    from workflows.steps.recorder import CaseInterrupted
    from workflows.steps.runner import Transition as T


@workflow.defn
class RefugeeRecognitionWorkflow(CaseWorkflow):
    """One asylum application, from lodging to refugee certificate or final refusal.

    Messages: those of CaseWorkflow (updates `decide`, `extend_deadline`; signals
    `provide_documents`, `withdraw`) and signal `appeal` within the appeal window.
    Side effects (activities): a read-model transition and audit entry per step, the
    asylum-seeker certificate at registration (renewed whenever it runs out while the case is
    undecided, appeal included), replaced by the refugee certificate at recognition or revoked
    by a final refusal, abandonment or withdrawal; a refusal letter with the appeal route for
    each refusal. A recognition continues as new into RefugeeStatusWorkflow, the refugee's status.
    """

    @workflow.init
    def __init__(self, case: CaseInput) -> None:
        self.setup(case, State.LODGED, WITHDRAWABLE)
        self.appeal_lodged: AppealInput | None = None
        self.asylum_certificate: IssuedDocument | None = None
        self.decided = False  # the asylum-seeker certificate is renewed until then

    @workflow.run
    async def run(self, case: CaseInput) -> CaseOutcome:
        return await self.run_procedure(self._procedure)

    @workflow.signal
    def appeal(self, appeal: AppealInput) -> None:
        if not self.guard.accept("appeal", appeal):
            return
        if self.case.state == State.APPEAL_WINDOW and self.appeal_lodged is None:
            self.appeal_lodged = appeal

    # ---- the procedure ------------------------------------------------------------------
    async def _procedure(self) -> None:
        days = int(self.input.facts.get("days_since_entry", 0))
        late = days > self.input.rules.values.get("late_filing_flag_days", 3)
        await self.case.record("lodged", state=State.LODGED, public_note="application_lodged",
                               detail={"days_since_entry": days, "late_filing": late,
                                       "rules_version": self.input.rules.version})
        registration = self.steps.clock("registration", "registration", started_at=self.input.lodged_at)
        registered = await self._registration(registration)
        await self.steps.stop(registration)
        if not registered:
            return
        self.asylum_certificate = await self.papers.issue("AC", "asylum_certificate_validity")
        renewals = asyncio.create_task(self._keep_asylum_certificate())

        decision_clock = self.steps.clock("decision", "decision", limit="decision_max")
        if not await self._interview(decision_clock):
            return
        await self.steps.decide(VERIFICATION, decision_clock, {
            "complete_verification": T(State.VERIFIED, "verification_complete")})
        await self.steps.decide(CONCLUSION, decision_clock, {
            "recommend_recognition": T(State.CONCLUSION_DRAFTED, "conclusion_drafted"),
            "recommend_rejection": T(State.CONCLUSION_DRAFTED, "conclusion_drafted")})
        decision = await self.steps.decide(DECISION, decision_clock, {
            "recognise": T(State.RECOGNISED, "recognised", notify=True,
                           counted=("excluded_family_members", "recognised_leaving_out_family")),
            "reject": T(State.REJECTED, "application_rejected_on_ground", with_reason=True, notify=True,
                        data_params=("ground",))},
            check=self.family.check_exclusions)
        await self.steps.stop(decision_clock)
        if decision.outcome == "reject" and not await self._appeal(decision):
            await self._decided(renewals)
            await self.papers.set_status("revoked", "final_rejection")
            await self.steps.decide_within(EXIT_ASSISTANCE, "exit_assistance", {
                "record_exit_assistance": T(State.EXIT_ASSISTED, "exit_assistance_provided")})
            return
        await self._decided(renewals)
        issued_from = workflow.now()  # the certificate's validity and the status's clock run from the same moment
        excluded = decision.data.get("excluded_family_members", []) if decision.outcome == "recognise" else []
        certificate, family = await self.family.issue_with(
            lambda: self.papers.issue("RC", "refugee_certificate_validity", replaces=self.asylum_certificate),
            "RC", "refugee_certificate_validity", excluded)
        await self.case.record("certificate_issued", state=State.CERT_ISSUED, awaiting="", deadline=None,
                               public_note="refugee_certificate_ready", notify_applicant=True)
        # The case goes on as the refugee's status, one run per certificate period.
        await self.continue_as(RefugeeStatusWorkflow.run, RefugeeStatusCarry(
            case=self.input, certificate=certificate, certificate_from=issued_from, runs=self.carried(),
            family=family))

    async def _keep_asylum_certificate(self) -> None:
        """While the case is undecided, appeal included, the asylum-seeker certificate is renewed
        when it runs out (a new one replaces it); the holder is reminded before."""
        while not self.decided:
            clock = self.steps.clock("asylum_certificate", "asylum_certificate_validity", lapses=True,
                                     reminders=("asylum_certificate_reminder",),
                                     reminder_note="asylum_certificate_renewal_reminder")
            await workflow.wait_condition(lambda: clock.lapsed or clock.stopped or self.decided)
            await self.steps.stop(clock)
            if self.decided or not clock.lapsed:
                return
            self.asylum_certificate = await self.papers.issue("AC", "asylum_certificate_validity",
                                                              replaces=self.asylum_certificate)

    async def _decided(self, renewals) -> None:
        """The asylum-seeker certificate is no longer renewed: the case is decided."""
        self.decided = True
        await renewals

    async def _registration(self, clock) -> bool:
        """Registered (True) or refused with a supervisor's sign-off (False)."""
        while True:
            d = await self.steps.decide(REGISTRATION, clock, {
                "register": T(State.REGISTERED, "application_registered", notify=True),
                "refuse_registration": T(None, "registration_refusal_proposed")})
            if d.outcome == "register":
                return True
            signoff = await self.steps.decide(REFUSAL_SIGNOFF, clock, {
                "confirm_refusal": T(State.REGISTRATION_REFUSED, "registration_refused_on_ground", notify=True,
                                     params={"ground": str(d.data["ground"]), **({"reason": d.reason} if d.reason else {})}),
                "return_for_registration": T(None, "returned_to_registrar")})
            if signoff.outcome == "confirm_refusal":
                await self.papers.letter(REFUSAL_LETTER, d.outcome, str(d.data.get("ground", "")), d.reason)
                return False

    async def _interview(self, clock) -> bool:
        """Interviewed (True), or abandoned (False) when the applicant missed the interview
        and the file stayed open for the statutory period without contact."""
        abandonment = None
        while True:
            d = await self.steps.decide(INTERVIEW, clock, {
                # The applicant reads when and where to come (cases scheduled before: "interview_scheduled").
                "schedule_interview": T(None, "interview_scheduled_for", notify=True, data_params=("interview_at", "place")),
                "record_interview": T(State.INTERVIEWED, "interview_held")}, lapse=abandonment)
            if abandonment is not None:
                await self.steps.stop(abandonment)
            if d is None:
                await self.case.record("abandoned", state=State.ABANDONED, awaiting="", deadline=None,
                                       close_all_tasks=True, notify_applicant=True,
                                       public_note="abandoned")
                await self.papers.set_status("revoked", "abandoned")
                return False
            if d.outcome == "record_interview":
                return True
            at = datetime.fromisoformat(d.data["interview_at"])
            abandonment = self.steps.clock("interview_abandonment", "interview_abandonment",
                                           started_at=max(at, workflow.now()), lapses=True)

    async def _appeal(self, rejection: DecisionInput) -> bool:
        """True if an appeal overturned the rejection; False once the rejection is final."""
        window = self.steps.clock("appeal_window", "appeal_window", lapses=True)
        await self.papers.letter(REFUSAL_LETTER, rejection.outcome, str(rejection.data.get("ground", "")), rejection.reason,
                                 appeal_until=window.due_at)
        until = self.steps.calendar.last_day(window.due_at)
        await self.case.record("appeal_window_opened", state=State.APPEAL_WINDOW, awaiting="applicant: may appeal",
                               deadline=window.due_at, public_note="appeal_possible_until",
                               note_params={"until": until.isoformat()})
        await self.case.wait_for(lambda: self.appeal_lodged is not None or window.lapsed or self.case.interrupted)
        await self.steps.stop(window)
        if self.case.interrupted:
            raise CaseInterrupted()
        if self.appeal_lodged is None:
            await self.case.record("appeal_window_lapsed", state=State.FINAL_REJECTED, deadline=None, awaiting="",
                                   public_note="appeal_window_lapsed")
            return False
        await self.case.record("appeal_lodged", state=State.IN_APPEAL, actor="applicant", actor_role="applicant",
                               reason=self.appeal_lodged.grounds, public_note="appeal_lodged")
        d = await self.steps.decide_within(APPEAL_REVIEW, "appeal_review", {
            "overturn": T(State.OVERTURNED, "appeal_granted", with_reason=True,
                          notify=True),
            "uphold": T(State.FINAL_REJECTED, "appeal_dismissed", with_reason=True,
                        notify=True, letter=REFUSAL_LETTER)})
        if d.outcome == "overturn":
            await self.case.record("recognised_on_appeal", state=State.RECOGNISED, public_note="recognised")
            return True
        return False
