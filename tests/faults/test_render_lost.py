"""A worker that dies while it renders a certificate (issue 30): the document activity heartbeats,
so the engine notices the lost render by its heartbeat timeout and retries it on another worker,
instead of leaving the decision "unknown" until the minute's start-to-close runs out."""

import asyncio
import signal
import uuid

from temporalio.api.enums.v1 import TimeoutType

from tests.conftest import DOCUMENT_SIGNER, PUBLIC_URL, eventually
from tests.faults.test_lost_workflow_task import stalling_worker
from tests.workflows.harness import CaseDriver
from worker import build_worker


def render_stalled(worker) -> None:
    for line in worker.stdout:
        if line.startswith("stalled render"):
            return
    raise AssertionError("the stalling worker exited")


async def test_a_render_lost_with_its_worker_is_retried_after_the_heartbeat_timeout(dev_env, sessions, database_url_):
    queue = f"aryz-render-{uuid.uuid4().hex[:6]}"
    driver = CaseDriver(dev_env.client, sessions, queue)
    first = stalling_worker(dev_env, database_url_, queue, render=True)
    try:
        await driver.lodge()
        await driver.wait_task("registration")
        decision = asyncio.create_task(driver.try_decide("registration", "register", "registrar"))
        await asyncio.wait_for(asyncio.to_thread(render_stalled, first), 60)  # the certificate's render hangs
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    async with build_worker(dev_env.client, sessions, queue, DOCUMENT_SIGNER, PUBLIC_URL):
        assert (await asyncio.wait_for(decision, 60)).state == "REGISTERED"

        async def issued():
            return [d.doc_type for d in await driver.documents()]
        assert await eventually(issued, timeout=60) == ["AC"]
    # The engine gave up on the lost attempt for its silence, not at the end of its start-to-close:
    # the retry's started event says why its previous attempt failed.
    started = [e.activity_task_started_event_attributes for e in (await driver.handle.fetch_history()).events
               if e.HasField("activity_task_started_event_attributes") and e.activity_task_started_event_attributes
               .attempt > 1]
    assert [s.last_failure.timeout_failure_info.timeout_type for s in started] == [TimeoutType.TIMEOUT_TYPE_HEARTBEAT]
