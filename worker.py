"""Builds the Temporal worker from workflows/ and activities/."""

import asyncio
import logging
import signal
from datetime import timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.documents import DocumentActivities
from activities.notifications import NotificationRelay
from activities.payments import PaymentActivities
from activities.quota import QuotaActivities
from activities.read_model import ReadModelActivities
from activities.reconciler import Reconciler
from activities.sms_receipts import ReceiptListener
from documents.pool import RenderPool
from documents.seal import DocumentSigner
from workflows.agency_permit import AgencyPermitWorkflow
from workflows.kairylman import KairylmanStatusWorkflow
from workflows.refugee import RefugeeRecognitionWorkflow
from workflows.refugee_status import RefugeeStatusWorkflow
from workflows.repatriation import RepatriationReimbursementWorkflow
from workflows.work_permit import WorkPermitWorkflow

WORKFLOWS = [RefugeeRecognitionWorkflow, RefugeeStatusWorkflow, KairylmanStatusWorkflow,
             RepatriationReimbursementWorkflow, WorkPermitWorkflow, AgencyPermitWorkflow]
# Validators verify Ed25519 proofs with `cryptography`, a Rust extension: it must be the host's
# module in the sandbox too (imported afresh there, it aborts the process when it raises).
WORKFLOW_RUNNER = SandboxedWorkflowRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_modules("cryptography"))


def build_worker(client: Client, sessions: async_sessionmaker, task_queue: str, signer: DocumentSigner,
                 public_url: str, renderer: RenderPool | None = None,
                 read_model: ReadModelActivities | None = None) -> Worker:
    read_model = read_model or ReadModelActivities(sessions)
    docs = DocumentActivities(sessions, signer, public_url, renderer)
    pay = PaymentActivities(sessions)
    quota = QuotaActivities(sessions)
    return Worker(client, task_queue=task_queue, workflows=WORKFLOWS, workflow_runner=WORKFLOW_RUNNER,
                  activities=[read_model.record_transition, docs.issue_document, docs.set_document_status,
                              pay.order_payment, pay.settle_payment,
                              quota.reserve_quota, quota.consume_quota, quota.release_quota])


async def check_keys(sessions, held: dict[str, list[str]], meter) -> None:
    """Registers the keys this worker writes with, and names any key in use it lacks (its log, the
    gauge aryz_keys_missing): the cases that need it will fail their workflow tasks until it is given."""
    from db.repositories.keys import missing, register_active

    try:
        async with sessions.begin() as session:
            await register_active(session, held)
            lacking = await missing(session, held)
    except Exception as err:  # the database away: the worker's activities will say so
        logging.getLogger("aryz.worker").warning("could not check the keys in use: %s", type(err).__name__)
        return
    meter.create_gauge("aryz_keys_missing", "Keys in use (that wrote something) this worker does not hold").set(
        len(lacking))
    if lacking:
        logging.getLogger("aryz.worker").error("this worker lacks keys in use: %s; cases that need them cannot "
                                               "move until they are given back", ", ".join(lacking))


async def run_worker() -> None:
    from db.session import make_engine, make_sessionmaker
    from settings import audit_keys, data_sealer, document_signer, get_settings, held_keys
    from stack.proofs import trust_public_keys
    from stack.temporal import connect, telemetry_runtime

    settings = get_settings()
    if not settings.message_public_keys:
        raise RuntimeError("ARYZ_MESSAGE_PUBLIC_KEYS is not set: the worker could not tell who sent a message")
    trust_public_keys(settings.message_public_keys)
    engine = make_engine(settings.database_url)
    runtime = telemetry_runtime(settings.worker_metrics_address)
    client = await connect(settings, runtime=runtime)
    sessions = make_sessionmaker(engine, audit_keys(settings), data_sealer(settings))
    await check_keys(sessions, held_keys(settings), runtime.metric_meter)
    renderer = RenderPool(settings.document_render_processes)
    worker = build_worker(client, sessions, settings.task_queue, document_signer(settings), settings.public_url,
                          renderer)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    meter = runtime.metric_meter
    loops = []
    if (notifications := NotificationRelay.from_settings(settings, sessions, meter)) is not None:
        loops.append(notifications.run(settings.notification_seconds, stop))
        if notifications.sms and notifications.sms.receipts:
            loops.append(ReceiptListener(sessions, notifications.sms).run(stop))
    async with worker:
        logging.getLogger("aryz.worker").info("worker polling %s", settings.task_queue)
        # Started with the worker: the reconciler's queries are answered by workers of the queue.
        reconciler = Reconciler(client, sessions, meter, grace=timedelta(seconds=settings.reconcile_grace_seconds))
        background = asyncio.gather(*loops, reconciler.run(settings.reconcile_seconds, stop))
        await stop.wait()
        await background
    renderer.close(wait=True)
    await engine.dispose()
