"""Hearing from PostgreSQL which cases changed (NOTIFY aryz_case_changed, sent by a trigger: see
migration 0016), on a connection of its own that only listens.

A notice is sent at commit, so whoever hears it can read the change. Notices sent while nobody
listens are lost, not queued: a listener that loses its connection tells its owner so
(`on_lost`), and tells it again once it listens anew (`on_listening`), so that whatever was kept
on the strength of the notices is thrown away in between. A connection that dies without a word
(a cable pulled, not a server stopped) is found by a check every few seconds."""

import asyncio
import logging
from collections.abc import Callable
from contextlib import suppress

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from db.session import CONNECT_TIMEOUT

CHANNEL = "aryz_case_changed"
EVERYTHING = "*"  # a TRUNCATE: every case may have changed
CHECK_EVERY_S = 5.0
CHECK_TIMEOUT_S = 2.0  # so a silent loss is found within seven seconds at most
RETRY_AFTER_S = (0.5, 1, 2, 5)  # then every 5 s for as long as PostgreSQL is away

log = logging.getLogger("aryz.case_changes")


def connect_kwargs(engine: AsyncEngine) -> dict:
    """asyncpg.connect's arguments for the engine's database, as the engine itself connects."""
    _, params = engine.dialect.create_connect_args(engine.url)
    for sqlalchemy_only in ("prepared_statement_cache_size", "prepared_statement_name_func", "async_fallback"):
        params.pop(sqlalchemy_only, None)
    return {**params, "timeout": CONNECT_TIMEOUT}


class CaseChangeListener:
    """Calls `on_change(case_number)` for each case a committed transaction changed ("*" for all),
    `on_listening()` each time it starts listening (after a loss too) and `on_lost()` each time
    it stops. Run `listen_forever()` as a task; cancel it to stop."""

    def __init__(self, connect: Callable, on_change: Callable[[str], None], on_listening: Callable[[], None],
                 on_lost: Callable[[], None]) -> None:
        self._connect = connect
        self._on_change, self._on_listening, self._on_lost = on_change, on_listening, on_lost
        self.connection: asyncpg.Connection | None = None

    @classmethod
    def for_engine(cls, engine: AsyncEngine, **callbacks) -> "CaseChangeListener":
        params = connect_kwargs(engine)
        return cls(lambda: asyncpg.connect(**params), **callbacks)

    async def listen_forever(self) -> None:
        failures = 0
        while True:
            try:
                await self._listen_until_lost()
                failures = 0
            except Exception as err:  # anything at all: the listener must outlive every fault of PostgreSQL's
                log.warning("not hearing of changed cases (%s); trying again", type(err).__name__)
                failures += 1
            finally:
                await self._close()
            await asyncio.sleep(RETRY_AFTER_S[min(failures, len(RETRY_AFTER_S) - 1)])

    async def _listen_until_lost(self) -> None:
        self.connection = await self._connect()
        lost = asyncio.Event()
        self.connection.add_termination_listener(lambda _conn: lost.set())
        await self.connection.add_listener(CHANNEL, self._heard)
        self._on_listening()  # only now: a change committed before LISTEN took effect is never heard
        try:
            while not lost.is_set():
                with suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(lost.wait(), CHECK_EVERY_S)
                if not lost.is_set():
                    await self.connection.fetchval("SELECT 1", timeout=CHECK_TIMEOUT_S)
        finally:
            self._on_lost()

    def _heard(self, _connection, _pid, _channel, case_number: str) -> None:
        self._on_change(case_number)

    async def _close(self) -> None:
        connection, self.connection = self.connection, None
        if connection is not None and not connection.is_closed():
            connection.terminate()
