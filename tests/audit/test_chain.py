"""The audit log against someone with the database in hand: the application's role may only
append; a superuser who alters, deletes, cuts, reorders or re-chains entries is caught by the
keyed chain or by the checkpoints kept outside PostgreSQL, and told since when to distrust it."""

import hashlib
import json
import uuid
from urllib.parse import parse_qs, urlparse

import asyncpg
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from db.migrate import migrate_async
from db.models import AuditEntry
from db.repositories.audit import append_audit, entry_hash
from db.repositories.audit_verify import verify_chain
from db.roles import app_url
from db.session import make_engine, make_sessionmaker
from stack.checkpoints import FileCheckpointStore, take_checkpoint
from tests.conftest import AUDIT_KEYS


class Log:
    def __init__(self, app, owner, store) -> None:
        self.app, self.owner, self.store = app, owner, store

    async def append(self, n: int, start: int = 0) -> None:
        async with self.app.begin() as s:
            for i in range(start, start + n):
                await append_audit(s, action="case_viewed", actor=f"officer{i}", case_number="REF-2026-000001",
                                   detail={"n": i, "note": "просмотр"})

    async def checkpoint(self):
        return await take_checkpoint(self.app, AUDIT_KEYS, self.store)

    async def check(self):
        async with self.app() as s:
            return await verify_chain(s, AUDIT_KEYS, self.store.all())

    async def as_superuser(self, *sql: str) -> None:
        async with self.owner.begin() as s:
            # Triggers off for this session: only a superuser can; exactly what must be caught.
            await s.execute(text("SET LOCAL session_replication_role = replica"))
            for statement in sql:
                await s.execute(text(statement))

    async def rechain(self, from_id: int, key: bytes | None) -> None:
        """Recompute every hash from `from_id` on, as an attacker would: with `key` (stolen) or,
        without it, with plain SHA-256 over the same content."""
        async with self.owner.begin() as s:
            await s.execute(text("SET LOCAL session_replication_role = replica"))
            rows = list(await s.scalars(select(AuditEntry).order_by(AuditEntry.id)))
            prev = "0" * 64
            for row in rows:
                if row.id >= from_id:
                    if key is not None:
                        new = entry_hash(key, row.key_id, prev, row.at, row.case_number, row.actor, row.actor_role,
                                         row.action, row.detail)
                    else:
                        new = hashlib.sha256(json.dumps([prev, row.actor, row.detail]).encode()).hexdigest()
                    await s.execute(text("UPDATE audit_log SET prev_hash = :p, hash = :h WHERE id = :i"),
                                    {"p": prev, "h": new, "i": row.id})
                    prev = new
                else:
                    prev = row.hash


@pytest.fixture
async def log(owner_database_url, tmp_path):
    """A database of its own, so tampering cannot disturb other tests."""
    name = f"aryz_audit_{uuid.uuid4().hex[:8]}"
    host = parse_qs(urlparse(owner_database_url).query)["host"][0]
    conn = await asyncpg.connect(host=host, user="postgres", database="postgres")
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    owner_url = owner_database_url.replace("/aryz_test?", f"/{name}?")
    await migrate_async(owner_url)
    app_engine, owner_engine = make_engine(app_url(owner_url)), make_engine(owner_url)
    log = Log(make_sessionmaker(app_engine, AUDIT_KEYS), make_sessionmaker(owner_engine, AUDIT_KEYS),
              FileCheckpointStore(tmp_path))
    await log.append(6)
    yield log
    await app_engine.dispose()
    await owner_engine.dispose()


async def test_an_intact_log_verifies_against_its_checkpoints(log):
    assert (await log.checkpoint()).entries == 6
    await log.append(2, start=6)
    assert (await log.checkpoint()).entries == 8
    assert await log.checkpoint() is None  # nothing new
    result = await log.check()
    assert result.ok and result.entries == 8 and result.first_bad is None and result.checkpoints == 2


async def test_the_application_role_may_only_append(log):
    for sql in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log",
                "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change",
                "SET session_replication_role = replica"):
        with pytest.raises(DBAPIError, match="permission denied|must be owner"):
            async with log.app.begin() as s:
                await s.execute(text(sql))
    with pytest.raises(DBAPIError, match="append-only"):  # and the owner is stopped by the trigger
        async with log.owner.begin() as s:
            await s.execute(text("DELETE FROM audit_log"))
    assert (await log.check()).ok


async def test_an_altered_entry_is_named(log):
    await log.as_superuser("UPDATE audit_log SET detail = '{\"n\": 99}' WHERE id = 3")
    result = await log.check()
    assert not result.ok and result.first_bad == 3 and "content" in result.problem
    assert result.trusted_until is not None  # entries 1 and 2 still hold


async def test_a_deleted_middle_entry_is_found_at_the_next_one(log):
    await log.as_superuser("DELETE FROM audit_log WHERE id = 4")
    result = await log.check()
    assert not result.ok and result.first_bad == 5


async def test_reordered_entries_are_found(log):
    await log.as_superuser("UPDATE audit_log SET id = -id WHERE id IN (2, 3)",
                           "UPDATE audit_log SET id = CASE id WHEN -2 THEN 3 ELSE 2 END WHERE id IN (-2, -3)")
    result = await log.check()
    assert not result.ok and result.first_bad == 2


async def test_a_cut_tail_is_caught_by_the_checkpoint(log):
    await log.checkpoint()
    await log.as_superuser("DELETE FROM audit_log WHERE id > 3")  # what the chain alone cannot see
    result = await log.check()
    assert not result.ok and "tail was cut" in result.problem
    assert result.trusted_until is not None
    assert await log.checkpoint() is None  # and no new checkpoint vouches for the cut log


async def test_a_rechained_rewrite_without_the_key_is_caught(log):
    await log.as_superuser("UPDATE audit_log SET actor = 'nobody' WHERE id = 4")
    await log.rechain(4, key=None)
    result = await log.check()
    assert not result.ok and result.first_bad == 4


async def test_a_rechained_rewrite_with_a_stolen_key_is_caught_by_the_checkpoint(log):
    await log.checkpoint()
    await log.append(2, start=6)
    await log.as_superuser("DELETE FROM audit_log WHERE id = 2")
    await log.rechain(1, key=AUDIT_KEYS.keys[AUDIT_KEYS.active])
    result = await log.check()
    assert not result.ok and result.checkpoints == 0
    assert "missing" in result.problem or "rewritten" in result.problem


async def test_a_forged_checkpoint_is_refused(log):
    await log.checkpoint()
    forged = log.store.path.read_text().replace('"entries": 6', '"entries": 5')
    log.store.path.write_text(forged)
    result = await log.check()
    assert not result.ok and "not genuine" in result.problem


async def test_auditors_verify_over_http(api, tokens):
    from tests.api.helpers import submit
    await submit(api)
    r = await api.get("/api/v1/audit/verify", headers=await tokens("auditor"))
    assert r.status_code == 200 and r.json()["ok"] is True and r.json()["entries"] > 0
    assert (await api.get("/api/v1/audit/verify", headers=await tokens("registrar"))).status_code == 403


def test_the_auditor_reads_where_the_log_breaks_in_their_language():
    from api.pages.auditor import chain_problem
    from db.repositories.audit_verify import ChainCheck

    cut = ChainCheck(False, 120, None, "the log ends at entry 120 but …", None, 2, "tail_cut",
                     {"last": 120, "entry": 131, "at": "2026-12-05T04:00:00+00:00"})
    assert chain_problem(cut, "ru") == ("Журнал заканчивается записью 120, а контрольная точка от 5 дек. 2026, "
                                        "10:00 (UTC+6) видела запись 131: конец журнала отрезан")
    altered = ChainCheck(False, 7, 7, "content does not match its hash", None, 0, "hash_mismatch", {})
    assert chain_problem(altered, "ky") == "Жазуунун мазмуну анын хешине дал келбейт: жазуу өзгөртүлгөн"


def test_every_break_of_the_chain_has_words_in_three_languages():
    import ast
    from pathlib import Path

    from api import i18n
    from db.repositories import audit_verify

    calls = [n for n in ast.walk(ast.parse(Path(audit_verify.__file__).read_text()))
             if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "_broken"]
    codes = {c.args[5].value for c in calls}
    assert len(calls) == 7 and len(codes) == 7
    assert all(i18n.has("chain", code) for code in codes), codes
