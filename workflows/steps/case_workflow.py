"""CaseWorkflow: the messages every procedure's workflow shares, written once.

Update `decide`: an officer decides an open step (validated by the DecisionDesk before it enters
history). Update `extend_deadline`: a supervisor extends a running deadline once, with a reason.
Signal `provide_documents`: the applicant's files arrived (recorded; a waiting step resumes).
Signal `withdraw`: the applicant withdraws, in the states the procedure allows.
Query `recorded`: what the history has recorded of the case (seq, state, open tasks), for the
reconciler; a query writes nothing to history.
A workflow whose start the API did not sign for its own ID (a twin, a squatter) ends at once.
Every message must carry a proof of origin signed by the API (MessageGuard): an update without
one is rejected before it enters history; such a signal is ignored.
A procedure subclasses this, calls `setup` from its `@workflow.init` and `run_procedure` from
`@workflow.run`, and declares any message of its own (e.g. the refugee `appeal`) next to them.
"""

from collections.abc import Awaitable, Callable
from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.calendar import Calendar
    from schemas.messages import (
        CarriedRuns,
        CaseInput,
        CaseOutcome,
        DecisionInput,
        DecisionResult,
        DocumentsProvided,
        ExtensionInput,
        ExtensionResult,
        RecordedState,
        WithdrawalInput,
    )
    from workflows.steps.desk import DecisionDesk
    from workflows.steps.family import Family
    from workflows.steps.guard import MessageGuard
    from workflows.steps.paperwork import Paperwork
    from workflows.steps.recorder import CaseInterrupted, CaseRecorder
    from workflows.steps.runner import StepRunner

WITHDRAWN = "WITHDRAWN"
NOT_THE_CASES = "NOT_THE_CASES_WORKFLOW"  # the outcome of a workflow the API did not start for its case
BOUND_START = "start-bound-to-its-case"


class CaseWorkflow:
    def setup(self, case: CaseInput, initial_state: str, withdrawable: set[str]) -> None:
        self.input = case
        self.case = CaseRecorder(case.case_number, initial_state)
        self.guard = MessageGuard(case.case_number)
        # A claim lodged at a diplomatic mission (its country code) has steps only that mission decides.
        self.desk = DecisionDesk(self.guard, mission=case.facts.get("mission") or "")
        self.papers = Paperwork(self.case, Calendar(case.rules.calendar), case.rules, case.region)
        self.steps = StepRunner(self.case, self.desk, case.rules, self.papers)
        self.family = Family(self.papers, int(case.facts.get("family_members", 0)))
        self.withdrawable = withdrawable
        self.runs = 0  # runs of this case before this one (continue-as-new)

    def resume(self, runs: CarriedRuns) -> None:
        """Take up the case where its previous run left it."""
        self.runs = runs.run
        self.case.seq = runs.seq
        self.papers.issued = dict(runs.issued)
        self.guard.nonces = {nonce: datetime.fromisoformat(expires) for nonce, expires in runs.nonces.items()}
        self.desk.deciders = dict(runs.deciders)

    def carried(self) -> CarriedRuns:
        return CarriedRuns(self.runs + 1, self.case.seq, dict(self.papers.issued),
                           {nonce: expires.isoformat() for nonce, expires in self.guard.nonces.items()},
                           dict(self.desk.deciders))

    async def continue_as(self, run, carry) -> None:
        """Ends this run and goes on in a new one (`run`, given `carry`): the decision that led here
        answers first, and no clock of this run is left behind."""
        await self.steps.stop_all()
        self.case.settled = True
        await workflow.wait_condition(workflow.all_handlers_finished)
        workflow.continue_as_new(carry, workflow=run)

    async def run_procedure(self, procedure: Callable[[], Awaitable[None]]) -> CaseOutcome:
        if workflow.info().continued_run_id is None and workflow.patched(BOUND_START) \
                and not self.guard.started_by_api(self.input.start):
            # A twin (a case's input copied and started under another ID) or a start made around
            # the API: it ends at once, having recorded nothing of any case. A run that continues
            # an earlier one of the same ID was started by that run (cases begun before the proof
            # existed carry none).
            return CaseOutcome(self.input.case_number, NOT_THE_CASES)
        try:
            await procedure()
        except CaseInterrupted:
            await self.case.record("withdrawn", state=WITHDRAWN, actor="applicant", actor_role="applicant",
                                   reason=self.case.withdrawal or "", close_all_tasks=True, awaiting="",
                                   deadline=None, public_note="application_withdrawn")
            await self.papers.set_status("revoked", "withdrawn")
            await self.after_withdrawal()
        await self.steps.stop_all()
        self.case.settled = True
        await workflow.wait_condition(workflow.all_handlers_finished)
        return CaseOutcome(self.input.case_number, self.case.state)

    async def after_withdrawal(self) -> None:
        """What a procedure undoes when the applicant withdraws (e.g. returns a quota unit)."""

    @workflow.update
    async def decide(self, decision: DecisionInput) -> DecisionResult:
        return await self.desk.submit(decision, self.case)

    @decide.validator
    def validate_decide(self, decision: DecisionInput) -> None:
        self.desk.validate(decision, arriving=True)

    @workflow.update
    async def extend_deadline(self, extension: ExtensionInput) -> ExtensionResult:
        return await self.steps.extend(extension)

    @extend_deadline.validator
    def validate_extend_deadline(self, extension: ExtensionInput) -> None:
        self.desk.validate_extension(extension, self.input.rules.max_extensions)

    @workflow.query
    def recorded(self) -> RecordedState:
        c = self.case
        return RecordedState(c.seq, c.state, c.awaiting, c.deadline, sorted(c.open_tasks), sorted(self.desk.clocks))

    @workflow.signal
    async def provide_documents(self, provided: DocumentsProvided) -> None:
        if self.guard.accept("provide_documents", provided):
            await self.steps.receive_documents(provided)

    @workflow.signal
    def withdraw(self, withdrawal: WithdrawalInput) -> None:
        if not self.guard.accept("withdraw", withdrawal):
            return
        if self.case.state in self.withdrawable and not self.case.interrupted:
            self.case.withdrawal = withdrawal.reason
