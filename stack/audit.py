"""`aryz audit verify`, `aryz audit checkpoint` and `aryz audit restored`, against ARYZ_DATABASE_URL and the checkpoints."""

from datetime import datetime, timezone

from sqlalchemy import func, select

from db.models import AuditEntry
from db.repositories.audit import append_audit
from db.repositories.audit_checkpoints import Checkpoint
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
    lost = store.lost()
    if lost:
        last = max(lost, key=lambda c: c["entry_id"])
        anchored += (f"; {len(lost)} checkpoint(s) set aside at restores, naming entries up to {last['entry_id']} "
                     f"that were lost with the restore of {last['restored_at']} (not tampering: see "
                     f"{store.lost_path.name} and the log's restored_from_backup entries)")
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


async def restored(sessions, keys, store: FileCheckpointStore) -> tuple[str, list[Checkpoint]]:
    """After a database restored from a backup: the log must verify up to its end, and the
    checkpoints that are later than it (entries lost with the restore) are set aside, with an
    audit entry saying so and a new checkpoint. Returns ('nothing', []), ('restored', the set-aside
    checkpoints) or ('broken: …', []) when the log is broken otherwise than by a restore."""
    async with sessions() as session:
        check = await verify_chain(session, keys, store.all())
        if check.ok:
            return "nothing", []
        if check.code != "tail_cut":
            return f"broken: {check.problem}", []
        last = await session.scalar(select(func.max(AuditEntry.id)))
    earlier = [c for c in store.all() if c.entry_id <= (last or 0)]
    later = [c for c in store.all() if c.entry_id > (last or 0)]
    async with sessions() as session:
        before = await verify_chain(session, keys, earlier)
    if not before.ok:
        return f"broken: {before.problem}", []
    now = datetime.now(timezone.utc)
    store.set_aside(later, now.isoformat())
    async with sessions.begin() as session:
        await append_audit(session, action="restored_from_backup", actor="system", at=now,
                           idempotency_key=f"restored:{last}:{now.isoformat()}",
                           detail={"log_ended_at": last, "lost_checkpoints": [
                               {"entry": c.entry_id, "entries": c.entries, "at": c.at} for c in later],
                               "why": "the database was restored from a backup taken before these checkpoints: "
                                      "the entries they name were lost with the restore"})
    await take_checkpoint(sessions, keys, store)
    return "restored", later


async def restored_command(settings=None) -> int:
    settings = settings or get_settings()
    keys = audit_keys(settings)
    store = FileCheckpointStore(checkpoint_dir(settings))
    engine = make_engine(settings.database_url)
    try:
        outcome, later = await restored(make_sessionmaker(engine, keys), keys, store)
    finally:
        await engine.dispose()
    if outcome == "nothing":
        print("the audit log agrees with every checkpoint: nothing was lost, nothing to do")
        return 0
    if outcome != "restored":
        print(f"aryz audit restored: refused, the log is not a restored one: {outcome}")
        return 1
    print(f"{len(later)} checkpoint(s) later than the restored log's end set aside (entries lost with the "
          f"restore, up to {max(c.entry_id for c in later)}); recorded in the log as restored_from_backup")
    return 0
