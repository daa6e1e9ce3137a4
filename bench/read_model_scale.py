"""The read model at scale: a million cases, a hundred thousand open tasks, through the API.

Bulk-loads CASES cases (5 transitions each) and TASKS open tasks into an embedded PostgreSQL with
COPY (not through workflows), then measures through the real ASGI app in-process, one client at a
time: p50/p99 of the applicant's status look-up, a registrar's and a supervisor's first inbox page,
and a search by part of a name, by document number and by case number; then, at 8 concurrent
clients, status throughput against GET /healthz's in the same run: at a case's first look (read from
PostgreSQL) and when it is looked at again (the answer kept in memory until the case changes,
api/status_cache.py). Prints the query plans.

    .venv/bin/python -m bench.read_model_scale [CASES] [TASKS] [REQUESTS]
"""

import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone

os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="aryz-xdg-"))

import asyncpg  # noqa: E402
import httpx  # noqa: E402
from temporalio.client import Client  # noqa: E402

from api import security  # noqa: E402
from api.app import create_app  # noqa: E402
from bench.read_model import AUDIT_KEYS, DATA_KEYS, SECRET, SIGNING_KEY, bench_database  # noqa: E402
from db.repositories.audit import AuditKeys  # noqa: E402
from db.roles import app_url  # noqa: E402
from db.sealing import Sealer  # noqa: E402
from db.session import make_engine, make_sessionmaker  # noqa: E402
from settings import Settings  # noqa: E402
from stack.demo import seed_demo_accounts  # noqa: E402
from stack.postgres import socket_dir  # noqa: E402

FAMILY = ["Karimov", "Asanov", "Tashiev", "Osmonov", "Zhang", "Nazarov", "Abdyldaev", "Sadykov", "Ismailov",
          "Mamytov", "Toktogulov", "Usenov", "Bekov", "Jumabaev", "Kasymov", "Orozbekov"]
GIVEN = ["Dilnoza", "Bakyt", "Aizada", "Talant", "Wei", "Gulnara", "Nurlan", "Timur", "Aigerim", "Azamat"]
ROLES = ["registrar", "case_officer", "supervisor", "commission", "finance_officer", "legal_officer"]
SEARCH = "/api/v1/cases/search"
APPLICATION = json.dumps({"applicant": {"family_name": "x", "given_names": "y", "date_of_birth": "1990-01-01"},
                          "region": "GB"})


def case_number(i: int) -> str:
    return f"REF-2026-{i:06d}" if i < 1_000_000 else f"REF-{2026 + i // 1_000_000}-{i % 1_000_000:06d}"


async def bulk_load(conn: asyncpg.Connection, n_cases: int, n_tasks: int, picks: dict[int, str]) -> None:
    now = datetime.now(timezone.utc)
    chunk = 50_000
    # Without the triggers that tell the API of each changed case (migration 0016): nothing listens
    # yet, and a million notices in one transaction would only slow the load down.
    await conn.execute("SET session_replication_role = replica")
    for start in range(0, n_cases, chunk):
        cases, transitions = [], []
        for i in range(start, min(start + chunk, n_cases)):
            cn = case_number(i)
            name = f"{FAMILY[i % len(FAMILY)]}{i % 9973} {GIVEN[i % len(GIVEN)]}"
            code_hash = security.hash_code(picks[i], SECRET) if i in picks else "0" * 64
            lodged = now - timedelta(minutes=i % 500_000)
            cases.append((cn, "refugee", "INTERVIEWED", "case_officer: Verify", lodged + timedelta(days=90), 5, "GB",
                          name, f"P{i:08d}", APPLICATION, code_hash, "s" * 32, f"key:{i}", "h" * 64, lodged, lodged, True))
            for seq in range(1, 6):
                transitions.append((cn, seq, lodged + timedelta(seconds=seq), "INTERVIEWED", "decided",
                                    "interview", "record_interview", "case_officer", "case_officer", "",
                                    "interview_held" if seq % 2 else "", "{}"))
        await conn.copy_records_to_table("cases", records=cases, columns=[
            "case_number", "procedure", "state", "awaiting", "deadline", "last_seq", "region", "applicant_name",
            "document_key", "application", "access_code_hash", "access_seed", "dedupe_key", "payload_hash",
            "lodged_at", "updated_at", "workflow_started"])
        await conn.copy_records_to_table("case_transitions", records=transitions, columns=[
            "case_number", "seq", "at", "state", "event", "step", "outcome", "actor", "actor_role", "reason",
            "public_note", "detail"])
        print(f"  loaded {min(start + chunk, n_cases):,} cases", flush=True)
    rng = random.Random(7)
    tasks = []
    for t in range(n_tasks):
        i = rng.randrange(n_cases)
        escalated = now if t % 50 == 0 else None
        tasks.append((f"{case_number(i)}:9:t{t}", case_number(i), "refugee", "verification", ROLES[t % len(ROLES)],
                      "Verify", "task", ["complete_verification"], now + timedelta(hours=t % 2000), now, None,
                      None, None, escalated))
    await conn.copy_records_to_table("tasks", records=tasks, columns=[
        "task_id", "case_number", "procedure", "step", "role", "title", "kind", "outcomes", "due_at", "opened_at",
        "closed_at", "claimed_by", "reminded_at", "escalated_at"])
    await conn.execute("RESET session_replication_role")
    await conn.execute("ANALYZE")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def one_at_a_time(client, requests) -> dict:
    times = []
    for url, headers, *body in requests:  # a body: POSTed as JSON (a search's terms)
        t0 = time.perf_counter()
        r = await (client.post(url, headers=headers, json=body[0]) if body else client.get(url, headers=headers))
        times.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, (url, r.status_code, r.text[:200])
    return {"p50": statistics.median(times), "p99": percentile(times, 99), "n": len(times)}


async def concurrently(client, requests, clients: int = 8) -> float:
    queue = list(requests)

    async def run():
        while queue:
            url, headers, *body = queue.pop()
            r = await (client.post(url, headers=headers, json=body[0]) if body else client.get(url, headers=headers))
            assert r.status_code == 200

    t0 = time.perf_counter()
    await asyncio.gather(*(run() for _ in range(clients)))
    return len(requests) / (time.perf_counter() - t0)


async def plans(conn: asyncpg.Connection, probe_case: str) -> None:
    queries = {
        "status (case by number)": f"SELECT * FROM cases WHERE case_number = '{probe_case}'",
        "status (public timeline)": f"SELECT * FROM case_transitions WHERE case_number = '{probe_case}' "
                                    "AND public_note <> '' ORDER BY seq",
        "registrar inbox, first page": "SELECT * FROM tasks WHERE closed_at IS NULL AND kind = 'task' AND "
                                       "role IN ('registrar') ORDER BY due_at NULLS LAST, opened_at, task_id LIMIT 50",
        "supervisor inbox, escalated": "SELECT * FROM tasks WHERE closed_at IS NULL AND kind = 'task' AND "
                                       "escalated_at IS NOT NULL ORDER BY due_at NULLS LAST, opened_at, task_id LIMIT 50",
        "search by part of a name": "SELECT * FROM cases WHERE procedure IN ('refugee') AND "
                                    "(lower(applicant_name) LIKE '%arimov12%' OR document_key = 'ARIMOV12') "
                                    "ORDER BY deadline NULLS LAST, case_number LIMIT 50",
        "search by document number": "SELECT * FROM cases WHERE procedure IN ('refugee') AND "
                                     "(lower(applicant_name) LIKE '%p00012345%' OR document_key = 'P00012345') LIMIT 50",
        "search by case number": "SELECT * FROM cases WHERE procedure IN ('refugee') AND "
                                 "case_number LIKE 'REF-2026-00012%' ORDER BY deadline NULLS LAST, case_number LIMIT 50",
    }
    for title, sql in queries.items():
        plan = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS OFF, COSTS OFF, TIMING OFF) {sql}")
        print(f"\n-- {title}\n" + "\n".join("   " + r[0] for r in plan))


async def main(n_cases: int, n_tasks: int, n_requests: int) -> None:
    server, owner = await bench_database("scale")
    rng = random.Random(1)
    picks = {i: f"CODE{i:08d}" for i in rng.sample(range(n_cases), min(n_requests, n_cases))}
    conn = await asyncpg.connect(host=socket_dir(server), user="postgres", database="scale")
    t0 = time.perf_counter()
    await bulk_load(conn, n_cases, n_tasks, picks)
    print(f"bulk-loaded {n_cases:,} cases, {5 * n_cases:,} transitions, {n_tasks:,} open tasks "
          f"in {time.perf_counter() - t0:.0f}s")
    engine = make_engine(app_url(owner), pool_size=10)
    sessions = make_sessionmaker(engine, AuditKeys.from_spec(AUDIT_KEYS), Sealer.from_spec(DATA_KEYS))
    await seed_demo_accounts(sessions, "bench")
    temporal = await Client.connect("127.0.0.1:1", lazy=True)  # reads never touch Temporal
    app = create_app(Settings(database_url=app_url(owner), temporal_address="unused", secret_key=SECRET,
                              message_signing_key=SIGNING_KEY, audit_keys=AUDIT_KEYS, data_keys=DATA_KEYS,
                              audit_checkpoint_seconds=0, pending_sweep_seconds=0,
                              limit_access_code_per_client="100000/second", limit_sign_in_per_client="1000/minute",
                              limit_access_code_failures_per_case="100000/second"), temporal=temporal)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
            async def token(user):
                r = await client.post("/api/v1/auth/token", data={"username": user, "password": "bench"})
                return {"Authorization": f"Bearer {r.json()['access_token']}"}
            registrar, supervisor, officer = await token("registrar"), await token("supervisor"), \
                await token("case_officer")
            status = [(f"/api/v1/cases/{case_number(i)}/status", {"X-Access-Code": code}) for i, code in picks.items()]
            names = [f"{FAMILY[i % len(FAMILY)][1:]}{i % 9973}" for i in picks]
            runs = {
                "GET /healthz (floor)": [("/healthz", {})] * n_requests,
                "applicant status": status,
                "registrar inbox, first page": [("/api/v1/tasks", registrar)] * max(n_requests // 3, 20),
                "supervisor inbox, first page": [("/api/v1/tasks", supervisor)] * max(n_requests // 3, 20),
                "search: part of a name": [(SEARCH, officer, {"q": q}) for q in names[: n_requests // 3]],
                "search: document number": [(SEARCH, officer, {"q": f"p{i:08d}"}) for i in list(picks)[: n_requests // 3]],
                "search: case number": [(SEARCH, officer, {"q": case_number(i)}) for i in list(picks)[: n_requests // 3]],
            }
            kept = app.state.status_cache
            while not kept.live:  # the API listening for changed cases (api/status_cache.py)
                await asyncio.sleep(0.05)
            entries, kept.max_entries = kept.max_entries, 0  # first looks: every look-up reads PostgreSQL
            await one_at_a_time(client, runs["GET /healthz (floor)"][:50] + status[:20])  # warm-up
            print(f"\none client at a time ({n_cases:,} cases, {n_tasks:,} open tasks):")
            for title, requests in runs.items():
                r = await one_at_a_time(client, requests)
                print(f"  {title:32s} p50 {r['p50']:7.2f} ms   p99 {r['p99']:7.2f} ms   ({r['n']} requests)")
            healthz = await concurrently(client, runs["GET /healthz (floor)"] * 2)
            first = await concurrently(client, status * 2)
            kept.max_entries = entries
            await one_at_a_time(client, status)  # each case looked at once: its answer kept
            again = await one_at_a_time(client, status)
            print(f"  {'applicant status, again (kept)':32s} p50 {again['p50']:7.2f} ms   p99 {again['p99']:7.2f} ms")
            looked_up = await concurrently(client, status * 2)
            print(f"\n8 concurrent clients, /healthz {healthz:.0f} req/s; status:\n"
                  f"  first looks (read from PostgreSQL) {first:.0f} req/s, ratio {first / healthz:.2f}\n"
                  f"  looked at again (kept in memory)   {looked_up:.0f} req/s, ratio {looked_up / healthz:.2f} "
                  f"({len(kept)} answers kept)")
    await plans(conn, case_number(next(iter(picks))))
    await conn.close()
    await engine.dispose()
    server.cleanup()


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    asyncio.run(main(*(args + [1_000_000, 100_000, 300][len(args):])))
