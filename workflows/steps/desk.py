"""DecisionDesk: the human steps open on a case and the rules for deciding them.

Every procedure's `decide` update delegates here: the validator rejects a decision before it
enters history when its proof of origin does not hold (Untrusted → 403), the step is not open
(StepNotOpen → 409), the caller lacks the step's role
or decided a step this one must be independent of (Forbidden → 403), or the outcome, reason or
data do not fit the step (InvalidDecision → 422).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from schemas.messages import DecisionInput, DecisionResult, ExtensionInput
    from schemas.proof import ProofError, Sender
    from schemas.steps import InvalidDecision, StepSpec, barred, check_ahead, check_decision, check_reality
    from workflows.steps.clock import StatutoryClock
    from workflows.steps.guard import MessageGuard

STEP_NOT_OPEN = "StepNotOpen"
FORBIDDEN = "Forbidden"
INVALID = "InvalidDecision"
UNTRUSTED = "Untrusted"


def rejection(kind: str, message: str, code: str = "", **params) -> ApplicationError:
    """A refusal for the API: its kind (→ HTTP status), an English message, and a machine-readable
    `code` with `params` that the API and the pages render in the reader's language."""
    return ApplicationError(message, {"code": code or kind, "params": {k: str(v) for k, v in params.items()}},
                            type=kind, non_retryable=True)


@dataclass
class OpenStep:
    spec: StepSpec
    task_id: str
    clock: StatutoryClock
    decision: DecisionInput | None = None
    recorded: bool = False  # the decision is in the read model
    # A procedure's own check of a decision against the case (raises InvalidDecision).
    check: Callable[[DecisionInput], None] | None = None


class DecisionDesk:
    def __init__(self, guard: MessageGuard, mission: str = "") -> None:
        self.guard = guard
        self.mission = mission  # where the case was lodged, if at a diplomatic mission
        self.open: dict[str, OpenStep] = {}
        self.clocks: dict[str, StatutoryClock] = {}
        self.deciders: dict[str, str] = {}  # step name -> who decided it last

    def sender(self, message_name: str, message) -> Sender:
        try:
            return self.guard.check(message_name, message)
        except ProofError as err:
            raise rejection(UNTRUSTED, str(err), "untrusted") from None

    def validate(self, d: DecisionInput, arriving: bool = False) -> None:
        """`arriving`: in the update's validator, which runs once, as the decision arrives, and is
        not replayed; there alone a moment that should be still to come is checked, so that a
        decision accepted before that check existed replays as it was taken."""
        sender = self.sender("decide", d)
        step = self.open.get(d.step)
        if step is None or step.decision is not None:
            now_open = ", ".join(sorted(self.open)) or "none"
            raise rejection(STEP_NOT_OPEN, f"step '{d.step}' is not open on this case (open: {now_open})",
                            "step_not_open", step=d.step, open=now_open)
        why = barred(step.spec, sender.roles, sender.actor, self.deciders, mission=sender.mission,
                     case_mission=self.mission)
        if why is not None:
            code, params = why
            message = {"wrong_role": f"step '{d.step}' is decided by the role '{step.spec.role}'",
                       "other_mission": f"step '{d.step}' is decided at the mission in {self.mission}"}.get(
                code, f"four eyes: '{sender.actor}' decided '{params.get('other')}' on this case "
                      f"and may not also decide '{d.step}'")
            raise rejection(FORBIDDEN, message, code, **params)
        try:
            d_data = check_decision(step.spec, d.outcome, d.reason, d.data)
            check_reality(step.spec, d.outcome, d_data, workflow.now())
            if arriving:
                check_ahead(step.spec, d.outcome, d_data, workflow.now())
            if step.check is not None:
                step.check(DecisionInput(d.step, d.outcome, d.reason, d_data, d.proof))
        except InvalidDecision as err:
            raise rejection(INVALID, str(err), err.code, **err.params) from None

    async def submit(self, d: DecisionInput, case) -> DecisionResult:
        # Two updates may pass validation in the same workflow task; only the first one counts.
        self.validate(d)
        self.guard.consume(d.proof)
        step = self.open[d.step]
        d.data = check_decision(step.spec, d.outcome, d.reason, d.data)
        step.decision = d
        self.deciders[d.step] = d.actor
        await workflow.wait_condition(lambda: step.recorded)
        await workflow.wait_condition(lambda: case.settled)
        return DecisionResult(case.state, case.awaiting)

    def validate_extension(self, e: ExtensionInput, max_extensions: int) -> datetime:
        """Returns the new due time, or raises why the extension may not be granted."""
        sender = self.sender("extend_deadline", e)
        clock = self.clocks.get(e.clock)
        if clock is None or clock.lapses:
            raise rejection(STEP_NOT_OPEN, f"there is no running deadline '{e.clock}' that can be extended",
                            "no_running_deadline", clock=e.clock)
        if "supervisor" not in sender.roles:
            raise rejection(FORBIDDEN, "only a supervisor may extend a deadline", "wrong_role", step=e.clock,
                            role="supervisor")
        if not e.reason.strip():
            raise rejection(INVALID, "an extension needs a recorded reason", "reason_required")
        if len(clock.extensions) >= max_extensions:
            raise rejection(STEP_NOT_OPEN, f"deadline '{e.clock}' was already extended {len(clock.extensions)} time(s)",
                            "already_extended", clock=e.clock, times=len(clock.extensions))
        try:
            until = clock.calendar.end_of_day(datetime.fromisoformat(e.until).date())
        except ValueError:
            raise rejection(INVALID, f"until must be an ISO date (YYYY-MM-DD), got {e.until!r}", "bad_date",
                            value=e.until) from None
        if until <= clock.due_at:
            raise rejection(INVALID, f"until must be after the current due date {clock.due_at.date().isoformat()}",
                            "not_after_due", due=clock.due_at.date().isoformat())
        if clock.limit is not None and until > clock.limit:
            raise rejection(INVALID, f"deadline '{e.clock}' may not run past {clock.limit.date().isoformat()}",
                            "past_limit", clock=e.clock, limit=clock.limit.date().isoformat())
        return until

    def steps_on(self, clock: StatutoryClock) -> list[OpenStep]:
        return [s for s in self.open.values() if s.clock is clock]
