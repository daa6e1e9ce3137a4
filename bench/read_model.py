"""Read-path benchmark: what an applicant's status check and an officer's inbox cost.

Runs against an embedded PostgreSQL with CASES cases (one open task each), through the real
ASGI app in-process (no network). Prints requests per second and mean latency for each route,
and the ratio against GET /healthz measured in the same run (the framework's own floor).

    .venv/bin/python -m bench.read_model [CASES] [REQUESTS]
"""

import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="aryz-xdg-"))

import httpx  # noqa: E402
from temporalio.client import Client  # noqa: E402

from activities.read_model import ReadModelActivities  # noqa: E402
from api.app import create_app  # noqa: E402
from api.services.applications import submit_application  # noqa: E402
from db.migrate import migrate_async  # noqa: E402
from db.repositories.audit import AuditKeys  # noqa: E402
from db.roles import app_url  # noqa: E402
from db.sealing import Sealer  # noqa: E402
from db.session import make_engine, make_sessionmaker  # noqa: E402
from schemas.messages import TaskRecord, TransitionRecord  # noqa: E402
from schemas.procedures import PROCEDURES  # noqa: E402
from schemas.refugee import RefugeeApplication  # noqa: E402
from settings import Settings  # noqa: E402
from stack.demo import seed_demo_accounts  # noqa: E402
from stack.postgres import database_url, ensure_database, start_embedded  # noqa: E402
from tests.factories import refugee_application  # noqa: E402

SECRET = "bench-secret-" + "x" * 32
# Any 32-byte keys: the bench sends no message to a workflow and its database is thrown away.
SIGNING_KEY = AUDIT_KEYS = DATA_KEYS = "b1:YmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmI="


async def bench_database(name: str):
    """A throw-away embedded PostgreSQL with aryz's schema: (server, owner's URL)."""
    server = start_embedded(Path(tempfile.mkdtemp(prefix=f"aryz-{name}-")) / "pg", cleanup="delete")
    await ensure_database(server, name)
    owner = database_url(server, name)
    await migrate_async(owner)
    return server, owner


async def seed(sessions, n: int) -> list[tuple[str, str]]:
    acts = ReadModelActivities(sessions)
    out = []
    now = datetime.now(timezone.utc)
    for i in range(n):
        async with sessions.begin() as s:
            app = RefugeeApplication.model_validate(refugee_application(grounds=f"Bench grounds number {i} ok"))
            sub = await submit_application(s, PROCEDURES["refugee"], app, str(uuid.uuid4()), SECRET)
        cn = sub.case.case_number
        task = TaskRecord(f"{cn}:2:registration", "registration", "registrar", "Register the application",
                          now + timedelta(days=i % 7), ["register"])
        await acts.record_transition(TransitionRecord(cn, 1, now, "LODGED", "lodged", public_note="application_lodged"))
        await acts.record_transition(TransitionRecord(cn, 2, now, "LODGED", "task_opened", open_tasks=[task],
                                                      awaiting="registrar: Register the application"))
        out.append((cn, sub.access_code))
    return out


async def measure(client: httpx.AsyncClient, requests: list[tuple], concurrency: int = 8) -> dict:
    latencies: list[float] = []
    queue = list(requests)

    async def worker():
        while queue:
            url, headers, *body = queue.pop()  # a body: POSTed as JSON (a search's terms)
            t0 = time.perf_counter()
            r = await (client.post(url, headers=headers, json=body[0]) if body else client.get(url, headers=headers))
            latencies.append(time.perf_counter() - t0)
            assert r.status_code == 200, (url, r.status_code, r.text[:200])

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - t0
    return {"rps": len(latencies) / wall, "mean_ms": statistics.mean(latencies) * 1000,
            "p95_ms": sorted(latencies)[int(len(latencies) * 0.95) - 1] * 1000}


async def main(cases: int, n_requests: int) -> None:
    server, url = await bench_database("bench")
    engine = make_engine(app_url(url), pool_size=10)
    sessions = make_sessionmaker(engine, AuditKeys.from_spec(AUDIT_KEYS), Sealer.from_spec(DATA_KEYS))
    await seed_demo_accounts(sessions, "bench")
    t0 = time.perf_counter()
    seeded = await seed(sessions, cases)
    print(f"seeded {cases} cases in {time.perf_counter() - t0:.1f}s")
    temporal = await Client.connect("127.0.0.1:1", lazy=True)  # reads never touch Temporal
    app = create_app(Settings(database_url=app_url(url), temporal_address="unused", secret_key=SECRET,
                              message_signing_key=SIGNING_KEY, audit_keys=AUDIT_KEYS, data_keys=DATA_KEYS,
                              audit_checkpoint_seconds=0, pending_sweep_seconds=0,
                              limit_access_code_per_client="100000/second",
                              limit_access_code_failures_per_case="100000/second"), temporal=temporal)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
            token = (await client.post("/api/v1/auth/token", data={"username": "registrar", "password": "bench"})).json()
            staff = {"Authorization": f"Bearer {token['access_token']}"}
            picks = [seeded[i % len(seeded)] for i in range(n_requests)]
            runs = {
                "GET /healthz (baseline)": [("/healthz", {})] * n_requests,
                "GET /cases/{n}/status": [(f"/api/v1/cases/{cn}/status", {"X-Access-Code": code}) for cn, code in picks],
                "GET /tasks (registrar inbox)": [("/api/v1/tasks", staff)] * max(n_requests // 10, 20),
                "POST /cases/search (search)": [("/api/v1/cases/search", staff, {"q": cn}) for cn, _ in picks[: n_requests // 2]],
            }
            await measure(client, runs["GET /healthz (baseline)"][:50])  # warm up
            results = {name: await measure(client, reqs) for name, reqs in runs.items()}
    base = results["GET /healthz (baseline)"]["mean_ms"]
    print(f"{'route':34} {'req/s':>8} {'mean ms':>8} {'p95 ms':>8} {'x baseline':>10}")
    for name, r in results.items():
        print(f"{name:34} {r['rps']:8.0f} {r['mean_ms']:8.2f} {r['p95_ms']:8.2f} {r['mean_ms'] / base:10.1f}")
    await engine.dispose()
    server.cleanup()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000, int(sys.argv[2]) if len(sys.argv) > 2 else 1000))
