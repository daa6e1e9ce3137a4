"""Worker memory per open case: the RSS of a real `aryz worker` process with no case, then with
1,000 and 5,000 refugee cases open (each waiting at registration, its timers running). The
worker keeps at most `max_cached_workflows` (1,000 by default) in memory; past that, a case costs
a replay when it next moves, not memory.

    .venv/bin/python -m bench.worker_memory [FIRST] [SECOND]
"""

import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="aryz-xdg-"))

import psutil  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from temporalio.client import Client  # noqa: E402
from temporalio.testing import WorkflowEnvironment  # noqa: E402

from api.services.applications import submit_application  # noqa: E402
from api.services.workflows import case_input  # noqa: E402
from bench.read_model import AUDIT_KEYS, DATA_KEYS, SECRET, SIGNING_KEY, bench_database  # noqa: E402
from db.models import Task  # noqa: E402
from db.repositories.audit import AuditKeys  # noqa: E402
from db.roles import app_url  # noqa: E402
from db.sealing import Sealer  # noqa: E402
from db.session import make_engine, make_sessionmaker  # noqa: E402
from schemas.procedures import PROCEDURES  # noqa: E402
from stack.codec import data_converter, new_key_spec, parse_keys  # noqa: E402
from stack.proofs import MessageSigner  # noqa: E402
from stack.temporal import exit_without_teardown  # noqa: E402
from tests.factories import refugee_application  # noqa: E402

QUEUE = "aryz-memory"


def rss_mb(pid: int) -> float:
    return psutil.Process(pid).memory_info().rss / 2**20


async def open_cases(client: Client, sessions, sealer: Sealer, n: int) -> None:
    proc = PROCEDURES["refugee"]
    slots = asyncio.Semaphore(32)

    async def one(i):
        async with slots:
            async with sessions.begin() as s:
                app = proc.application.model_validate(refugee_application(grounds=f"Memory bench case {i} grounds"))
                case = (await submit_application(s, proc, app, str(uuid.uuid4()), SECRET)).case
            start = case_input(case, case.lodged_at, sealer, MessageSigner.from_spec(SIGNING_KEY))
            await client.start_workflow(proc.workflow, start, id=case.case_number, task_queue=QUEUE)

    await asyncio.gather(*(one(i) for i in range(n)))


async def settled(sessions, n: int, timeout: float = 900) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with sessions() as s:
            if await s.scalar(select(func.count()).select_from(Task).where(Task.closed_at.is_(None))) >= n:
                return
        await asyncio.sleep(1)
    raise RuntimeError(f"{n} cases did not reach registration in {timeout:.0f}s")


async def main(first: int, second: int) -> None:
    pg, owner = await bench_database("memory")
    payload_keys = new_key_spec("p1")
    env = await WorkflowEnvironment.start_local(dev_server_existing_path=str(Path(sys.executable).parent / "temporal"),
                                                dev_server_log_level="error")
    client = await Client.connect(env.client.service_client.config.target_host,
                                  data_converter=data_converter(parse_keys(payload_keys)))
    worker = subprocess.Popen([sys.executable, "-m", "cli", "worker"], cwd=Path(__file__).resolve().parents[1], env={
        **os.environ, "ARYZ_DATABASE_URL": app_url(owner), "ARYZ_TEMPORAL_ADDRESS": env.client.service_client.config.target_host,
        "ARYZ_TASK_QUEUE": QUEUE, "ARYZ_PAYLOAD_KEYS": payload_keys, "ARYZ_AUDIT_KEYS": AUDIT_KEYS,
        "ARYZ_DATA_KEYS": DATA_KEYS, "ARYZ_MESSAGE_PUBLIC_KEYS": MessageSigner.from_spec(SIGNING_KEY).public_spec(),
        "ARYZ_LOG_LEVEL": "WARNING"})
    engine = make_engine(app_url(owner), pool_size=10)
    sessions = make_sessionmaker(engine, AuditKeys.from_spec(AUDIT_KEYS), Sealer.from_spec(DATA_KEYS))
    try:
        await asyncio.sleep(5)
        baseline = rss_mb(worker.pid)
        print(f"worker RSS with no case: {baseline:.0f} MiB")
        opened = 0
        for target in (first, second):
            await open_cases(client, sessions, Sealer.from_spec(DATA_KEYS), target - opened)
            opened = target
            await settled(sessions, target)
            await asyncio.sleep(3)
            now = rss_mb(worker.pid)
            print(f"worker RSS with {target:,} open cases: {now:.0f} MiB "
                  f"({(now - baseline) * 1024 / target:.0f} KiB a case over the empty worker)")
    finally:
        worker.terminate()
        worker.wait(30)
        await engine.dispose()
        await env.shutdown()
        pg.cleanup()


if __name__ == "__main__":
    numbers = [int(a) for a in sys.argv[1:]]
    asyncio.run(main(*(numbers + [1000, 5000][len(numbers):])))
    exit_without_teardown(0)
