"""The pool's check of a connection it hands out (db/session.py): one round trip, skipped for a
connection that answered within the last half second."""

import asyncio

import pytest
from sqlalchemy import exc, text

from db import session as session_module
from db.session import make_engine

BACKEND = text("SELECT pg_backend_pid()")


@pytest.fixture
async def one_connection(database_url_):
    engine = make_engine(database_url_, pool_size=1, max_overflow=0)
    yield engine
    await engine.dispose()


async def pooled_then_terminated(database_url: str, pool) -> int:
    """Uses the pool's one connection and returns it; then PostgreSQL ends its backend, from outside
    the pool, as an administrator or a restart would. Returns the ended backend's pid."""
    async with pool.connect() as conn:
        pid = await conn.scalar(BACKEND)
    outsider = make_engine(database_url, pool_size=1)
    try:
        async with outsider.connect() as other:
            assert (await other.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})) is True
    finally:
        await outsider.dispose()
    return pid


async def test_a_connection_closed_while_idle_is_replaced_before_it_is_used(database_url_, one_connection,
                                                                          monkeypatch):
    monkeypatch.setattr(session_module, "RECENTLY_USED_S", 0.2)
    first = await pooled_then_terminated(database_url_, one_connection)
    await asyncio.sleep(0.3)
    async with one_connection.connect() as conn:
        assert await conn.scalar(BACKEND) != first  # checked, found closed, replaced: no error seen


async def test_a_connection_used_a_moment_ago_is_not_checked_and_replaced_after_its_first_failure(
        database_url_, one_connection, monkeypatch):
    monkeypatch.setattr(session_module, "RECENTLY_USED_S", 60)  # "a moment ago", however slow this machine is
    first = await pooled_then_terminated(database_url_, one_connection)
    # Within the window the connection goes out unchecked: its first statement meets the closed
    # backend and fails as a disconnection (an API request answers 503, an activity is retried)...
    with pytest.raises(exc.DBAPIError) as failed:
        async with one_connection.connect() as conn:
            await conn.scalar(BACKEND)
    assert failed.value.connection_invalidated
    # ...and the pool has already replaced it.
    async with one_connection.connect() as conn:
        assert await conn.scalar(BACKEND) != first
