"""A backup of the embedded stack taken while it runs and restored after a later case (issue 30):
the restored stack has the case from before the backup, in its records and in Temporal, and not the
later one; `aryz audit verify` says BROKEN until `aryz audit restored` sets aside the checkpoints
taken after the backup, then intact, naming what was lost; the records agree with the engine."""

import json
import signal
import uuid

import httpx

from tests.factories import refugee_application
from tests.faults.test_embedded_stack import auditor, free_port, start, stop, wait_ready
from tests.faults.test_supervised_stack import until


def registrar(url: str) -> dict:
    r = httpx.post(f"{url}/api/v1/auth/token", data={"username": "registrar", "password": "stack-test"}, timeout=30)
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def submitted(url: str) -> dict:
    r = httpx.post(f"{url}/api/v1/applications/refugee", json=refugee_application(),
                   headers={"Idempotency-Key": uuid.uuid4().hex}, timeout=30)
    assert r.status_code == 201, r.text
    return r.json()


def test_a_backup_taken_while_it_runs_restores_a_stack_that_verifies(tmp_path):
    var, http_port, temporal_port = tmp_path / "var", free_port(), free_port()
    url = f"http://127.0.0.1:{http_port}"
    proc = start(var, http_port, temporal_port)
    try:
        wait_ready(url, proc)
        kept = submitted(url)
        headers = registrar(url)
        until(lambda: any(t["case_number"] == kept["case_number"] for t in
                          httpx.get(f"{url}/api/v1/tasks", headers=headers, timeout=30).json()), "registration open")
        decided = httpx.post(f"{url}/api/v1/cases/{kept['case_number']}/decisions", headers=headers, timeout=60,
                             json={"step": "registration", "outcome": "register"})
        assert decided.status_code == 200, decided.text
        code, out = auditor(var, temporal_port, "backup", str(tmp_path / "backup"))
        assert code == 0 and "backup of" in out, out
        lost = submitted(url)  # after the backup: lost with the restore
        code, out = auditor(var, temporal_port, "audit", "checkpoint")  # a checkpoint that names it
        assert code == 0, out
    finally:
        stop(proc)
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert {"aryz.dump", "temporal.db", "keys/audit_keys", "keys/payload_keys"} <= set(manifest["files"])

    code, out = auditor(var, temporal_port, "restore", str(tmp_path / "backup"))
    assert code == 0 and "aryz audit restored" in out, out
    code, out = auditor(var, temporal_port, "audit", "verify")
    assert code == 1 and "tail was cut" in out, out  # until the restore is said
    code, out = auditor(var, temporal_port, "audit", "restored")
    assert code == 0 and "set aside" in out, out
    code, out = auditor(var, temporal_port, "audit", "verify")
    assert code == 0 and "audit log intact" in out and "lost with the restore" in out, out

    proc = start(var, http_port, temporal_port)
    try:
        wait_ready(url, proc)
        status = httpx.get(f"{url}/api/v1/cases/{kept['case_number']}/status",
                           headers={"X-Access-Code": kept["access_code"]}, timeout=30)
        assert status.status_code == 200 and status.json()["state"] == "REGISTERED"
        gone = httpx.get(f"{url}/api/v1/cases/{lost['case_number']}/status",
                         headers={"X-Access-Code": lost["access_code"]}, timeout=30)
        assert gone.status_code == 404
        code, out = auditor(var, temporal_port, "reconcile")
        assert code == 0 and "0 reconciled" in out, out
        # The restored stack goes on: the kept case's next step is taken.
        officer = httpx.post(f"{url}/api/v1/auth/token", data={"username": "case_officer", "password": "stack-test"})
        tasks = httpx.get(f"{url}/api/v1/tasks", headers={"Authorization": f"Bearer {officer.json()['access_token']}"},
                          timeout=30).json()
        assert any(t["case_number"] == kept["case_number"] and t["step"] == "interview" for t in tasks)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(60)
