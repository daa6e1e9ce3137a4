"""Schemathesis generates requests from the OpenAPI schema, valid and not, against a live aryz
on 127.0.0.1: no request may produce a server error, every status code sent is one the schema
documents for that operation, and every body sent matches its documented schema (every refusal
with its `code`, the 422's `errors` included). Bounded in examples and time."""

import asyncio
import sys
from pathlib import Path

import httpx

from tests.conftest import PASSWORD

EXAMPLES = 25


async def test_the_api_answers_as_its_schema_documents(live_url, tmp_path: Path):
    async with httpx.AsyncClient(base_url=live_url) as client:
        token = (await client.post("/api/v1/auth/token", data={"username": "senior", "password": PASSWORD})).json()
    st = Path(sys.executable).parent / "st"
    proc = await asyncio.create_subprocess_exec(
        str(st), "run", f"{live_url}/openapi.json",
        "--checks", "not_a_server_error,status_code_conformance,response_schema_conformance",
        "--max-examples", str(EXAMPLES),
        # Signing out revokes the token the whole run uses: the staff operations would all answer 401.
        "--exclude-path", "/api/v1/auth/revoke", "--request-timeout", "20", "--seed", "20261122",
        "-H", f"Authorization: Bearer {token['access_token']}", "--no-color",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, cwd=tmp_path)
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), timeout=300)
    except TimeoutError:
        proc.kill()
        raise
    report = out.decode(errors="replace")
    assert proc.returncode == 0, report[-20000:]
