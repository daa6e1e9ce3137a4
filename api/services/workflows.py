"""Starting case workflows and talking to them."""

import enum
import logging
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from db.models import Case
from db.repositories.cases import mark_workflow_started, workflow_pending
from db.sealing import Sealer, session_sealer
from rules import procedure_rules
from schemas.messages import CaseInput
from schemas.procedures import PROCEDURES

log = logging.getLogger(__name__)


def case_input(case: Case, lodged_at: datetime, sealer: Sealer) -> CaseInput:
    procedure = PROCEDURES[case.procedure]
    application = procedure.application.model_validate(sealer.open_application(case.case_number, case.application))
    return CaseInput(case_number=case.case_number, procedure=case.procedure, lodged_at=lodged_at,
                     region=case.region, rules=procedure_rules(case.procedure),
                     facts=procedure.facts(application, lodged_at.date()))


class StartOutcome(enum.Enum):
    """What asking Temporal to start a case's workflow came to."""
    STARTED = "started"
    ALREADY_STARTED = "already_started"
    UNREACHABLE = "unreachable"
    UNREADABLE = "unreadable"  # the stored application cannot be made into the workflow's input


REACHED = (StartOutcome.STARTED, StartOutcome.ALREADY_STARTED)


async def ensure_started(client: Client, case: Case, task_queue: str, sealer: Sealer) -> StartOutcome:
    """Start the case's workflow unless it runs or ran already (workflow ID = case number, so a
    case can never get a second workflow)."""
    try:
        start = case_input(case, case.lodged_at, sealer)
    except Exception as err:  # a key or a schema the stored case no longer matches: for an operator
        log.error("cannot make the workflow input of %s: %s", case.case_number, type(err).__name__)
        return StartOutcome.UNREADABLE
    try:
        await client.start_workflow(
            PROCEDURES[case.procedure].workflow, start, id=case.case_number,
            task_queue=task_queue, id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE)
    except WorkflowAlreadyStartedError:
        return StartOutcome.ALREADY_STARTED
    except Exception as err:  # Temporal down: the case is stored; the sweep starts it later
        log.warning("could not start workflow for %s yet: %s", case.case_number, type(err).__name__)
        return StartOutcome.UNREACHABLE
    return StartOutcome.STARTED


async def start_submitted(session: AsyncSession, client: Client, case: Case, task_queue: str) -> None:
    """Start the workflow of a case just submitted (and committed) and note that it has one. The
    submission has succeeded whatever happens here: the sweep starts or notes what this could not."""
    if case.workflow_started:  # a replayed submission
        return
    if await ensure_started(client, case, task_queue, session_sealer(session)) not in REACHED:
        return
    try:
        await mark_workflow_started(session, [case.case_number])
        await session.commit()
    except SQLAlchemyError as err:
        log.warning("could not note the workflow of %s as started: %s", case.case_number, type(err).__name__)


async def start_pending_workflows(sessions: async_sessionmaker, client: Client, task_queue: str,
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
        reached, unreachable = [], False
        for case in pending:
            outcome = await ensure_started(client, case, task_queue, sealer)
            if outcome is StartOutcome.UNREACHABLE:
                unreachable = True  # the rest would fail the same way; the next round tries again
                break
            if outcome in REACHED:  # an unreadable case stays for an operator
                reached.append(case.case_number)
            started += outcome is StartOutcome.STARTED
        if reached:
            async with sessions.begin() as session:
                await mark_workflow_started(session, reached)
        if unreachable or len(pending) < page:
            return started
        after = (pending[-1].lodged_at, pending[-1].case_number)
