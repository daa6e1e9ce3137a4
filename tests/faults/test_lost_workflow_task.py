"""A worker that writes a transition and then dies before its workflow task completes, while the
applicant withdraws: the engine retries the task on another worker, and the read model ends up
saying what the case's history says, each transition once. (A retry that records a different
transition under the same seq supersedes the lost attempt's: tests/activities/test_superseding.py.)"""

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from datetime import timedelta

from sqlalchemy import func, select
from temporalio.client import WorkflowExecutionStatus

from db.models import AuditEntry, SupersededTransition
from tests.conftest import DOCUMENT_SIGNER, PUBLIC_URL, eventually
from tests.workflows.harness import CaseDriver
from worker import build_worker


def stalling_worker(env, database_url: str, queue: str, after: str = "", render: bool = False) -> subprocess.Popen:
    from tests.conftest import AUDIT_KEYS_SPEC, DATA_KEYS_SPEC, DOCUMENT_KEYS_SPEC, PAYLOAD_KEYS, SECRET, SIGNER

    env = dict(os.environ, ARYZ_DATABASE_URL=database_url, ARYZ_SECRET_KEY=SECRET, ARYZ_TASK_QUEUE=queue,
               ARYZ_PAYLOAD_KEYS=PAYLOAD_KEYS, ARYZ_MESSAGE_PUBLIC_KEYS=SIGNER.public_spec(),
               ARYZ_AUDIT_KEYS=AUDIT_KEYS_SPEC, ARYZ_DATA_KEYS=DATA_KEYS_SPEC,
               ARYZ_DOCUMENT_SIGNING_KEYS=DOCUMENT_KEYS_SPEC, ARYZ_TEST_STALL_AFTER=after,
               ARYZ_TEST_STALL_RENDER="1" if render else "",
               ARYZ_TEMPORAL_ADDRESS=env.client.service_client.config.target_host)
    return subprocess.Popen([sys.executable, "-m", "tests.faults.stalling_worker"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)


async def closed(driver: CaseDriver) -> bool:
    return (await driver.handle.describe()).status != WorkflowExecutionStatus.RUNNING


def stalled_at(worker: subprocess.Popen) -> int:
    """The seq the worker stalled after (the SDK's own warnings come on the same stream)."""
    for line in worker.stdout:
        if line.startswith("stalled "):
            return int(line.split()[1])
    raise AssertionError("the stalling worker exited")


async def test_a_reminder_written_by_a_lost_workflow_task_is_kept_once_when_its_retry_repeats_it(
        ts_env, sessions, database_url_):
    """The lost attempt woke for the registration's reminder and recorded it; the applicant
    withdrew meanwhile. The retry replays the timer's wake-up as the lost attempt saw it (the same
    transition under the same seq, at the same workflow time: nothing to supersede), then the
    withdrawal. Were the fingerprint to cover anything that differs between attempts, the
    reminder would be superseded here by itself."""
    queue = f"aryz-lost-{uuid.uuid4().hex[:6]}"
    driver = CaseDriver(ts_env.client, sessions, queue, ts_env)
    first = stalling_worker(ts_env, database_url_, queue, "deadline_reminder")
    skipping = None
    try:
        await driver.lodge()
        task = await driver.wait_task("registration")
        skipping = asyncio.create_task(driver.sleep_until(task.due_at - timedelta(hours=1)))
        seq = await asyncio.wait_for(asyncio.to_thread(stalled_at, first), 60)
        assert (await driver.events())[seq - 1] == "deadline_reminder"  # written, not durable
    finally:
        if skipping is not None:  # no more skipping: the lost task must time out in real time
            skipping.cancel()
            await asyncio.gather(skipping, return_exceptions=True)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    await driver.withdraw("I found protection elsewhere.")
    async with build_worker(ts_env.client, sessions, queue, DOCUMENT_SIGNER, PUBLIC_URL):
        # The lost workflow task times out after 10 s; its retry runs here.
        await eventually(lambda: closed(driver), timeout=60)
    events = await driver.events()
    assert events[seq - 1:] == ["deadline_reminder", "withdrawn"] and (await driver.case()).state == "WITHDRAWN"
    await assert_nothing_superseded(sessions, driver)


async def test_a_lost_workflow_task_retried_on_the_same_path_changes_nothing(dev_env, sessions, database_url_):
    """The lost attempt took a decision and recorded it; the engine hands the decision to the
    retry again, which records the same transition: nothing is superseded, nothing doubled."""
    queue = f"aryz-lost-{uuid.uuid4().hex[:6]}"
    driver = CaseDriver(dev_env.client, sessions, queue)
    first = stalling_worker(dev_env, database_url_, queue, "decided")
    try:
        await driver.lodge()
        await driver.wait_task("registration")
        decision = asyncio.create_task(driver.try_decide("registration", "register", "registrar"))
        seq = await asyncio.wait_for(asyncio.to_thread(stalled_at, first), 30)
        # Written, not durable: the read model says registered while the history has no decision yet.
        assert (await driver.case()).state == "REGISTERED"
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    await driver.withdraw("I found protection elsewhere.")
    async with build_worker(dev_env.client, sessions, queue, DOCUMENT_SIGNER, PUBLIC_URL):
        outcome = await asyncio.wait_for(driver.handle.result(), 60)  # the retried workflow task, 10 s on
        decided = await asyncio.gather(decision, return_exceptions=True)
    assert outcome.state == "WITHDRAWN"
    events = await driver.events()
    assert (await driver.case()).state == "WITHDRAWN" and await driver.open_task_count() == 0
    if not isinstance(decided[0], BaseException):
        # Seen every time here: the retry took the decision again from the same request, then the withdrawal.
        assert events.count("decided") == 1 and events[seq - 1] == "decided"
        assert events[-2:] == ["withdrawn", "documents_status"]
        await assert_nothing_superseded(sessions, driver)
    else:  # the engine dropped the request with the lost task: the retry withdrew under the same seq
        assert "decided" not in events and events[seq - 1] == "withdrawn"
        async with sessions() as s:
            superseded = list(await s.scalars(select(SupersededTransition.record).where(
                SupersededTransition.case_number == driver.case_number)))
        assert [r["event"] for r in superseded] == ["decided"]


async def assert_nothing_superseded(sessions, driver: CaseDriver) -> None:
    async with sessions() as s:
        assert await s.scalar(select(func.count()).select_from(SupersededTransition).where(
            SupersededTransition.case_number == driver.case_number)) == 0
        audit = list(await s.scalars(select(AuditEntry.idempotency_key).where(
            AuditEntry.case_number == driver.case_number, AuditEntry.idempotency_key.like("transition:%"))))
    assert len(audit) == len(set(audit)) == len(await driver.events())  # one audit entry a transition
