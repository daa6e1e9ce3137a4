"""The applicant's status look-up over real HTTP: uvicorn serving the app in this process, `wrk`
(a C load generator, `apt-get install wrk`) in another, 8 connections, against GET /healthz in
the same run. Three runs of each: /healthz, first looks (nothing kept: every look-up reads
PostgreSQL) and looks again at unchanged cases (answered from memory, api/status_cache.py), each
over REQUESTS different cases. In process (bench/read_model_scale.py) the client's own work is
counted in; here it is not.

    .venv/bin/python -m bench.status_http [CASES] [REQUESTS] [SECONDS]
"""

import asyncio
import random
import re
import shutil
import sys
import tempfile
from pathlib import Path

import asyncpg
import uvicorn
from temporalio.client import Client

from api.app import create_app
from bench.read_model import AUDIT_KEYS, DATA_KEYS, SECRET, SIGNING_KEY, bench_database
from bench.read_model_scale import bulk_load, case_number
from db.case_changes import EVERYTHING
from db.roles import app_url
from settings import Settings
from stack.postgres import socket_dir

PORT = 8765
ROTATE = """local paths, codes, i = {%s}, {%s}, 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i], {["X-Access-Code"] = codes[i]})
end
"""


async def wrk(url: str, seconds: int, script: Path | None = None) -> float:
    args = ["-t1", "-c8", f"-d{seconds}s", *(["-s", str(script)] if script else []), url]
    run = await asyncio.create_subprocess_exec("wrk", *args, stdout=asyncio.subprocess.PIPE)
    out = (await run.communicate())[0].decode()
    if "Non-2xx" in out:
        raise SystemExit(f"wrk saw refusals:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


async def main(n_cases: int, n_requests: int, seconds: int) -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    server, owner = await bench_database("status_http")
    picks = {i: f"CODE{i:08d}" for i in random.Random(1).sample(range(n_cases), min(n_requests, n_cases))}
    conn = await asyncpg.connect(host=socket_dir(server), user="postgres", database="status_http")
    await bulk_load(conn, n_cases, n_cases // 10, picks)
    await conn.close()
    app = create_app(Settings(database_url=app_url(owner), temporal_address="unused", secret_key=SECRET,
                              message_signing_key=SIGNING_KEY, audit_keys=AUDIT_KEYS, data_keys=DATA_KEYS,
                              audit_checkpoint_seconds=0, pending_sweep_seconds=0,
                              # A window of a second: a moving window keeps each hit of its span, and one
                              # client's thousands a second over a minute would make every hit slower
                              # (production's 60 a minute per client keep the list short).
                              limit_access_code_per_client="100000/second",
                              limit_access_code_failures_per_case="100000/second"),
                     temporal=await Client.connect("127.0.0.1:1", lazy=True))  # a look-up never needs Temporal
    served = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=PORT, log_config=None, access_log=False))
    serving = asyncio.create_task(served.serve())
    kept = app.state.status_cache
    while not (served.started and kept.live):
        await asyncio.sleep(0.05)
    script = Path(tempfile.mkdtemp(prefix="aryz-wrk-")) / "rotate.lua"
    script.write_text(ROTATE % (",".join(f'"/api/v1/cases/{case_number(i)}/status"' for i in picks),
                                ",".join(f'"{code}"' for code in picks.values())))
    base, entries = f"http://127.0.0.1:{PORT}", kept.max_entries
    print(f"{n_cases:,} cases, {len(picks)} looked up in turn, wrk -t1 -c8 for {seconds} s a run:")
    try:
        for _ in range(3):
            healthz = await wrk(f"{base}/healthz", seconds)
            kept.max_entries = 0
            kept.changed(EVERYTHING)
            first = await wrk(base, seconds, script)
            kept.max_entries = entries
            again = await wrk(base, seconds, script)
            print(f"  /healthz {healthz:7.0f} req/s   status: first looks {first:6.0f} ({first / healthz:.2f})   "
                  f"again {again:6.0f} ({again / healthz:.2f}, {len(kept)} kept)")
    finally:
        served.should_exit = True
        await serving
        server.cleanup()


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    asyncio.run(main(*(args + [20_000, 300, 5][len(args):])))
