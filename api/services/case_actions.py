"""Officers' decisions and applicants' requests, delivered to the case's workflow.

A decision is a Temporal Update whose ID is the client's Idempotency-Key (or one derived from the
decision and the task it answers), so a retry after a lost answer gets the first answer, not
"step not open". The wait is bounded: when the engine does not answer in time the outcome is
reported as unknown (202, with where to look), never as failed. Callers commit their database
work before calling here: no connection is held while a workflow answers.
"""

import asyncio
import hashlib
import json
import logging

from temporalio.client import Client, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from api.deps import Staff
from api.errors import ApiError, client_not_connected, engine_unreachable
from db.models import Case
from schemas.messages import DecisionInput, DecisionResult, ExtensionInput, ExtensionResult
from stack.proofs import SIGNAL_TTL, MessageSigner

log = logging.getLogger(__name__)

# Rejections raised by workflow validators (workflows/steps/desk.py) and their HTTP status.
_STATUS = {"StepNotOpen": 409, "Forbidden": 403, "InvalidDecision": 422, "Untrusted": 403}
_GONE = (RPCStatusCode.NOT_FOUND, RPCStatusCode.FAILED_PRECONDITION)


class OutcomeUnknown(ApiError):
    """The engine did not answer in time: the decision may or may not have been taken."""

    def __init__(self, case_number: str, decision_id: str) -> None:
        check = f"/api/v1/cases/{case_number}/decisions/{decision_id}"
        super().__init__(202, "the case engine has not answered yet: this decision may still be taken; "
                              "check its outcome before deciding again", {"Location": check},
                         {"outcome": "unknown", "decision_id": decision_id, "check": check})


def closed_case(case: Case) -> ApiError:
    return ApiError(409, f"case {case.case_number} is closed ({case.state}); nothing on it can be decided",
                    extra={"code": "case_closed_for_decisions", "params": {"state": case.state}})


def _refusal(err: WorkflowUpdateFailedError, case: Case) -> ApiError:
    cause = err.cause
    if isinstance(cause, ApplicationError) and cause.type in _STATUS:
        why = cause.details[0] if cause.details and isinstance(cause.details[0], dict) else {}
        return ApiError(_STATUS[cause.type], cause.message,
                        extra={"code": why.get("code", cause.type), "params": why.get("params", {}),
                               "kind": cause.type})
    log.error("update on %s failed: %s", case.case_number, type(cause).__name__)
    return ApiError(409, "the case could not take this decision now; reload the case and try again",
                    extra={"code": "not_taken_now"})


def decision_id(case: Case, staff: Staff, decision: DecisionInput, task_id: str, idempotency_key: str | None) -> str:
    """The Update ID: the client's key, or a digest of who decides what on which open task."""
    if idempotency_key:
        return f"key:{hashlib.sha256(f'{staff.username}|{idempotency_key}'.encode()).hexdigest()[:40]}"
    body = json.dumps([case.case_number, staff.username, task_id, decision.step, decision.outcome, decision.reason,
                       decision.data], sort_keys=True, default=str)
    return f"auto:{hashlib.sha256(body.encode()).hexdigest()[:40]}"


async def _update(client: Client, case: Case, name: str, arg, result_type, update_id: str, timeout: float):
    handle = client.get_workflow_handle(case.case_number)
    try:
        return await asyncio.wait_for(handle.execute_update(name, arg, id=update_id, result_type=result_type), timeout)
    except WorkflowUpdateFailedError as err:
        raise _refusal(err, case) from None
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
        raise OutcomeUnknown(case.case_number, update_id) from None
    except RPCError as err:
        if err.status in _GONE:
            raise closed_case(case) from None
        log.warning("update %s on %s: engine error %s", name, case.case_number, err.status)
        raise OutcomeUnknown(case.case_number, update_id) from None
    except RuntimeError as err:
        if not client_not_connected(err):
            raise
        raise engine_unreachable() from None


async def submit_decision(client: Client, signer: MessageSigner, case: Case, staff: Staff,
                          decision: DecisionInput, update_id: str, timeout: float = 10.0) -> DecisionResult:
    signer.attach("decide", case.case_number, staff.username, staff.roles, decision, mission=staff.mission or "")
    return await _update(client, case, "decide", decision, DecisionResult, update_id, timeout)


async def decision_outcome(client: Client, case: Case, update_id: str, wait: float = 5.0) -> DecisionResult:
    """The outcome of a decision sent before (by its ID): its result, its refusal, 404 if it never
    reached the case, or still unknown (202)."""
    handle = client.get_workflow_handle(case.case_number).get_update_handle(update_id, result_type=DecisionResult)
    try:
        return await asyncio.wait_for(handle.result(), wait)
    except WorkflowUpdateFailedError as err:
        raise _refusal(err, case) from None
    except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
        raise OutcomeUnknown(case.case_number, update_id) from None
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise ApiError(404, "this decision never reached the case: it was not taken",
                           extra={"code": "never_reached"}) from None
        raise OutcomeUnknown(case.case_number, update_id) from None


async def extend_deadline(client: Client, signer: MessageSigner, case: Case, staff: Staff,
                          extension: ExtensionInput, update_id: str, timeout: float = 10.0) -> ExtensionResult:
    signer.attach("extend_deadline", case.case_number, staff.username, staff.roles, extension)
    return await _update(client, case, "extend_deadline", extension, ExtensionResult, update_id, timeout)


async def signal_case(client: Client, signer: MessageSigner, case: Case, signal: str, arg) -> None:
    """An applicant's message, sent once their access code has been checked."""
    signer.attach(signal, case.case_number, "applicant", ["applicant"], arg, ttl=SIGNAL_TTL)
    try:
        await client.get_workflow_handle(case.case_number).signal(signal, arg)
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise ApiError(409, f"case {case.case_number} is closed ({case.state})",
                           extra={"code": "case_closed_for_decisions", "params": {"state": case.state}}) from None
        raise engine_unreachable() from None
