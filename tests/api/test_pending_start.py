"""A case stored while Temporal was unreachable gets its workflow from the sweep, exactly once, and a
case whose workflow exists but has recorded nothing yet does not hold the others back."""

import re
import uuid

from sqlalchemy import select, update
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from api.services.applications import submit_application
from api.services.workflows import ensure_started, start_pending_workflows
from db.models import Case
from schemas.procedures import PROCEDURES
from schemas.refugee import RefugeeApplication
from tests.api.helpers import submit, wait_task
from tests.conftest import API_QUEUE, SEALER, SECRET, SIGNER, eventually
from tests.factories import refugee_application


async def _stored(sessions) -> Case:
    """A case submitted while Temporal was away: stored, no workflow."""
    async with sessions.begin() as s:
        app = RefugeeApplication.model_validate(refugee_application())
        return (await submit_application(s, PROCEDURES["refugee"], app, str(uuid.uuid4()), SECRET)).case


async def _started(sessions, case_number: str) -> bool:
    async with sessions() as s:
        return await s.scalar(select(Case.workflow_started).where(Case.case_number == case_number))


async def _runs(client: Client, case_number: str) -> int:
    """How many runs the engine holds under the case's id. Its list (visibility) can lag a start by
    a moment on a busy server (a fresh-clone run read 0 right after the start), while describing
    the workflow cannot: none is 0; otherwise wait until the list shows what was started."""
    try:
        await client.get_workflow_handle(case_number).describe()
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            return 0
        raise

    async def listed() -> int:
        return len([w async for w in client.list_workflows(f"WorkflowId = '{case_number}'")])
    return await eventually(listed, timeout=10)


async def test_the_sweep_starts_a_stored_case_once(api, tokens, sessions, dev_env):
    case = await _stored(sessions)
    unreachable = await Client.connect(dev_env.client.service_client.config.target_host, lazy=True)
    # With Temporal "down" (a client whose calls fail) the case simply waits.
    dead = Client(unreachable.service_client, namespace="no-such-namespace")
    assert await start_pending_workflows(sessions, dead, API_QUEUE, SIGNER) == 0
    assert not await _started(sessions, case.case_number)
    assert await start_pending_workflows(sessions, dev_env.client, API_QUEUE, SIGNER) >= 1
    assert await _started(sessions, case.case_number)
    await wait_task(api, tokens, case.case_number, "registration", "registrar")
    # Running the sweep again (or a second API process doing so) starts nothing twice.
    assert await start_pending_workflows(sessions, dev_env.client, API_QUEUE, SIGNER) == 0
    assert await _runs(dev_env.client, case.case_number) == 1


async def test_a_case_whose_workflow_records_nothing_does_not_block_the_sweep(sessions, dev_env):
    silent, waiting = await _stored(sessions), await _stored(sessions)
    # The older case's workflow exists on a queue no worker polls: it never records a step.
    nobody = f"nobody-polls-{uuid.uuid4().hex[:8]}"
    await ensure_started(dev_env.client, silent, nobody, SEALER, SIGNER)
    try:
        # One case a read: the old sweep (the oldest hundred with no recorded step) would read the silent
        # case every round and never reach the newer one.
        await start_pending_workflows(sessions, dev_env.client, API_QUEUE, SIGNER, page=1)
        assert await _started(sessions, silent.case_number) and await _started(sessions, waiting.case_number)
        assert await _runs(dev_env.client, silent.case_number) == 1
        assert await _runs(dev_env.client, waiting.case_number) == 1
    finally:
        await dev_env.client.get_workflow_handle(silent.case_number).terminate("test over")


async def test_a_case_that_cannot_be_started_is_passed_over(sessions, dev_env, caplog):
    broken, waiting = await _stored(sessions), await _stored(sessions)
    async with sessions.begin() as s:  # as if its data key were gone: the application cannot be opened
        await s.execute(update(Case).where(Case.case_number == broken.case_number).values(
            application={"region": broken.region}))
    try:
        await start_pending_workflows(sessions, dev_env.client, API_QUEUE, SIGNER, page=1)
        assert not await _started(sessions, broken.case_number) and await _started(sessions, waiting.case_number)
        assert await _runs(dev_env.client, broken.case_number) == 0
        assert f"cannot make the workflow input of {broken.case_number}" in caplog.text
    finally:  # later sweeps in this session need not report it again
        async with sessions.begin() as s:
            await s.execute(update(Case).where(Case.case_number == broken.case_number).values(workflow_started=True))


async def test_a_submission_through_the_api_notes_its_workflow(api, sessions):
    case_number = (await submit(api))["case_number"]
    assert await _started(sessions, case_number)


async def _waiting(api) -> float:
    return float(re.search(r"^aryz_cases_without_workflow (\S+)$", (await api.get("/metrics")).text, re.M).group(1))


async def test_operators_see_how_many_cases_wait_for_their_workflow(api, sessions, dev_env):
    before = await _waiting(api)
    case = await _stored(sessions)
    assert await _waiting(api) == before + 1
    await start_pending_workflows(sessions, dev_env.client, API_QUEUE, SIGNER)
    assert await _started(sessions, case.case_number)
    assert await _waiting(api) <= before
