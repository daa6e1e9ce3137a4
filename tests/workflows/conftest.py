import asyncio
import os
from pathlib import Path

import pytest
from temporalio.client import WorkflowExecutionStatus

from stack.histories import case_runs
from tests.conftest import DOCUMENT_SIGNER, PUBLIC_URL
from tests.workflows.harness import CaseDriver, workflow_task_in_flight
from worker import build_worker

TS_QUEUE = "aryz-time-skipping"


@pytest.fixture(scope="module")
async def ts_worker(ts_env, sessions):
    # One worker per server: on the time-skipping server a task left on a queue that no worker
    # polls would stop the clock for every later test.
    async with build_worker(ts_env.client, sessions, TS_QUEUE, DOCUMENT_SIGNER, PUBLIC_URL):
        yield


HISTORIES = Path(__file__).resolve().parents[1] / "histories"


@pytest.fixture
async def case(ts_env, sessions, ts_worker, request):
    """A driver for one refugee case on the time-skipping server (not lodged yet).
    With ARYZ_RECORD_HISTORIES=1 its history is saved to tests/histories/<procedure>/<test>.json."""
    driver = CaseDriver(ts_env.client, sessions, TS_QUEUE, ts_env)
    yield driver
    if driver.handle is not None:
        # The case's latest run: a refugee's status continues as new at each renewal.
        await terminate_when_idle(ts_env.client.get_workflow_handle(driver.handle.id))
        if os.environ.get("ARYZ_RECORD_HISTORIES") == "1":
            name = request.node.name.removeprefix("test_")
            runs = await case_runs(ts_env.client, driver.handle.id)
            for i, history in enumerate(runs, start=1):  # one file a run, each replayed on its own
                suffix = "" if len(runs) == 1 else f".run{i}"
                (HISTORIES / driver.procedure / f"{name}{suffix}.json").write_text(history.to_json())


async def terminate_when_idle(handle) -> None:
    """Terminate a case left running, once nothing of it is in flight: the time-skipping server
    never unlocks its clock for an activity whose workflow was terminated under it."""
    for _ in range(200):
        desc = await handle.describe()
        if desc.status != WorkflowExecutionStatus.RUNNING:
            return
        raw = desc.raw_description
        if not raw.pending_activities and not raw.HasField("pending_workflow_task") and \
                not await workflow_task_in_flight(handle):
            await handle.terminate("test finished")
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{handle.id} never went idle")

