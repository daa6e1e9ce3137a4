"""`aryz audit verify`: recompute the audit log's chain against ARYZ_DATABASE_URL."""

from db.repositories.audit import verify_chain
from db.session import make_engine, make_sessionmaker
from settings import get_settings


async def verify_command() -> int:
    settings = get_settings()
    if not settings.database_url:
        print("aryz audit verify: set ARYZ_DATABASE_URL (the embedded one is printed by `aryz run`)")
        return 2
    engine = make_engine(settings.database_url)
    try:
        async with make_sessionmaker(engine)() as session:
            check = await verify_chain(session)
    finally:
        await engine.dispose()
    if check.ok:
        print(f"audit log intact: {check.entries} entries")
        return 0
    print(f"audit log BROKEN at entry id {check.first_bad} (entry {check.entries} in order): {check.problem}")
    return 1
