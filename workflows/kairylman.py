"""Kairylman status (Law No. 175; Res. No. 402): the sequence of steps."""

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.kairylman import (
        CASE_FILE,
        CITIZENSHIP,
        COMMISSION,
        EXTENSION,
        INTAKE,
        TERMINATION,
        WITHDRAWABLE,
        State,
    )
    from schemas.messages import CaseInput, CaseOutcome, DecisionInput
    from schemas.steps import InvalidDecision
    from workflows.steps.case_workflow import CaseWorkflow
    from workflows.steps.paperwork import REFUSAL_LETTER, TERMINATION_LETTER
    from workflows.steps.runner import Transition as T


@workflow.defn
class KairylmanStatusWorkflow(CaseWorkflow):
    """One application for kairylman status, and the 3-year status that follows a grant.

    Messages: those of CaseWorkflow (updates `decide`, `extend_deadline`; signals
    `provide_documents`, `withdraw`). Side effects (activities): a read-model transition and
    audit entry per step; the kairylman certificate, a new one replacing it when extended, revoked
    when the status ends (citizenship, termination, withdrawal) or expired; refusal and
    termination letters with the appeal route.
    """

    @workflow.init
    def __init__(self, case: CaseInput) -> None:
        self.setup(case, State.SUBMITTED, WITHDRAWABLE)

    @workflow.run
    async def run(self, case: CaseInput) -> CaseOutcome:
        return await self.run_procedure(self._procedure)

    async def _procedure(self) -> None:
        await self.case.record("submitted", state=State.SUBMITTED, public_note="Application submitted",
                               detail={"rules_version": self.input.rules.version})
        intake = self.steps.clock("intake", "intake", started_at=self.input.lodged_at)
        await self.steps.decide(INTAKE, intake, {
            "accept_complete": T(State.DOCS_OK, "Documents complete; the case goes to the commission", notify=True)},
            documents_state=State.DOCS_INCOMPLETE)
        await self.steps.stop(intake)
        decision_clock = self.steps.clock("decision", "decision")
        await self.steps.decide(CASE_FILE, decision_clock, {
            "put_on_agenda": T(State.ON_COMMISSION_AGENDA, "On the agenda of the interagency commission")})
        decision = await self.steps.decide(COMMISSION, decision_clock, {
            "grant": T(State.GRANTED, "Kairylman status granted", notify=True),
            "refuse": T(State.REFUSED, "Kairylman status refused", with_reason=True, notify=True, letter=REFUSAL_LETTER)})
        await self.steps.stop(decision_clock)
        if decision.outcome == "grant":
            await self._status()

    async def _status(self) -> None:
        """The certificate runs 3 years: reminders to apply for citizenship, one extension while a
        citizenship case is pending, and it ends by citizenship, termination or expiry."""
        certificate = await self.papers.issue("KC", "certificate_validity", "Kairylman certificate")
        validity = self.steps.clock(
            "certificate", "certificate_validity", lapses=True,
            reminders=("citizenship_reminder_1", "citizenship_reminder_2"),
            reminder_note="Please apply for citizenship of the Kyrgyz Republic before your certificate expires")
        await self.case.record("status_active", state=State.ACTIVE, awaiting="", deadline=validity.due_at,
                               public_note=f"Kairylman status active until {self.steps.calendar.last_day(validity.due_at)}")
        while True:
            options = [(CITIZENSHIP, None), (TERMINATION, None)]
            if self.case.state == State.CITIZENSHIP_APPLIED and not validity.extensions:
                options.append((EXTENSION, None, lambda d: self._check_extension(d, validity)))
            chosen = await self.steps.decide_any(options, {
                "record_citizenship_application": T(State.CITIZENSHIP_APPLIED, "Citizenship application recorded"),
                "record_citizenship_acquired": T(State.CLOSED_CITIZEN, "Citizenship acquired; the kairylman status "
                                                 "has served its purpose", notify=True, ends="revoked"),
                "terminate": T(State.TERMINATED, "Kairylman status terminated", with_reason=True, notify=True,
                               letter=TERMINATION_LETTER, ends="revoked"),
                "extend_certificate": T(None, "Certificate extended")}, lapse=validity)
            if chosen is None:
                await self.case.record("status_expired", state=State.EXPIRED, awaiting="", deadline=None,
                                       close_all_tasks=True, notify_applicant=True,
                                       public_note="The kairylman certificate has expired")
                await self.papers.set_status("expired", "expiry")
                return
            spec, d = chosen
            if d.outcome == "extend_certificate":
                until = self._end_of(d.data["until"], validity)
                validity.extend(until, d.reason, d.actor)
                certificate = await self.papers.issue("KC", None, "Kairylman certificate", replaces=certificate,
                                                      until=until)
                await self.case.record("certificate_extended", deadline=until, notify_applicant=True,
                                       public_note=f"Certificate extended until {d.data['until']}")
            elif d.outcome != "record_citizenship_application":
                return

    def _end_of(self, day: str, validity) -> datetime:
        return validity.calendar.end_of_day(datetime.fromisoformat(day).date())

    def _check_extension(self, d: DecisionInput, validity) -> None:
        until = self._end_of(d.data["until"], validity)
        limit = validity.calendar.due(validity.due_at, self.input.rules.period("certificate_extension_max"))
        if until <= validity.due_at:
            raise InvalidDecision(f"until must be after the current expiry {validity.calendar.last_day(validity.due_at)}")
        if until > limit:
            raise InvalidDecision(f"the certificate may be extended at most until {validity.calendar.last_day(limit)}")
