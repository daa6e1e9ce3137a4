"""Deciding a step as staff: policy, the task it answers, the Update, and the truth about its
outcome (taken, refused, or not known yet)."""

import hashlib
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from api.deps import Staff
from api.errors import ApiError
from api.metrics import DECISIONS
from api.policy import may_supervise
from api.services import workspace
from api.services.case_actions import closed_case, decision_id, decision_outcome, extend_deadline, submit_decision
from api.services.case_reading import case_for_staff
from db.models import Case, CaseTransition
from db.repositories import cases as case_repo
from db.repositories.update_keys import claim_key, message_digest
from schemas.messages import DecisionInput, DecisionResult, ExtensionInput, ExtensionResult
from schemas.procedures import PROCEDURES
from schemas.steps import REASON_MAX
from settings import Settings
from stack.proofs import MessageSigner


async def decide(session: AsyncSession, temporal: Client, signer: MessageSigner, settings: Settings, staff: Staff,
                 case_number: str, decision: DecisionInput, idempotency_key: str | None,
                 take_over: bool = False) -> DecisionResult:
    refuse_long_reason(decision.reason)
    case = await case_for_staff(session, staff, case_number)
    if case.state in PROCEDURES[case.procedure].final:
        raise closed_case(case)
    task = next((t for t in await case_repo.open_tasks(session, case.case_number) if t.step == decision.step), None)
    holder = workspace.taken_over_from(staff, task, take_over) if task is not None else None
    update_id = decision_id(case, staff, decision, task.task_id if task else "", idempotency_key)
    if idempotency_key:
        await _claim(session, update_id, case.case_number, "decide", decision)
    await session.commit()  # no connection is held while the engine answers
    try:
        result = await submit_decision(temporal, signer, case, staff, decision, update_id,
                                       settings.decision_timeout_seconds)
        DECISIONS.labels(case.procedure, "taken").inc()
        if holder is not None:
            await workspace.record_take_over(session, staff, task, holder)
        return result
    except ApiError as err:
        DECISIONS.labels(case.procedure, _outcome_class(err)).inc()
        if err.extra.get("kind") == "StepNotOpen" and not idempotency_key:
            earlier = await _taken_before(session, case.case_number, staff, decision)
            if earlier is not None:
                return earlier
        raise


async def _claim(session: AsyncSession, update_id: str, case_number: str, name: str, message) -> None:
    """The same key with the same message is a retry (the engine answers it once); with another
    message, a mistake the officer must hear of: nothing of the second is taken."""
    if not await claim_key(session, update_id, case_number, message_digest(case_number, name, message)):
        await session.rollback()
        raise ApiError(422, "this Idempotency-Key was already used for a different decision",
                       code="decision_key_reused")


def _outcome_class(err: ApiError) -> str:
    """What a decision that did not answer with its result came to: not known yet (202), the engine
    away (nothing sent), or refused."""
    if err.status_code == 202:
        return "unknown"
    return "not_sent" if err.status_code == 503 else "refused"


def refuse_long_reason(reason: str) -> None:
    """Reasons over the limit are refused with the form kept, never cut: what is recorded as an
    officer's reasons is all of what they wrote."""
    if len(reason) > REASON_MAX:
        raise ApiError(422, f"reason is longer than {REASON_MAX} characters", code="reason_too_long",
                       params={"most": REASON_MAX})


async def _taken_before(session: AsyncSession, case_number: str, staff: Staff,
                        decision: DecisionInput) -> DecisionResult | None:
    """A retry (without a key) of the decision this officer took last on this step: its answer,
    not "step not open"."""
    last = await session.scalar(select(CaseTransition).where(
        CaseTransition.case_number == case_number, CaseTransition.event == "decided",
        CaseTransition.step == decision.step).order_by(CaseTransition.seq.desc()).limit(1))
    if last is None or (last.actor, last.outcome, last.reason) != (staff.username, decision.outcome, decision.reason):
        return None
    case = await session.get(Case, case_number, populate_existing=True)
    await session.commit()
    return DecisionResult(case.state, case.awaiting)


async def outcome(session: AsyncSession, temporal: Client, staff: Staff, case_number: str,
                  update_id: str) -> DecisionResult:
    case = await case_for_staff(session, staff, case_number)
    await session.commit()
    return await decision_outcome(temporal, case, update_id)


async def extend(session: AsyncSession, temporal: Client, signer: MessageSigner, settings: Settings, staff: Staff,
                 case_number: str, extension: ExtensionInput, idempotency_key: str | None) -> ExtensionResult:
    """A supervisor extends a running deadline; the workflow checks the rules' limits."""
    refuse_long_reason(extension.reason)
    if not may_supervise(staff.roles):
        raise ApiError(403, "only a supervisor may extend a deadline",
                       extra={"code": "wrong_role", "params": {"step": extension.clock, "role": "supervisor"}})
    case = await case_for_staff(session, staff, case_number)
    key = idempotency_key or str(uuid.uuid4())
    update_id = f"ext:{hashlib.sha256(f'{staff.username}|{key}'.encode()).hexdigest()[:40]}"
    if idempotency_key:
        await _claim(session, update_id, case.case_number, "extend_deadline", extension)
    await session.commit()  # no connection is held while the engine answers
    return await extend_deadline(temporal, signer, case, staff, extension, update_id,
                                 settings.decision_timeout_seconds)
