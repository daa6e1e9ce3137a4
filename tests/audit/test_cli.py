"""The auditors' commands as run from a shell: aryz replay and aryz audit verify."""

import asyncio
import os
import sys
from pathlib import Path

from tests.api.helpers import submit, wait_task
from tests.conftest import AUDIT_KEYS_SPEC, PAYLOAD_KEYS, SIGNER

ROOT = Path(__file__).resolve().parents[2]


async def aryz(*args: str, **env: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cli", *args, cwd=ROOT, env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(proc.communicate(), 120)
    return proc.returncode, out.decode()


async def test_replay_of_the_recorded_histories_from_the_shell():
    code, out = await aryz("replay", "--dir", "tests/histories", ARYZ_PAYLOAD_KEYS=PAYLOAD_KEYS,
                           ARYZ_MESSAGE_PUBLIC_KEYS=SIGNER.public_spec())
    assert code == 0, out
    assert "0 diverge" in out and out.count("\nok ") + out.startswith("ok ") >= 30


async def test_replay_all_open_cases_before_a_deploy(api, tokens, dev_env):
    case = await submit(api)
    await wait_task(api, tokens, case["case_number"], "registration", "registrar")
    code, out = await aryz("replay", "--all-open", ARYZ_PAYLOAD_KEYS=PAYLOAD_KEYS,
                           ARYZ_MESSAGE_PUBLIC_KEYS=SIGNER.public_spec(),
                           ARYZ_TEMPORAL_ADDRESS=dev_env.client.service_client.config.target_host)
    assert code == 0, out
    assert case["case_number"] in out and "0 diverge" in out


async def test_audit_checkpoint_and_verify_from_the_shell(api, database_url_, tmp_path):
    await submit(api)
    env = {"ARYZ_DATABASE_URL": database_url_, "ARYZ_AUDIT_KEYS": AUDIT_KEYS_SPEC,
           "ARYZ_AUDIT_CHECKPOINT_DIR": str(tmp_path)}
    code, out = await aryz("audit", "checkpoint", **env)
    assert code == 0 and "checkpoint: entry" in out, out
    code, out = await aryz("audit", "verify", **env)
    assert code == 0 and "audit log intact" in out and "1 checkpoint(s)" in out, out
