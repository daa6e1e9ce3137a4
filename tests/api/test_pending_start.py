"""A case stored while Temporal was unreachable gets its workflow from the sweep, exactly once."""

import uuid

from temporalio.client import Client

from api.app import start_pending_workflows
from api.services.applications import submit_application
from schemas.procedures import PROCEDURES
from schemas.refugee import RefugeeApplication
from tests.api.helpers import wait_task
from tests.conftest import API_QUEUE, SECRET
from tests.factories import refugee_application


async def test_the_sweep_starts_a_stored_case_once(api, tokens, sessions, dev_env):
    async with sessions.begin() as s:
        app = RefugeeApplication.model_validate(refugee_application())
        case = (await submit_application(s, PROCEDURES["refugee"], app, str(uuid.uuid4()), SECRET)).case
    unreachable = await Client.connect(dev_env.client.service_client.config.target_host, lazy=True)
    # With Temporal "down" (a client whose calls fail) the case simply waits.
    dead = Client(unreachable.service_client, namespace="no-such-namespace")
    assert await start_pending_workflows(sessions, dead, API_QUEUE) == 0
    assert await start_pending_workflows(sessions, dev_env.client, API_QUEUE) >= 1
    await wait_task(api, tokens, case.case_number, "registration", "registrar")
    # Running the sweep again (or a second API process doing so) starts nothing twice.
    assert await start_pending_workflows(sessions, dev_env.client, API_QUEUE) == 0
    history = await dev_env.client.get_workflow_handle(case.case_number).fetch_history()
    assert history.events[0].event_id == 1
