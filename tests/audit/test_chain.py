"""The audit log's hash chain: altered, deleted or reordered entries are found; the database
refuses updates and deletes outright."""

import uuid
from urllib.parse import parse_qs, urlparse

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from db.migrate import upgrade_async
from db.repositories.audit import append_audit, verify_chain
from db.session import make_engine, make_sessionmaker


@pytest.fixture
async def fresh_log(database_url_):
    """A database of its own, so tampering cannot disturb other tests."""
    name = f"aryz_audit_{uuid.uuid4().hex[:8]}"
    host = parse_qs(urlparse(database_url_).query)["host"][0]
    conn = await asyncpg.connect(host=host, user="postgres", database="postgres")
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    url = database_url_.replace("/aryz_test?", f"/{name}?")
    await upgrade_async(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    async with sessions.begin() as s:
        for i in range(6):
            await append_audit(s, action="case_viewed", actor=f"officer{i}", case_number="REF-2026-000001",
                               detail={"n": i, "note": "просмотр"})
    yield sessions
    await engine.dispose()


async def tamper(sessions, sql: str) -> None:
    async with sessions.begin() as s:
        # Only a superuser can do this (triggers off for the session): exactly what the chain must catch.
        await s.execute(text("SET session_replication_role = replica"))
        await s.execute(text(sql))


async def check(sessions):
    async with sessions() as s:
        return await verify_chain(s)


async def test_an_intact_log_verifies(fresh_log):
    result = await check(fresh_log)
    assert result.ok and result.entries == 6 and result.first_bad is None


async def test_the_database_refuses_updates_and_deletes(fresh_log):
    for sql in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with fresh_log.begin() as s:
                await s.execute(text(sql))
    assert (await check(fresh_log)).ok


async def test_an_altered_entry_is_named(fresh_log):
    await tamper(fresh_log, "UPDATE audit_log SET detail = '{\"n\": 99}' WHERE id = 3")
    result = await check(fresh_log)
    assert not result.ok and result.first_bad == 3 and "content" in result.problem


async def test_a_deleted_entry_is_found_at_the_next_one(fresh_log):
    await tamper(fresh_log, "DELETE FROM audit_log WHERE id = 4")
    result = await check(fresh_log)
    assert not result.ok and result.first_bad == 5


async def test_reordered_entries_are_found(fresh_log):
    await tamper(fresh_log, "UPDATE audit_log SET id = -id WHERE id IN (2, 3)")
    await tamper(fresh_log, "UPDATE audit_log SET id = CASE id WHEN -2 THEN 3 ELSE 2 END WHERE id IN (-2, -3)")
    result = await check(fresh_log)
    assert not result.ok and result.first_bad == 2


async def test_auditors_verify_over_http(api, tokens):
    from tests.api.helpers import submit
    await submit(api)
    r = await api.get("/api/v1/audit/verify", headers=await tokens("auditor"))
    assert r.status_code == 200 and r.json()["ok"] is True and r.json()["entries"] > 0
    assert (await api.get("/api/v1/audit/verify", headers=await tokens("registrar"))).status_code == 403
