"""Officers' decisions and applicants' requests, delivered to the case's workflow."""

import logging

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from api.deps import Staff
from api.errors import ApiError
from db.models import Case
from schemas.messages import DecisionInput, DecisionResult, ExtensionInput, ExtensionResult
from stack.proofs import MessageSigner

log = logging.getLogger(__name__)

# Rejections raised by workflow validators (workflows/steps/desk.py) and their HTTP status.
_STATUS = {"StepNotOpen": 409, "Forbidden": 403, "InvalidDecision": 422, "Untrusted": 403}


def _closed(case: Case) -> ApiError:
    return ApiError(409, f"case {case.case_number} is closed ({case.state}); nothing on it can be decided")


async def _update(client: Client, case: Case, name: str, arg, result_type):
    handle = client.get_workflow_handle(case.case_number)
    try:
        return await handle.execute_update(name, arg, result_type=result_type)
    except WorkflowUpdateFailedError as err:
        cause = err.cause
        if isinstance(cause, ApplicationError) and cause.type in _STATUS:
            raise ApiError(_STATUS[cause.type], cause.message) from None
        log.error("update %s on %s failed: %r", name, case.case_number, cause)
        raise ApiError(409, "the case could not take this decision now; reload the case and try again") from None
    except RPCError as err:
        if err.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.FAILED_PRECONDITION):
            raise _closed(case) from None
        raise ApiError(503, "the case engine is not reachable; try again shortly") from None


async def submit_decision(client: Client, signer: MessageSigner, case: Case, staff: Staff,
                          decision: DecisionInput) -> DecisionResult:
    signer.attach("decide", case.case_number, staff.username, staff.roles, decision)
    return await _update(client, case, "decide", decision, DecisionResult)


async def extend_deadline(client: Client, signer: MessageSigner, case: Case, staff: Staff,
                          extension: ExtensionInput) -> ExtensionResult:
    signer.attach("extend_deadline", case.case_number, staff.username, staff.roles, extension)
    return await _update(client, case, "extend_deadline", extension, ExtensionResult)


async def signal_case(client: Client, signer: MessageSigner, case: Case, signal: str, arg) -> None:
    """An applicant's message, sent once their access code has been checked."""
    signer.attach(signal, case.case_number, "applicant", ["applicant"], arg)
    try:
        await client.get_workflow_handle(case.case_number).signal(signal, arg)
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            raise ApiError(409, f"case {case.case_number} is closed ({case.state})") from None
        raise ApiError(503, "the case engine is not reachable; try again shortly") from None
