"""`aryz audit verify` and `aryz audit checkpoint`, against ARYZ_DATABASE_URL and the checkpoints."""

from db.repositories.audit_verify import verify_chain
from db.session import make_engine, make_sessionmaker
from settings import audit_keys, checkpoint_dir, get_settings
from stack.checkpoints import FileCheckpointStore, take_checkpoint


async def verify_command(settings=None) -> int:
    settings = settings or get_settings()
    if not settings.database_url or not settings.audit_keys:
        print("aryz audit verify: set ARYZ_DATABASE_URL and ARYZ_AUDIT_KEYS (`aryz run` keeps them in var/)")
        return 2
    keys = audit_keys(settings)
    store = FileCheckpointStore(checkpoint_dir(settings))
    engine = make_engine(settings.database_url)
    try:
        async with make_sessionmaker(engine, keys)() as session:
            check = await verify_chain(session, keys, store.all())
    finally:
        await engine.dispose()
    anchored = f"{check.checkpoints} checkpoint(s) outside the database agree" if check.checkpoints else \
        f"no checkpoint in {store.path} agrees with it yet"
    if check.ok:
        print(f"audit log intact: {check.entries} entries; {anchored}")
        return 0
    where = f"entry id {check.first_bad} (entry {check.entries} in order)" if check.first_bad else "its end"
    since = check.trusted_until.isoformat() if check.trusted_until else "its first entry"
    print(f"audit log BROKEN at {where}: {check.problem}\nuntrustworthy since {since}; {anchored}")
    return 1


async def checkpoint_command(settings=None) -> int:
    settings = settings or get_settings()
    keys = audit_keys(settings)
    store = FileCheckpointStore(checkpoint_dir(settings))
    engine = make_engine(settings.database_url)
    try:
        taken = await take_checkpoint(make_sessionmaker(engine, keys), keys, store)
    finally:
        await engine.dispose()
    if taken is None:
        last = store.last()
        print(f"no new checkpoint (last: entry {last.entry_id} at {last.at})" if last else
              "no checkpoint taken: the log is empty or does not verify (see the log)")
        return 0 if last else 1
    print(f"checkpoint: entry {taken.entry_id}, {taken.entries} entries, at {taken.at} -> {store.path}")
    return 0
