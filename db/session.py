"""Engine and session factory."""

import time

from sqlalchemy import event, exc
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.util import await_only

# Short and explicit: with PostgreSQL away a request learns it within seconds (and says so), never
# waits out a default half-minute pool timeout or a statement that runs forever.
CONNECT_TIMEOUT = 5
POOL_TIMEOUT = 5
STATEMENT_TIMEOUT_MS = 15_000
# A connection back in the pool for less than this is taken again without being checked (HikariCP's
# "alive bypass window", 500 ms there too): it answered a moment ago, and if PostgreSQL went away
# since, its first statement fails as a check would and the pool replaces it all the same. Under
# load that is nearly every checkout, and the check was half the round trips of a status look-up.
RECENTLY_USED_S = 0.5


def make_engine(url: str, **kwargs) -> AsyncEngine:
    kwargs.setdefault("pool_timeout", POOL_TIMEOUT)
    kwargs.setdefault("connect_args", {"timeout": CONNECT_TIMEOUT, "command_timeout": STATEMENT_TIMEOUT_MS / 1000 + 5,
                                       "server_settings": {"statement_timeout": str(STATEMENT_TIMEOUT_MS)}})
    engine = create_async_engine(url, **kwargs)

    @event.listens_for(engine.sync_engine, "do_connect")
    def connect(dialect, _record, cargs, cparams):
        # A missing socket or an unknown host is an OSError from asyncpg; say what it means.
        try:
            return dialect.connect(*cargs, **cparams)
        except OSError as err:
            raise ConnectionError(f"PostgreSQL is not reachable ({type(err).__name__})") from err

    @event.listens_for(engine.sync_engine, "checkin")
    def returned(dbapi_connection, record):
        if dbapi_connection is not None:  # None when the connection was invalidated on its way back
            record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def ping(dbapi_connection, record, _proxy):
        # pool_pre_ping's own ping costs three round trips (BEGIN, a query, ROLLBACK: made for
        # PgBouncer's transaction mode, which aryz does not use) each time a request or an activity
        # takes a connection; this one costs one. A connection PostgreSQL closed (a restart, a
        # terminated backend) fails it, and the pool replaces it before anything else is sent.
        # The record's info is emptied when its connection is replaced, so a new one is checked.
        if time.monotonic() - record.info.get("returned_at", float("-inf")) < RECENTLY_USED_S:
            return
        try:
            await_only(dbapi_connection.driver_connection.fetchval("SELECT 1"))
        except Exception as err:
            raise exc.DisconnectionError(f"PostgreSQL closed this connection ({type(err).__name__})") from err

    return engine


async def read_outside_transaction(session: AsyncSession) -> None:
    """Lets a session that only reads run each statement on its own, without BEGIN and ROLLBACK:
    two round trips fewer on PostgreSQL for reads that need no snapshot across statements (each
    statement of a READ COMMITTED transaction sees its own snapshot anyway). Call it before the
    session's first statement; a session that writes must not use it."""
    if session.in_transaction():
        raise RuntimeError("read_outside_transaction: the session has already begun a transaction")
    await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def make_sessionmaker(engine: AsyncEngine, audit_keys=None, sealer=None) -> async_sessionmaker:
    """Sessions that carry the audit log's HMAC keys (db.repositories.audit.AuditKeys) and the
    data keys (db.sealing.Sealer): whatever appends an audit entry, or stores or reads sealed
    personal data, uses them."""
    return async_sessionmaker(engine, expire_on_commit=False, info={"audit_keys": audit_keys, "sealer": sealer})
