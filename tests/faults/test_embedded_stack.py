"""`aryz run` as a person runs it: one command starts everything, Ctrl-C stops every process,
and the next run finds the case where it was."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import psutil

from tests.factories import refugee_application


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(var: Path, http_port: int, temporal_port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARYZ_")}
    env.update(ARYZ_VAR_DIR=str(var), ARYZ_HTTP_PORT=str(http_port), ARYZ_EMBEDDED_TEMPORAL_PORT=str(temporal_port),
               ARYZ_DEMO_PASSWORD="stack-test")
    return subprocess.Popen([sys.executable, "-m", "cli", "run"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def wait_ready(url: str, proc: subprocess.Popen, timeout: float = 90) -> float:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        assert proc.poll() is None, proc.stdout.read()
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return time.monotonic() - t0
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("aryz run did not become ready")


def kill_worker(proc: subprocess.Popen) -> None:
    worker = next(c for c in psutil.Process(proc.pid).children(recursive=True)
                  if c.cmdline()[-2:] == ["cli", "worker"])
    worker.send_signal(signal.SIGKILL)
    worker.wait(10)


def stop(proc: subprocess.Popen) -> list[int]:
    children = [c.pid for c in psutil.Process(proc.pid).children(recursive=True)]
    proc.send_signal(signal.SIGINT)
    assert proc.wait(60) == 0
    return children


def test_one_command_runs_everything_and_ctrl_c_stops_it_all(tmp_path):
    var = tmp_path / "var"
    http_port, temporal_port = free_port(), free_port()
    url = f"http://127.0.0.1:{http_port}"
    proc = start(var, http_port, temporal_port)
    try:
        startup = wait_ready(url, proc)
        print(f"embedded stack ready in {startup:.1f}s")
        r = httpx.post(f"{url}/api/v1/applications/refugee", json=refugee_application(), timeout=30)
        assert r.status_code == 201
        case = r.json()
        token = httpx.post(f"{url}/api/v1/auth/token", data={"username": "registrar", "password": "stack-test"}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        for _ in range(100):
            tasks = httpx.get(f"{url}/api/v1/tasks", headers=headers).json()
            if any(t["case_number"] == case["case_number"] for t in tasks):
                break
            time.sleep(0.1)
        # A worker killed outright is restarted by `aryz run`, and the decision still goes through.
        kill_worker(proc)
        decided = httpx.post(f"{url}/api/v1/cases/{case['case_number']}/decisions", headers=headers,
                             json={"step": "registration", "outcome": "register"}, timeout=60)
        for _ in range(60):  # while the worker comes back the outcome may be "unknown": follow it up
            if decided.status_code != 202:
                break
            time.sleep(0.5)
            decided = httpx.get(f"{url}{decided.json()['check']}", headers=headers, timeout=30)
        assert decided.status_code == 200 and decided.json()["state"] == "REGISTERED", decided.text
    finally:
        children = stop(proc) if proc.poll() is None else []
    assert "worker-1 exited (-9); restarting" in proc.stdout.read()
    # Every line every part wrote is one JSON object (the SDK core's warnings and tracebacks too).
    for log in sorted((var / "log").glob("*.log")):
        for n, line in enumerate(log.read_text().splitlines(), start=1):
            assert isinstance(json.loads(line), dict), f"{log.name}:{n} is not JSON: {line[:200]}"
    time.sleep(1)
    assert children and not [pid for pid in children if psutil.pid_exists(pid)
                             and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
    # The PostgreSQL server was stopped too.
    assert not any("postgres" in (p.info["name"] or "") and str(var) in " ".join(p.info["cmdline"] or [])
                   for p in psutil.process_iter(["name", "cmdline"]))

    # Keys rotated as documented: the next run writes with the new ones, and the tools beside it read
    # the same (old entries and histories still verify and replay with the old keys kept after them).
    for kind in ("payload", "audit", "data", "message", "document"):
        code, out = auditor(var, temporal_port, "keys", kind, "--rotate")
        assert code == 0 and "now in use" in out, out
    proc = start(var, http_port, temporal_port)
    try:
        wait_ready(url, proc)
        status = httpx.get(f"{url}/api/v1/cases/{case['case_number']}/status",
                           headers={"X-Access-Code": case["access_code"]}).json()
        assert status["state"] == "REGISTERED"
        assert status["awaiting"] == "case_officer: Invite the applicant and record the interview"
        # Written with the new keys: a decision (a payload, a sealed row, an audit entry).
        officer = httpx.post(f"{url}/api/v1/auth/token", data={"username": "case_officer", "password": "stack-test"})
        at = (datetime.now(timezone.utc) + timedelta(days=2)).isoformat()
        decided = httpx.post(f"{url}/api/v1/cases/{case['case_number']}/decisions", timeout=60,
                             headers={"Authorization": f"Bearer {officer.json()['access_token']}"},
                             json={"step": "interview", "outcome": "schedule_interview",
                                   "data": {"interview_at": at, "place": "Bishkek, room 4"}})
        assert decided.status_code == 200, decided.text
        assert httpx.get(f"{url}/readyz").json()["keys"] == "ok"
        # The auditors' commands work next to it with no environment but where var/ is.
        for command in (["audit", "checkpoint"], ["audit", "verify"], ["replay", "--all-open"], ["reconcile"]):
            code, out = auditor(var, temporal_port, *command)
            assert code == 0, out
        assert "audit log intact" in auditor(var, temporal_port, "audit", "verify")[1]
    finally:
        stop(proc)


def auditor(var: Path, temporal_port: int, *args: str) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARYZ_")}
    env.update(ARYZ_VAR_DIR=str(var), ARYZ_EMBEDDED_TEMPORAL_PORT=str(temporal_port))
    done = subprocess.run([sys.executable, "-m", "cli", *args], env=env, capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout + done.stderr
