"""Builds the Temporal worker from workflows/ and activities/."""

import asyncio
import logging
import signal

from sqlalchemy.ext.asyncio import async_sessionmaker
from temporalio.client import Client
from temporalio.worker import Worker

from activities.documents import DocumentActivities
from activities.payments import PaymentActivities
from activities.quota import QuotaActivities
from activities.read_model import ReadModelActivities
from workflows.agency_permit import AgencyPermitWorkflow
from workflows.kairylman import KairylmanStatusWorkflow
from workflows.refugee import RefugeeRecognitionWorkflow
from workflows.repatriation import RepatriationReimbursementWorkflow
from workflows.work_permit import WorkPermitWorkflow

WORKFLOWS = [RefugeeRecognitionWorkflow, KairylmanStatusWorkflow, RepatriationReimbursementWorkflow,
             WorkPermitWorkflow, AgencyPermitWorkflow]


def build_worker(client: Client, sessions: async_sessionmaker, task_queue: str) -> Worker:
    read_model = ReadModelActivities(sessions)
    docs = DocumentActivities(sessions)
    pay = PaymentActivities(sessions)
    quota = QuotaActivities(sessions)
    return Worker(client, task_queue=task_queue, workflows=WORKFLOWS,
                  activities=[read_model.record_transition, docs.issue_document, docs.extend_document,
                              pay.order_payment, pay.settle_payment,
                              quota.reserve_quota, quota.consume_quota, quota.release_quota])


async def run_worker() -> None:
    from db.session import make_engine, make_sessionmaker
    from settings import get_settings
    from stack.temporal import connect

    settings = get_settings()
    engine = make_engine(settings.database_url)
    client = await connect(settings)
    worker = build_worker(client, make_sessionmaker(engine), settings.task_queue)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with worker:
        logging.getLogger("aryz.worker").info("worker polling %s", settings.task_queue)
        await stop.wait()
    await engine.dispose()
