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
    from workflows.steps.family import TOGETHER
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
        await self.case.record("submitted", state=State.SUBMITTED, public_note="application_submitted",
                               detail={"rules_version": self.input.rules.version})
        intake = self.steps.clock("intake", "intake", started_at=self.input.lodged_at)
        await self.steps.decide(INTAKE, intake, {
            "accept_complete": T(State.DOCS_OK, "documents_complete_for_commission", notify=True)},
            documents_state=State.DOCS_INCOMPLETE)
        await self.steps.stop(intake)
        decision_clock = self.steps.clock("decision", "decision")
        await self.steps.decide(CASE_FILE, decision_clock, {
            "put_on_agenda": T(State.ON_COMMISSION_AGENDA, "on_commission_agenda")})
        decision = await self.steps.decide(COMMISSION, decision_clock, {
            "grant": T(State.GRANTED, "kairylman_granted", notify=True,
                       counted=("excluded_family_members", "kairylman_granted_leaving_out_family")),
            "refuse": T(State.REFUSED, "kairylman_refused_on_ground", with_reason=True, notify=True,
                        letter=REFUSAL_LETTER, data_params=("ground",))},
            check=self.family.check_exclusions)
        await self.steps.stop(decision_clock)
        if decision.outcome == "grant":
            await self._status(decision.data.get("excluded_family_members", []))

    async def _status(self, excluded: list[int]) -> None:
        """The certificate runs 3 years: reminders to apply for citizenship, one extension while a
        citizenship case is pending, and it ends by citizenship, termination or expiry. The family
        members moving with the holder have certificates of their own, extended and ended with it."""
        if workflow.patched(TOGETHER):
            certificate, family = await self.family.issue_with(
                lambda: self.papers.issue("KC", "certificate_validity"), "KC", "certificate_validity", excluded)
        else:
            certificate = await self.papers.issue("KC", "certificate_validity")
            # Cases granted before families had certificates of their own replay without them.
            family = await self.family.issue("KC", "certificate_validity", excluded) if workflow.patched(
                "kairylman-family-certificates") else []
        validity = self.steps.clock(
            "certificate", "certificate_validity", lapses=True,
            reminders=("citizenship_reminder_1", "citizenship_reminder_2"),
            reminder_note="citizenship_reminder")
        await self.case.record("status_active", state=State.ACTIVE, awaiting="", deadline=validity.due_at,
                               public_note="kairylman_active_until",
                               note_params={"until": self.steps.calendar.last_day(validity.due_at).isoformat()})
        while True:
            options = [(CITIZENSHIP, None), (TERMINATION, None)]
            if self.case.state == State.CITIZENSHIP_APPLIED and not validity.extensions:
                options.append((EXTENSION, None, lambda d: self._check_extension(d, validity)))
            chosen = await self.steps.decide_any(options, {
                "record_citizenship_application": T(State.CITIZENSHIP_APPLIED, "citizenship_application_recorded"),
                "record_citizenship_acquired": T(State.CLOSED_CITIZEN, "citizenship_acquired", notify=True, ends="revoked"),
                "terminate": T(State.TERMINATED, "kairylman_terminated", with_reason=True, notify=True,
                               letter=TERMINATION_LETTER, ends="revoked"),
                "extend_certificate": T(None, "certificate_extension_approved")}, lapse=validity)
            if chosen is None:
                await self.case.record("status_expired", state=State.EXPIRED, awaiting="", deadline=None,
                                       close_all_tasks=True, notify_applicant=True,
                                       public_note="kairylman_expired")
                await self.papers.set_status("expired", "expiry")
                return
            spec, d = chosen
            if d.outcome == "extend_certificate":
                until = self._end_of(d.data["until"], validity)
                validity.extend(until, d.reason, d.actor)
                certificate, family = await self.family.replace_with(
                    lambda old=certificate: self.papers.issue("KC", None, replaces=old, until=until),
                    family, "KC", None, until=until)
                await self.case.record("certificate_extended", deadline=until, notify_applicant=True,
                                       public_note="certificate_extended_until",
                                       note_params={"until": self.steps.calendar.last_day(until).isoformat()})
            elif d.outcome != "record_citizenship_application":
                return

    def _end_of(self, day: str, validity) -> datetime:
        return validity.calendar.end_of_day(datetime.fromisoformat(day).date())

    def _check_extension(self, d: DecisionInput, validity) -> None:
        until = self._end_of(d.data["until"], validity)
        limit = validity.calendar.due(validity.due_at, self.input.rules.period("certificate_extension_max"))
        if until <= validity.due_at:
            expiry = validity.calendar.last_day(validity.due_at).isoformat()
            raise InvalidDecision(f"until must be after the current expiry {expiry}", "not_after_expiry", date=expiry)
        if until > limit:
            last = validity.calendar.last_day(limit).isoformat()
            raise InvalidDecision(f"the certificate may be extended at most until {last}", "extension_past_limit",
                                  date=last)
