import random
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import text

from db.migrate import migrate_async
from db.roles import app_url
from db.session import make_engine
from schemas.procedures import PROCEDURES
from stack.postgres import database_url, ensure_database, start_embedded
from tests.api.conftest import api, tokens  # noqa: F401


async def stoppable_database(data: Path, name: str):
    """A PostgreSQL of the test's own, to stop and start again: (server, owner URL, app URL).

    Its case numbers start at a random point: a fresh database would number its first case
    REF-…-000001 as every other fresh one does, and the dev server that the tests share refuses a
    second workflow under an ID (a case number) it already runs."""
    server = start_embedded(data, cleanup="stop")
    await ensure_database(server, name)
    owner = database_url(server, name)
    await migrate_async(owner)
    engine = make_engine(owner)
    start, year = random.randrange(100_000, 900_000), datetime.now(timezone.utc).year
    async with engine.begin() as db:
        for procedure in PROCEDURES.values():
            for scope in (f"{procedure.case_prefix}-{y}" for y in (year - 1, year, year + 1)):
                await db.execute(text("INSERT INTO number_sequences (scope, last_value) VALUES (:s, :v)"),
                                 {"s": scope, "v": start})
    await engine.dispose()
    return server, owner, app_url(owner)
