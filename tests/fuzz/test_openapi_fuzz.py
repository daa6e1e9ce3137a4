"""Schemathesis generates requests from the OpenAPI schema, valid and not, against a live aryz
on 127.0.0.1: no request may produce a server error. Bounded in examples and time."""

import asyncio
import sys
from pathlib import Path

import httpx

from tests.conftest import PASSWORD

EXAMPLES = 25


async def test_no_generated_request_causes_a_server_error(live_url, tmp_path: Path):
    async with httpx.AsyncClient(base_url=live_url) as client:
        token = (await client.post("/api/v1/auth/token", data={"username": "senior", "password": PASSWORD})).json()
    st = Path(sys.executable).parent / "st"
    proc = await asyncio.create_subprocess_exec(
        str(st), "run", f"{live_url}/openapi.json", "--checks", "not_a_server_error",
        "--max-examples", str(EXAMPLES), "--request-timeout", "20", "--seed", "20261122",
        "-H", f"Authorization: Bearer {token['access_token']}", "--no-color",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, cwd=tmp_path)
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), timeout=300)
    except TimeoutError:
        proc.kill()
        raise
    report = out.decode(errors="replace")
    assert proc.returncode == 0, report[-6000:]
