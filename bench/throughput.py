"""Throughput: cases driven end to end through the HTTP API against the bare engine.

For each procedure, CASES cases go through its main path (submission, then every decision of an
officer as an HTTP call, CONCURRENCY cases in flight) with the real worker, read model and audit
log. In the same run, on the same Temporal dev server, a bare workflow of the same shape (the
same activities and updates in the same order, as recorded in tests/histories/, doing nothing
else) is driven the same way. Prints cases/s for both, their ratio, and p50/p99 of a decision's
round trip (HTTP call to the Update's answer) against the bare Update's.

    .venv/bin/python -m bench.throughput [CASES] [CONCURRENCY] [procedure ...] [--one-process]

By default each worker (aryz's, the bare one) runs in a process of its own, as in production;
`--one-process` runs the API, both workers and the driver in one interpreter.
"""

import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="aryz-xdg-"))

import httpx  # noqa: E402
from temporalio.client import Client, WorkflowHistory  # noqa: E402
from temporalio.testing import WorkflowEnvironment  # noqa: E402
from temporalio.worker import Worker  # noqa: E402

from api.app import create_app  # noqa: E402
from bench import cpu  # noqa: E402
from bench.bare import BareShape, bare_nop  # noqa: E402
from bench.read_model import AUDIT_KEYS, DATA_KEYS, SECRET, SIGNING_KEY, bench_database  # noqa: E402
from db.repositories.audit import AuditKeys  # noqa: E402
from db.roles import app_url  # noqa: E402
from db.sealing import Sealer  # noqa: E402
from db.session import make_engine, make_sessionmaker  # noqa: E402
from documents.pool import RenderPool  # noqa: E402
from documents.seal import DocumentSigner  # noqa: E402
from settings import Settings  # noqa: E402
from stack.codec import new_key_spec  # noqa: E402
from stack.demo import seed_demo_accounts  # noqa: E402
from stack.proofs import MessageSigner, new_signing_spec  # noqa: E402
from stack.temporal import converter, exit_without_teardown  # noqa: E402
from tests.factories import APPLICATIONS  # noqa: E402
from worker import build_worker  # noqa: E402

HISTORIES = Path(__file__).resolve().parents[1] / "tests" / "histories"
MAIN_PATH = {  # the recorded history with the same shape, and the officers' decisions in order
    "refugee": ("recognition_issues_both_certificates_once", [
        ("registrar", "registration", "register", "", lambda: {}),
        ("case_officer", "interview", "schedule_interview", "",
         lambda: {"interview_at": (datetime.now(timezone.utc) + timedelta(days=3)).isoformat(), "place": "Bishkek"}),
        ("case_officer", "interview", "record_interview", "",
         lambda: {"held_at": datetime.now(timezone.utc).isoformat(), "summary": "Consistent account."}),
        ("case_officer", "verification", "complete_verification", "",
         lambda: {"identity_established": True, "security_checks_done": True}),
        ("case_officer", "conclusion", "recommend_recognition", "Well-founded fear.", lambda: {}),
        ("supervisor", "decision", "recognise", "Agreed.", lambda: {})]),
    "repatriation": ("checked_approved_paid_once_and_closed", [
        ("registrar", "document_check", "documents_ok", "", lambda: {}),
        ("finance_officer", "approval", "approve", "", lambda: {}),
        ("finance_officer", "payment", "confirm_paid", "", lambda: {"bank_reference": f"B-{uuid.uuid4().hex[:8]}"})]),
}


def shape_of(name: str, procedure: str) -> str:
    """'a' per activity and 'u' per update of a recorded main path, up to the first timer that
    fires after its last update (long-lived statuses go on for years after)."""
    # A recognised refugee's case continues as new into the status: its first run is the main path.
    path = next(p for p in (HISTORIES / procedure / f"{name}.json", HISTORIES / procedure / f"{name}.run1.json")
                if p.exists())
    history = WorkflowHistory.from_json(name, path.read_text())
    marks = []
    for event in history.events:
        kind = event.WhichOneof("attributes")
        marks.append({"activity_task_scheduled_event_attributes": "a", "timer_fired_event_attributes": "t",
                      "workflow_execution_update_accepted_event_attributes": "u"}.get(kind, ""))
    text = "".join(marks)
    last = text.rfind("u")
    tail = text[last:].split("t", 1)[0]
    return text[:last].replace("t", "") + tail


async def drive(cases: int, concurrency: int, one_case) -> tuple[float, list[list[float]]]:
    """Cases/s, and each case's decision round trips in the order of its steps."""
    rounds: list[list[float]] = []
    slots = asyncio.Semaphore(concurrency)

    async def run(i):
        async with slots:
            rounds.append(await one_case(i))

    t0 = time.perf_counter()
    await asyncio.gather(*(run(i) for i in range(cases)))
    return cases / (time.perf_counter() - t0), rounds


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def main(cases: int, concurrency: int, procedures: list[str], one_process: bool = False) -> None:
    pg, owner = await bench_database("throughput")
    env = await WorkflowEnvironment.start_local(dev_server_existing_path=str(Path(sys.executable).parent / "temporal"),
                                                dev_server_log_level="error")
    settings = Settings(database_url=app_url(owner), temporal_address="unused", secret_key=SECRET,
                        message_signing_key=SIGNING_KEY, audit_keys=AUDIT_KEYS, data_keys=DATA_KEYS,
                        payload_keys=new_key_spec("p1"), audit_checkpoint_seconds=0, pending_sweep_seconds=0,
                        task_queue="aryz-bench", limit_submissions_per_client="1000000/minute",
                        decision_timeout_seconds=60)
    address = env.client.service_client.config.target_host
    client = await Client.connect(address, data_converter=converter(settings))
    engine = make_engine(settings.database_url, pool_size=20)
    sessions = make_sessionmaker(engine, AuditKeys.from_spec(AUDIT_KEYS), Sealer.from_spec(DATA_KEYS))
    await seed_demo_accounts(sessions, "bench")
    app = create_app(settings, temporal=client)
    async with contextlib.AsyncExitStack() as stack:
        if one_process:
            renderer = RenderPool(settings.document_render_processes)  # as `aryz worker` renders PDFs
            stack.callback(renderer.close)
            await stack.enter_async_context(build_worker(
                client, sessions, "aryz-bench", DocumentSigner.from_spec(new_signing_spec("b1")), "http://127.0.0.1",
                renderer))
            await stack.enter_async_context(Worker(env.client, task_queue="bare", workflows=[BareShape],
                                                   activities=[bare_nop]))
        else:  # as in production: each worker a process of its own, beside the API's
            stack.enter_context(worker_process([sys.executable, "-m", "cli", "worker"], {
                "ARYZ_DATABASE_URL": settings.database_url, "ARYZ_TEMPORAL_ADDRESS": address,
                "ARYZ_TASK_QUEUE": "aryz-bench", "ARYZ_PAYLOAD_KEYS": settings.payload_keys.get_secret_value(),
                "ARYZ_AUDIT_KEYS": AUDIT_KEYS, "ARYZ_DATA_KEYS": DATA_KEYS, "ARYZ_LOG_LEVEL": "WARNING",
                "ARYZ_MESSAGE_PUBLIC_KEYS": MessageSigner.from_spec(SIGNING_KEY).public_spec(),
                "ARYZ_DOCUMENT_SIGNING_KEYS": new_signing_spec("b1"), "ARYZ_PUBLIC_URL": "http://127.0.0.1"}))
            stack.enter_context(worker_process([sys.executable, "-m", "bench.bare", address, "bare"], {}))
        await stack.enter_async_context(app.router.lifespan_context(app))
        http = await stack.enter_async_context(httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                                                 base_url="http://bench", timeout=120))
        tokens = {}
        for user in ("registrar", "case_officer", "supervisor", "commission", "finance_officer"):
            r = await http.post("/api/v1/auth/token", data={"username": user, "password": "bench"})
            tokens[user] = {"Authorization": f"Bearer {r.json()['access_token']}"}
        print(f"{cases} cases per procedure, {concurrency} in flight, on one 2-core machine: "
              + ("API, worker and driver in one process, the bare engine the same way\n" if one_process else
                 "the API and the driver in one process, aryz's worker and the bare worker each in its own\n"))
        for procedure in procedures:
            history, decisions = MAIN_PATH[procedure]
            shape = shape_of(history, procedure)

            async def aryz_case(i):
                body = APPLICATIONS[procedure]()
                if procedure == "repatriation":
                    body["deceased"]["personal_number"] = f"2{uuid.uuid4().int % 10**13:013d}"
                r = await http.post(f"/api/v1/applications/{procedure}", json=body,
                                    headers={"Idempotency-Key": str(uuid.uuid4())})
                number, times = r.json()["case_number"], []
                for i, (who, step, outcome, reason, data) in enumerate(decisions):
                    # The first step opens once the engine has taken the case: the registrar sees it
                    # in the inbox (later steps are open when the previous decision answers).
                    while i == 0 and not (await http.get("/api/v1/tasks", params={"case": number},
                                                         headers=tokens[who])).json():
                        await asyncio.sleep(0.05)
                    t0 = time.perf_counter()
                    d = await http.post(f"/api/v1/cases/{number}/decisions", headers=tokens[who],
                                        json={"step": step, "outcome": outcome, "reason": reason, "data": data()})
                    assert d.status_code == 200, d.text
                    times.append(time.perf_counter() - t0)
                return times

            async def bare_case(i):
                handle = await env.client.start_workflow(BareShape.run, shape, id=f"bare-{uuid.uuid4()}",
                                                         task_queue="bare")
                times = []
                for _ in range(shape.count("u")):
                    t0 = time.perf_counter()
                    await handle.execute_update(BareShape.decide, "step")
                    times.append(time.perf_counter() - t0)
                return times

            await drive(2, 2, aryz_case)  # warm-up
            await drive(2, 2, bare_case)
            before = cpu.snapshot()
            bare_rate, bare_cases = await drive(cases, concurrency, bare_case)
            middle = cpu.snapshot()
            aryz_rate, aryz_cases = await drive(cases, concurrency, aryz_case)
            after = cpu.snapshot()
            aryz_rounds, bare_rounds = [t for c in aryz_cases for t in c], [t for c in bare_cases for t in c]
            print(f"{procedure:13s} shape {shape} ({shape.count('a')} activities, {shape.count('u')} updates)")
            print(f"  cases/s      aryz {aryz_rate:6.2f}   bare {bare_rate:6.2f}   ratio {aryz_rate / bare_rate:.2f}")
            print(f"  decision ms  aryz p50 {statistics.median(aryz_rounds) * 1000:6.0f} p99 "
                  f"{pct(aryz_rounds, 99) * 1000:6.0f}   bare p50 {statistics.median(bare_rounds) * 1000:6.0f} p99 "
                  f"{pct(bare_rounds, 99) * 1000:6.0f}   p99 ratio {pct(aryz_rounds, 99) / pct(bare_rounds, 99):.2f}")
            # Where the tail is: each decision of the path (the bare Update of the same rank alongside).
            for k, (_, step, outcome, _, _) in enumerate(decisions):
                mine, theirs = [c[k] for c in aryz_cases], [c[k] for c in bare_cases]
                print(f"    {step + ': ' + outcome:40s} aryz p50 {statistics.median(mine) * 1000:6.0f} p99 "
                      f"{pct(mine, 99) * 1000:6.0f}   bare p50 {statistics.median(theirs) * 1000:6.0f} p99 "
                      f"{pct(theirs, 99) * 1000:6.0f}")
            for name, used in (("bare", cpu.spent(before, middle)), ("aryz", cpu.spent(middle, after))):
                print(f"  CPU ms a case, {name}: " + ", ".join(f"{part} {seconds * 1000 / cases:.0f}"
                                                            for part, seconds in sorted(used.items())))
    await engine.dispose()
    await env.shutdown()
    pg.cleanup()


@contextlib.contextmanager
def worker_process(command: list[str], env: dict[str, str]):
    process = subprocess.Popen(command, cwd=Path(__file__).resolve().parents[1], env={**os.environ, **env})
    try:
        yield process
    finally:
        process.terminate()
        process.wait(30)


if __name__ == "__main__":
    numbers = [int(a) for a in sys.argv[1:] if a.isdigit()]
    names = [a for a in sys.argv[1:] if not a.isdigit() and not a.startswith("--")] or list(MAIN_PATH)
    asyncio.run(main(*(numbers + [20, 10][len(numbers):]), names, one_process="--one-process" in sys.argv))
    exit_without_teardown(0)
