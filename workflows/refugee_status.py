"""A recognised refugee's status, from the first refugee certificate to the end of the status.

One run per certificate period: each renewal continues as new, carrying the status forward, so
a status kept for decades never grows one history without bound. All runs share the case's
workflow ID; replay and the auditor's timeline follow the chain of runs back to the application.
"""

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.messages import CaseOutcome, RefugeeStatusCarry, StatusDocumentRequest
    from schemas.refugee import State
    from schemas.refugee_status import (
        DECLINE,
        ENDING,
        ENDING_SIGNOFF,
        ENDINGS,
        RENEWAL,
        REQUESTABLE,
        TRAVEL_DOCUMENT,
        renewal_opens,
    )
    from schemas.steps import InvalidDecision
    from workflows.steps.case_workflow import CaseWorkflow
    from workflows.steps.clock import StatutoryClock
    from workflows.steps.paperwork import TERMINATION_LETTER
    from workflows.steps.runner import Transition as T

KEEP = {"renew_certificate": T(None, "certificate_renewal_approved", notify=True),
        "issue_travel_document": T(None, "travel_document_approved", notify=True),
        "decline_request": T(None, "request_declined", with_reason=True, notify=True)}
PROPOSE_ENDING = {outcome: T(State.ENDING_PROPOSED, "status_ending_proposed") for outcome in ENDINGS}


@workflow.defn
class RefugeeStatusWorkflow(CaseWorkflow):
    """The status of a recognised refugee (the case's later runs; the first is RefugeeRecognitionWorkflow).

    Messages: those of CaseWorkflow (update `decide` for the actions below, `extend_deadline`;
    signal `provide_documents`; no withdrawal: the status ends only by a decision), and signal
    `request_document`: the refugee asks online for the renewal or a travel document, which puts
    that step in the registrars' inbox on a statutory clock.
    Actions while the status holds: a registrar renews the refugee certificate (a new certificate
    replacing the old, then continue-as-new) or issues the refugee travel document; a supervisor
    proposes an ending (cessation, deprivation, naturalisation) that a legal officer other than
    the supervisor signs off on a statutory clock, or returns.
    Side effects: read-model transitions and audit entries; documents issued, replaced, revoked
    (at an ending, with a termination letter) or expired (a certificate not renewed within the
    grace period after its expiry lets the status lapse).
    """

    @workflow.init
    def __init__(self, carry: RefugeeStatusCarry) -> None:
        self.setup(carry.case, State.STATUS_ACTIVE, set())
        self.resume(carry.runs)
        self.carry = carry  # here, not in `run`: a signal may be handled before `run` starts
        self.asked: list[str] = []  # requests received, not yet taken up
        self.requests: dict[str, StatutoryClock] = {}  # step -> the clock of the request it answers
        self.offered: set[str] = set()  # the requestable steps the status offers now

    @workflow.run
    async def run(self, carry: RefugeeStatusCarry) -> CaseOutcome:
        return await self.run_procedure(self._status)

    @workflow.signal
    def request_document(self, request: StatusDocumentRequest) -> None:
        if not self.guard.accept("request_document", request) or request.document not in REQUESTABLE:
            return
        if REQUESTABLE[request.document] not in self.offered:  # not offered now (as the status page shows)
            workflow.logger.info("%s asked online on %s while not offered: ignored", request.document,
                                 self.input.case_number)
            return
        if request.document == RENEWAL.name and self.case.state != State.CERT_EXPIRED and \
                workflow.now() < renewal_opens(self.steps.calendar, self.input.rules, self.carry.certificate_from):
            workflow.logger.info("renewal asked online on %s before it opens: ignored", self.input.case_number)
            return
        self.asked.append(request.document)

    def _check_decline(self, d) -> None:
        if d.outcome == DECLINE.name and d.step not in self.requests:
            raise InvalidDecision("there is no request to decline: none was made online", "nothing_to_decline")

    async def _take_requests(self) -> None:
        """A request starts its step's clock (once: a second request for the same is noted only);
        one for a step no longer offered (asked just as it closed) is dropped."""
        while self.asked:
            step = REQUESTABLE[self.asked.pop(0)]
            if step not in self.offered:
                continue
            await self.case.record("document_requested", actor="applicant", actor_role="applicant",
                                   public_note=f"{step}_requested", detail={"step": step, "again": step in self.requests})
            if step not in self.requests:
                self.requests[step] = self.steps.clock(step, "status_request_decision")

    async def _answered(self, step: str) -> None:
        if step in self.requests:
            await self.steps.stop(self.requests.pop(step))

    async def _status(self) -> None:
        c = self.carry
        for step, asked_at in c.requested.items():
            self.requests[step] = self.steps.clock(step, "status_request_decision",
                                                   started_at=datetime.fromisoformat(asked_at))
        validity = self.steps.clock("refugee_certificate", "refugee_certificate_validity", started_at=c.certificate_from,
                                    lapses=True, reminders=("refugee_renewal_reminder",),
                                    reminder_note="refugee_renewal_reminder")
        await self.case.record("status_active", state=State.STATUS_ACTIVE, awaiting="", deadline=validity.due_at,
                               public_note="refugee_status_active_until",
                               note_params={"until": self.steps.calendar.last_day(validity.due_at).isoformat()},
                               detail={"run": c.runs.run + 1, "certificate": c.certificate.number})
        grace = None
        while True:
            travel = grace is None and (c.travel_document is None or c.travel_document.valid_until < validity.due_at)
            self.offered = {RENEWAL.name, TRAVEL_DOCUMENT.name} if travel else {RENEWAL.name}
            await self._take_requests()
            options = [(RENEWAL, self.requests.get(RENEWAL.name), self._check_decline), (ENDING, None)]
            if travel:
                options.insert(1, (TRAVEL_DOCUMENT, self.requests.get(TRAVEL_DOCUMENT.name), self._check_decline))
            chosen = await self.steps.decide_any(options, {**KEEP, **PROPOSE_ENDING},
                                                 lapse=grace if grace is not None else validity,
                                                 wake=lambda: bool(self.asked))
            if chosen is None and self.asked:
                continue
            if chosen is None and grace is None:  # the certificate ran out: renewal is still possible
                grace = self.steps.clock("certificate_grace", "refugee_renewal_grace", lapses=True)
                await self.case.record("certificate_expired", state=State.CERT_EXPIRED, deadline=grace.due_at,
                                       close_all_tasks=True, notify_applicant=True,
                                       public_note="refugee_certificate_expired_grace",
                                       note_params={"until": self.steps.calendar.last_day(grace.due_at).isoformat()})
                await self.papers.set_status("expired", "expiry")
                continue
            if chosen is None:
                await self.case.record("status_lapsed", state=State.STATUS_LAPSED, awaiting="", deadline=None,
                                       close_all_tasks=True, notify_applicant=True, public_note="status_lapsed")
                return
            spec, d = chosen
            if d.outcome == DECLINE.name:
                await self._answered(spec.name)
                continue
            if d.outcome == "renew_certificate":
                await self._renew()  # does not return: the status goes on in a new run
            if d.outcome == "issue_travel_document":
                self.offered.discard(TRAVEL_DOCUMENT.name)
                await self._answered(TRAVEL_DOCUMENT.name)
                c.travel_document = await self.papers.issue("RTD", None, until=c.certificate.valid_until)
                continue
            self.offered = set()  # nothing is asked for while an ending awaits its sign-off
            if await self._signed_off(d):
                return
            await self.case.record("status_active", state=State.CERT_EXPIRED if grace else State.STATUS_ACTIVE,
                                   deadline=(grace or validity).due_at)

    async def _renew(self) -> None:
        c = self.carry
        issued_from = workflow.now()  # the certificate's validity and the next run's clock run from the same moment
        certificate, family = await self.family.replace_with(
            lambda: self.papers.issue("RC", "refugee_certificate_validity", replaces=c.certificate),
            c.family, "RC", "refugee_certificate_validity")
        await self.continue_as(RefugeeStatusWorkflow.run, RefugeeStatusCarry(
            case=self.input, certificate=certificate, certificate_from=issued_from,
            travel_document=c.travel_document, runs=self.carried(), family=family,
            requested={step: clock.started_at.isoformat() for step, clock in self.requests.items()
                       if step != RENEWAL.name}))

    async def _signed_off(self, proposal) -> bool:
        """The legal officer's sign-off of a proposed ending: True once the status has ended."""
        state, ground, note = ENDINGS[proposal.outcome]
        signoff = await self.steps.decide_within(ENDING_SIGNOFF, "ending_signoff", {
            "confirm_ending": T(state, note, notify=True, params={"reason": proposal.reason}),
            "return_ending": T(None, "status_ending_returned", with_reason=True)})
        if signoff.outcome == "return_ending":
            return False
        await self.papers.letter(TERMINATION_LETTER, proposal.outcome, str(proposal.data.get("ground", "")),
                                 proposal.reason)
        await self.papers.set_status("revoked", ground)
        return True
