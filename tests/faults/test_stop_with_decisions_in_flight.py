"""`aryz run` stopped with decisions in flight (issue 29, phantom decisions): SIGINT, then SIGKILL of
the whole group, each while eight registrations are being taken. After each restart every case's
records agree with what the engine committed: decided in both, or waiting for its registrar in
both, never decided in the records while the engine still waits (the reconciler's round at the
worker's start withdraws such a decision and the task waits in the inbox again)."""

import asyncio
import os
import signal
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import httpx
import psutil
from temporalio.client import Client

from schemas.messages import RecordedState
from stack.codec import data_converter, parse_keys
from tests.factories import refugee_application
from tests.faults.test_embedded_stack import free_port, wait_ready
from tests.faults.test_supervised_stack import until

CASES = 8


def start(var: Path, http_port: int, temporal_port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ARYZ_")}
    env.update(ARYZ_VAR_DIR=str(var), ARYZ_HTTP_PORT=str(http_port), ARYZ_EMBEDDED_TEMPORAL_PORT=str(temporal_port),
               ARYZ_DEMO_PASSWORD="stack-test", ARYZ_RECONCILE_SECONDS="3", ARYZ_RECONCILE_GRACE_SECONDS="2")
    return subprocess.Popen([sys.executable, "-m", "cli", "run"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)


def token(url: str, user: str) -> dict:
    r = httpx.post(f"{url}/api/v1/auth/token", data={"username": user, "password": "stack-test"}, timeout=30)
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def registrations_open(url: str, headers: dict, numbers: list[str]) -> bool:
    tasks = httpx.get(f"{url}/api/v1/tasks", headers=headers, params={"step": "registration"}, timeout=30).json()
    return set(numbers) <= {t["case_number"] for t in tasks}


async def agree(var: Path, url: str, temporal_port: int, numbers: list[str]) -> list[str]:
    """The cases whose records do not (yet) say what the engine recorded."""
    keys = parse_keys((var / "payload_keys").read_text().strip())
    client = await Client.connect(f"127.0.0.1:{temporal_port}", data_converter=data_converter(keys))
    headers = token(url, "auditor")
    differ = []
    for n in numbers:
        engine = await client.get_workflow_handle(n).query("recorded", result_type=RecordedState)
        case = httpx.get(f"{url}/api/v1/cases/{n}", headers=headers, timeout=30).json()
        seq = max(t["seq"] for t in case["transitions"])
        if case["state"] != engine.state or seq != engine.seq:
            differ.append(f"{n}: records {case['state']}#{seq}, engine {engine.state}#{engine.seq}")
    return differ


def test_records_agree_with_the_engine_after_stops_with_decisions_in_flight(tmp_path):
    var, http_port, temporal_port = tmp_path / "var", free_port(), free_port()
    url = f"http://127.0.0.1:{http_port}"
    all_numbers: list[str] = []
    for how in (signal.SIGINT, signal.SIGKILL):
        proc = start(var, http_port, temporal_port)
        try:
            wait_ready(url, proc)
            numbers = [httpx.post(f"{url}/api/v1/applications/refugee", json=refugee_application(),
                                  headers={"Idempotency-Key": str(uuid.uuid4())}, timeout=30).json()["case_number"]
                       for _ in range(CASES)]
            assert len(set(numbers)) == CASES
            all_numbers += numbers
            registrar = token(url, "registrar")
            until(lambda: registrations_open(url, registrar, numbers), "every registration open")
            answers: list[int] = []

            def send(n: str) -> None:
                try:
                    answers.append(httpx.post(f"{url}/api/v1/cases/{n}/decisions", headers=registrar, timeout=30,
                                              json={"step": "registration", "outcome": "register"}).status_code)
                except httpx.HTTPError:
                    answers.append(0)  # the stack went away under it
            senders = [threading.Thread(target=send, args=(n,)) for n in numbers]
            for sender in senders:
                sender.start()
            until(lambda: answers, "a first decision answered")  # and the others in flight: stop now
        finally:
            if how == signal.SIGINT:
                proc.send_signal(signal.SIGINT)
                proc.wait(60)
            else:  # the whole group at once: aryz run, API, worker, Temporal
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(30)
            for sender in senders:
                sender.join(60)
        print(f"stopped by {how.name}: answers {sorted(answers)}")
        psutil.wait_procs([p for p in psutil.process_iter() if str(var) in " ".join(_cmdline(p))], timeout=30)

    proc = start(var, http_port, temporal_port)
    try:
        wait_ready(url, proc)

        def agreeing():
            return not asyncio.run(agree(var, url, temporal_port, all_numbers))
        try:
            until(agreeing, "every case's records agree with the engine", timeout=180)
        except AssertionError:
            raise AssertionError("\n".join(asyncio.run(agree(var, url, temporal_port, all_numbers)))) from None
        registrar = token(url, "registrar")
        open_now = {t["case_number"] for t in httpx.get(f"{url}/api/v1/tasks", headers=registrar,
                                                         params={"step": "registration"}, timeout=30).json()}
        auditor = token(url, "auditor")
        for n in all_numbers:  # a case still waiting for its registration is in the registrar's inbox
            case = httpx.get(f"{url}/api/v1/cases/{n}", headers=auditor, timeout=30).json()
            assert (case["state"] == "LODGED") == (n in open_now), (n, case["state"])
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(60)


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return []
