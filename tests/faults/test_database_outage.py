"""PostgreSQL stopped while a decision is being recorded: the transition is retried as a local
activity for a few seconds, then as an activity task, whose retries add nothing to the case's
history however long the outage lasts; the decision answers once PostgreSQL is back."""

import asyncio
import uuid

from db.session import make_engine, make_sessionmaker
from stack.postgres import start_embedded
from tests.conftest import AUDIT_KEYS, DOCUMENT_SIGNER, PUBLIC_URL, SEALER, eventually
from tests.faults.conftest import stoppable_database
from tests.workflows.harness import CaseDriver
from worker import build_worker


async def recorded_by_activity_task(driver: CaseDriver) -> list:
    """The history's events from the update's acceptance on, once a transition went to an activity task."""
    events = (await asyncio.wait_for(driver.handle.fetch_history(), 10)).events
    accepted = next((i for i, e in enumerate(events) if e.HasField("workflow_execution_update_accepted_event_attributes")),
                    None)
    scheduled = [e for e in events[accepted or 0:] if e.HasField("activity_task_scheduled_event_attributes")
                 and e.activity_task_scheduled_event_attributes.activity_type.name == "record_transition"]
    return events[accepted:] if accepted is not None and scheduled else []


async def test_a_transition_outlasting_the_local_window_goes_to_an_activity_task(tmp_path, dev_env):
    server, _, url = await stoppable_database(tmp_path / "pg", "aryz_recording")
    engine = make_engine(url)
    sessions = make_sessionmaker(engine, AUDIT_KEYS, SEALER)
    queue = f"aryz-outage-{uuid.uuid4().hex[:6]}"
    driver = CaseDriver(dev_env.client, sessions, queue)
    try:
        async with build_worker(dev_env.client, sessions, queue, DOCUMENT_SIGNER, PUBLIC_URL):
            await driver.lodge()
            await driver.wait_task("registration")
            server.cleanup()  # PostgreSQL stops before the decision is recorded
            decision = asyncio.create_task(driver.try_decide("registration", "register", "registrar"))
            since = await eventually(lambda: recorded_by_activity_task(driver), timeout=60)
            server = start_embedded(tmp_path / "pg", cleanup="stop")
            assert (await decision).state == "REGISTERED"
            # While it was a local activity the worker kept its workflow task alive a bounded number of times.
            completed = [e for e in since if e.HasField("workflow_task_completed_event_attributes")]
            assert len(completed) <= 4, f"{len(completed)} workflow tasks completed while the database was away"
            assert (await driver.events()).count("decided") == 1
    finally:
        await engine.dispose()
        server.cleanup()
