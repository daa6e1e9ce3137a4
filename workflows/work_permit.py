"""Work permit for a foreign worker within the annual quota: the sequence of steps."""

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.quota import QuotaActivities
    from schemas.messages import CaseInput, CaseOutcome, DecisionInput, QuotaRequest
    from schemas.steps import InvalidDecision
    from schemas.work_permit import CANCELLATION, REVIEW, WITHDRAWABLE, State, cap_problem
    from workflows.steps.case_workflow import CaseWorkflow
    from workflows.steps.paperwork import REFUSAL_LETTER, TERMINATION_LETTER
    from workflows.steps.recorder import RECORD_RETRY
    from workflows.steps.runner import Transition as T

LEDGER = {"start_to_close_timeout": timedelta(seconds=30), "retry_policy": RECORD_RETRY}
CANCEL = {"cancel": T(State.CANCELLED, "work_permit_cancelled", with_reason=True, notify=True, letter=TERMINATION_LETTER,
                      ends="revoked")}


@workflow.defn
class WorkPermitWorkflow(CaseWorkflow):
    """An employer's application for one foreign worker, within the region × sector quota.

    Messages: those of CaseWorkflow (updates `decide`, `extend_deadline`; signals
    `provide_documents`, `withdraw`). Side effects (activities): a read-model transition and audit
    entry per step; a quota unit reserved on acceptance, consumed on issue, released on refusal,
    withdrawal, expiry or cancellation; the 60-day permit, then the 360-day permit replacing it,
    revoked on cancellation or withdrawal and expired at its end; refusal and cancellation letters.
    """

    @workflow.init
    def __init__(self, case: CaseInput) -> None:
        self.setup(case, State.SUBMITTED, WITHDRAWABLE)
        self.holds_quota = False

    @workflow.run
    async def run(self, case: CaseInput) -> CaseOutcome:
        return await self.run_procedure(self._procedure)

    async def after_withdrawal(self) -> None:
        await self._release()

    async def _quota(self, activity, arg) -> str:
        return await workflow.execute_activity_method(activity, arg, **LEDGER)

    async def _release(self) -> None:
        if self.holds_quota:
            await self._quota(QuotaActivities.release_quota, self.input.case_number)
            self.holds_quota = False

    async def _procedure(self) -> None:
        f = self.input.facts
        await self.case.record("submitted", state=State.SUBMITTED, public_note="application_submitted",
                               detail={"quota": [f["year"], self.input.region, f["sector"]],
                                       "foreign_share": f["foreign_share"], "cap_exceeded": f["cap_exceeded"],
                                       # the cap the share was held against: a later change of the rules
                                       # must not rewrite what this case was measured by
                                       "cap_percent": self.input.rules.values["foreign_staff_cap_percent"]})
        reserved = await self._quota(QuotaActivities.reserve_quota,
                                     QuotaRequest(self.input.case_number, f["year"], self.input.region, f["sector"]))
        if reserved != "reserved":
            # The applicant is told which: none allocated (no act, or a size of 0) is not the same news
            # as a quota others have used up. The same commands either way: replay-safe.
            ground = "quota_not_allocated" if reserved == "no_quota" else "quota_exhausted"
            await self.case.record("quota_refused", state=State.REJECTED, awaiting="", deadline=None,
                                   notify_applicant=True, detail={"quota": reserved},
                                   public_note=ground, note_params={"year": str(f["year"])})
            await self.papers.letter(REFUSAL_LETTER, "reject", ground, "")
            return
        self.holds_quota = True
        await self.case.record("quota_reserved", state=State.UNDER_REVIEW, public_note="quota_reserved")
        review = await self.steps.decide_within(REVIEW, "review", {
            "issue": T(None, "application_approved"),
            "reject": T(State.REJECTED, "application_rejected_on_ground", with_reason=True, notify=True,
                        letter=REFUSAL_LETTER, data_params=("ground",))},
            check=self._check_cap)
        if review.outcome == "reject":
            await self._release()
            return
        await self._quota(QuotaActivities.consume_quota, self.input.case_number)
        first = await self.papers.issue("WPT", "first_permit")
        await self.case.record("first_permit_issued", state=State.ISSUED_60D, awaiting="", deadline=None,
                               public_note="first_permit_issued", notify_applicant=True)
        if not await self._runs_until_end("first_permit", "first_permit", ()):
            return
        await self.papers.issue("WPL", "permit", replaces=first)
        await self.case.record("permit_issued", state=State.ACTIVE_360D, public_note="permit_360_issued",
                               notify_applicant=True)
        if await self._runs_until_end("permit", "permit", ("renewal_reminder",)):
            await self._release()
            await self.case.record("permit_expired", state=State.EXPIRED, awaiting="", deadline=None,
                                   public_note="work_permit_expired", notify_applicant=True)
            await self.papers.set_status("expired", "expiry")

    async def _runs_until_end(self, name: str, period: str, reminders: tuple[str, ...]) -> bool:
        """True when the permit ran its time; False if a supervisor cancelled it first."""
        validity = self.steps.clock(name, period, lapses=True, reminders=reminders,
                                    reminder_note="work_permit_renewal_reminder")
        cancelled = await self.steps.decide_any([(CANCELLATION, None)], CANCEL, lapse=validity)
        await self.steps.stop(validity)
        if cancelled is not None:
            await self._release()
            return False
        return True

    def _check_cap(self, d: DecisionInput) -> None:
        problem = cap_problem(self.input.facts, self.input.rules.values["foreign_staff_cap_percent"])
        if d.outcome == "issue" and problem:
            said = problem[1]
            raise InvalidDecision(f"foreign staff would be {said['share']}% of the headcount, over the {said['cap']}% "
                                  "cap, and the multiple state fee is not paid", "cap_needs_multiple_fee",
                                  share=said["share"], cap=said["cap"])
