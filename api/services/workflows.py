"""Starting case workflows and talking to them."""

import logging
from datetime import datetime

from temporalio.client import Client
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError

from db.models import Case
from db.sealing import Sealer
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


async def ensure_started(client: Client, case: Case, task_queue: str, sealer: Sealer) -> bool:
    """Start the case's workflow unless it runs or ran already (workflow ID = case number, so a
    case can never get a second workflow). False if Temporal could not be reached."""
    try:
        await client.start_workflow(
            PROCEDURES[case.procedure].workflow, case_input(case, case.lodged_at, sealer), id=case.case_number,
            task_queue=task_queue, id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE)
    except WorkflowAlreadyStartedError:
        pass
    except Exception as err:  # Temporal down: the case is stored; the reconciler starts it later
        log.warning("could not start workflow for %s yet: %s", case.case_number, type(err).__name__)
        return False
    return True
