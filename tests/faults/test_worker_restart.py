"""A worker that dies in the middle of a case: a new one finishes it, with nothing done twice."""

import uuid

from sqlalchemy import func, select

from db.models import CaseTransition, IssuedDocumentRow
from tests.conftest import DOCUMENT_SIGNER, PUBLIC_URL
from tests.workflows.harness import CaseDriver, through_to_decision
from worker import build_worker


async def test_a_new_worker_finishes_a_case_the_old_one_started(dev_env, sessions):
    queue = f"aryz-restart-{uuid.uuid4().hex[:6]}"
    driver = CaseDriver(dev_env.client, sessions, queue)
    first = build_worker(dev_env.client, sessions, queue, DOCUMENT_SIGNER, PUBLIC_URL)
    async with first:
        await driver.lodge()
        await through_to_decision(driver)
        await driver.wait_task("decision")
    # The first worker is gone; its workflow cache with it. A fresh worker replays the history.
    second = build_worker(dev_env.client, sessions, queue, DOCUMENT_SIGNER, PUBLIC_URL)
    async with second:
        result = await driver.decide("decision", "recognise", "supervisor", "Agreed.")
        assert result.state == "CERT_ISSUED"
        await driver.wait_state("STATUS_ACTIVE")  # the refugee's status, in the case's next run
    async with sessions() as s:
        seqs = list(await s.scalars(select(CaseTransition.seq).where(CaseTransition.case_number == driver.case_number)
                                    .order_by(CaseTransition.seq)))
        docs = await s.scalar(select(func.count()).select_from(IssuedDocumentRow).where(
            IssuedDocumentRow.case_number == driver.case_number))
    assert seqs == list(range(1, len(seqs) + 1))
    assert docs == 3  # the asylum-seeker certificate, the refugee certificates of the applicant and the child


async def test_a_killed_worker_process_is_replaced_and_the_case_completes(dev_env, sessions, database_url_):
    """SIGKILL a real worker process mid-case; a new process takes over."""
    import asyncio
    import os
    import signal
    import subprocess
    import sys

    from tests.conftest import AUDIT_KEYS_SPEC, DATA_KEYS_SPEC, DOCUMENT_KEYS_SPEC, PAYLOAD_KEYS, SECRET, SIGNER

    queue = f"aryz-kill-{uuid.uuid4().hex[:6]}"
    env = dict(os.environ, ARYZ_DATABASE_URL=database_url_, ARYZ_SECRET_KEY=SECRET, ARYZ_TASK_QUEUE=queue,
               ARYZ_PAYLOAD_KEYS=PAYLOAD_KEYS, ARYZ_MESSAGE_PUBLIC_KEYS=SIGNER.public_spec(),
               ARYZ_AUDIT_KEYS=AUDIT_KEYS_SPEC, ARYZ_DATA_KEYS=DATA_KEYS_SPEC, ARYZ_DOCUMENT_SIGNING_KEYS=DOCUMENT_KEYS_SPEC,
               ARYZ_TEMPORAL_ADDRESS=dev_env.client.service_client.config.target_host)

    def spawn():
        return subprocess.Popen([sys.executable, "-m", "cli", "worker"], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)

    driver = CaseDriver(dev_env.client, sessions, queue)
    worker = spawn()
    try:
        await driver.lodge()
        await driver.decide("registration", "register", "registrar")
        await driver.wait_task("interview")
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
        worker = spawn()
        await through_to_decision_after_registration(driver)
        await driver.decide("decision", "recognise", "supervisor", "Agreed.")
        await asyncio.wait_for(driver.wait_state("STATUS_ACTIVE"), 60)
    finally:
        worker.kill()
        worker.wait(10)
    async with sessions() as s:
        docs = await s.scalar(select(func.count()).select_from(IssuedDocumentRow).where(
            IssuedDocumentRow.case_number == driver.case_number))
    assert docs == 3  # the asylum-seeker certificate, the refugee certificates of the applicant and the child


async def through_to_decision_after_registration(driver: CaseDriver) -> None:
    await driver.decide("interview", "record_interview", "case_officer",
                        data={"held_at": "2026-01-01T10:00:00+06:00", "summary": "Held."})
    await driver.decide("verification", "complete_verification", "case_officer",
                        data={"identity_established": True, "security_checks_done": True})
    await driver.decide("conclusion", "recommend_recognition", "case_officer", "Credible.")
