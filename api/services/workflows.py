"""Starting case workflows and talking to them."""

import enum
import logging
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from db.models import Case
from db.repositories.audit import append_audit
from db.repositories.cases import mark_workflow_started, workflow_pending
from db.sealing import Sealer, session_sealer
from rules import procedure_rules
from schemas.messages import CaseInput, CaseStart
from schemas.procedures import PROCEDURES
from schemas.proof import TRUSTED, ProofError

log = logging.getLogger(__name__)


def case_start(case: Case, signer) -> CaseStart:
    """The API's word that it starts this case's workflow (in its input and in its memo)."""
    return signer.attach("start", case.case_number, "aryz", [], CaseStart(case.case_number, case.procedure))


def case_input(case: Case, lodged_at: datetime, sealer: Sealer, signer) -> CaseInput:
    procedure = PROCEDURES[case.procedure]
    application = procedure.application.model_validate(sealer.open_application(case.case_number, case.application))
    return CaseInput(case_number=case.case_number, procedure=case.procedure, lodged_at=lodged_at,
                     region=case.region, rules=procedure_rules(case.procedure),
                     facts=procedure.facts(application, lodged_at.date()), start=case_start(case, signer))


async def started_by_aryz(client: Client, case_number: str) -> bool:
    """Whether the workflow under a case number is one aryz started for that case: its memo holds
    the API's signed CaseStart for it (encrypted with the payload keys, so no one without them can
    put one there, and one copied from another case names that case)."""
    try:
        description = await client.get_workflow_handle(case_number).describe()
        start = await description.memo_value(START_MEMO, type_hint=CaseStart)
        proof = start.proof
        TRUSTED.verify(proof, "start", case_number, start, datetime.fromisoformat(proof.issued_at))
    except KeyError:  # no memo of ours
        return False
    except (ProofError, ValueError, TypeError, AttributeError) as err:  # unreadable, or not made by the API
        log.warning("the workflow under %s was not started by aryz (%s)", case_number, type(err).__name__)
        return False
    return True


async def _evict(client: Client, case_number: str) -> None:
    """Ends a workflow someone started under the case number around the API (a squatter), so the
    case's own can start there."""
    handle = client.get_workflow_handle(case_number)
    try:
        await handle.terminate(reason="not started by aryz for this case: the case number was taken around the API")
    except RPCError as err:
        if err.status != RPCStatusCode.NOT_FOUND:  # NOT_FOUND: it has ended already
            raise


class StartOutcome(enum.Enum):
    """What asking Temporal to start a case's workflow came to."""
    STARTED = "started"
    ALREADY_STARTED = "already_started"
    UNREACHABLE = "unreachable"
    UNREADABLE = "unreadable"  # the stored application cannot be made into the workflow's input
    # Someone had started a workflow under the case number around the API; it was ended and the
    # case's own started.
    SQUATTER_EVICTED = "squatter_evicted"


REACHED = (StartOutcome.STARTED, StartOutcome.ALREADY_STARTED, StartOutcome.SQUATTER_EVICTED)
START_MEMO = "aryz_start"


async def ensure_started(client: Client, case: Case, task_queue: str, sealer: Sealer, signer) -> StartOutcome:
    """Start the case's workflow unless aryz started it already (workflow ID = case number, so a
    case can never get a second workflow). A workflow someone else started under the number is
    ended and the case's own started in its place: no applicant is handed a dead case."""
    try:
        start = case_input(case, case.lodged_at, sealer, signer)
    except Exception as err:  # a key or a schema the stored case no longer matches: for an operator
        log.error("cannot make the workflow input of %s: %s", case.case_number, type(err).__name__)
        return StartOutcome.UNREADABLE
    workflow = PROCEDURES[case.procedure].workflow
    try:
        try:
            await client.start_workflow(workflow, start, id=case.case_number, task_queue=task_queue,
                                        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                                        memo={START_MEMO: start.start})
            return StartOutcome.STARTED
        except WorkflowAlreadyStartedError:
            if await started_by_aryz(client, case.case_number):
                return StartOutcome.ALREADY_STARTED
        log.error("case %s: a workflow not started by aryz held its number; ending it", case.case_number)
        await _evict(client, case.case_number)
        await client.start_workflow(workflow, start, id=case.case_number, task_queue=task_queue,
                                    id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
                                    memo={START_MEMO: start.start})
        return StartOutcome.SQUATTER_EVICTED
    except WorkflowAlreadyStartedError:  # another API process started it meanwhile
        return StartOutcome.ALREADY_STARTED
    except Exception as err:  # Temporal down: the case is stored; the sweep starts it later
        log.warning("could not start workflow for %s yet: %s", case.case_number, type(err).__name__)
        return StartOutcome.UNREACHABLE


async def start_submitted(session: AsyncSession, client: Client, case: Case, task_queue: str, signer) -> None:
    """Start the workflow of a case just submitted (and committed) and note that it has one. The
    submission has succeeded whatever happens here: the sweep starts or notes what this could not."""
    if case.workflow_started:  # a replayed submission
        return
    outcome = await ensure_started(client, case, task_queue, session_sealer(session), signer)
    if outcome not in REACHED:
        return
    try:
        await mark_workflow_started(session, [case.case_number])
        if outcome is StartOutcome.SQUATTER_EVICTED:
            await audit_eviction(session, case.case_number)
        await session.commit()
    except SQLAlchemyError as err:
        log.warning("could not note the workflow of %s as started: %s", case.case_number, type(err).__name__)


async def audit_eviction(session: AsyncSession, case_number: str) -> None:
    await append_audit(session, action="squatter_evicted", actor="system", case_number=case_number,
                       idempotency_key=f"squatter:{case_number}",
                       detail={"why": "a workflow not started by aryz held the case number; it was ended and the "
                                      "case's own started"})


async def start_pending_workflows(sessions: async_sessionmaker, client: Client, task_queue: str, signer,
                                  page: int = 100) -> int:
    """Start the workflows of the cases that may have none yet (stored while Temporal was away),
    oldest first, `page` cases a read, and note each one Temporal has now. A round ends at the first
    call Temporal does not answer; a case that cannot be started is passed over, never waited on.
    Returns how many workflows this round started."""
    started, after = 0, None
    while True:
        async with sessions() as session:
            pending = await workflow_pending(session, page, after)
            sealer = session_sealer(session)
        reached, evicted, unreachable = [], [], False
        for case in pending:
            outcome = await ensure_started(client, case, task_queue, sealer, signer)
            if outcome is StartOutcome.UNREACHABLE:
                unreachable = True  # the rest would fail the same way; the next round tries again
                break
            if outcome in REACHED:  # an unreadable case stays for an operator
                reached.append(case.case_number)
            if outcome is StartOutcome.SQUATTER_EVICTED:
                evicted.append(case.case_number)
            started += outcome in (StartOutcome.STARTED, StartOutcome.SQUATTER_EVICTED)
        if reached:
            async with sessions.begin() as session:
                await mark_workflow_started(session, reached)
                for number in evicted:
                    await audit_eviction(session, number)
        if unreachable or len(pending) < page:
            return started
        after = (pending[-1].lodged_at, pending[-1].case_number)
