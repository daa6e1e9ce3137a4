"""Each closed case's history is copied to PostgreSQL and served from there once Temporal forgets it."""

import asyncio

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DeleteWorkflowExecutionRequest
from temporalio.client import WorkflowHistory
from temporalio.service import RPCError

from api.services.archive import archive_closed_histories
from db.models import CaseHistoryArchive
from tests.api.helpers import decide, submit


async def test_a_closed_case_is_archived_once_and_exported_from_the_archive(api, tokens, sessions, dev_env):
    case = await submit(api)
    n = case["case_number"]
    await decide(api, tokens, n, "registration", "refuse_registration", "registrar", "Refused before.",
                 {"ground": "earlier_refusal_without_new_circumstances"})
    done = await decide(api, tokens, n, "registration_refusal_signoff", "confirm_refusal", "supervisor")
    assert done["state"] == "REGISTRATION_REFUSED"
    await dev_env.client.get_workflow_handle(n).result()
    assert await archive_closed_histories(sessions, dev_env.client, limit=1000) >= 1
    assert await archive_closed_histories(sessions, dev_env.client, limit=1000) == 0  # once
    async with sessions() as s:
        row = await s.get(CaseHistoryArchive, n)
    assert row is not None and row.events > 10
    # Temporal past its retention: the workflow is gone, the archive answers.
    await dev_env.client.workflow_service.delete_workflow_execution(DeleteWorkflowExecutionRequest(
        namespace=dev_env.client.namespace, workflow_execution=WorkflowExecution(workflow_id=n)))
    for _ in range(100):  # deletion is asynchronous in the server
        try:
            await dev_env.client.get_workflow_handle(n).describe()
        except RPCError:
            break
        await asyncio.sleep(0.1)
    auditor = await tokens("auditor")
    exported = await api.get(f"/api/v1/cases/{n}/history/export", headers=auditor)
    assert exported.status_code == 200
    assert WorkflowHistory.from_json(n, exported.text).events == WorkflowHistory.from_json(n, row.history_json).events
    replayed = await api.post(f"/api/v1/cases/{n}/replay", headers=auditor)
    assert replayed.json()["reproduced"] is True
