"""The append-only audit log: each entry's hash is an HMAC, keyed outside the database, over its
content and the hash before it. Whoever can write to PostgreSQL but does not hold the key can
neither alter an entry nor re-chain the entries after one they removed without it showing;
a cut tail is caught against checkpoints kept outside PostgreSQL (audit_checkpoints.py)."""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AuditEntry
from schemas.keyring import Keyring

GENESIS = "0" * 64
# Any constant: appends take this transaction-scoped lock so the chain never forks.
_CHAIN_LOCK = 0x41525A41
_LOCK_CHAIN = select(func.pg_advisory_xact_lock(_CHAIN_LOCK))
_HEAD = select(AuditEntry.__table__.c.hash).order_by(AuditEntry.__table__.c.id.desc()).limit(1)
_KEY_USED = select(AuditEntry.__table__.c.id).where(AuditEntry.__table__.c.idempotency_key == bindparam("k"))
_COLUMNS = ("at", "case_number", "actor", "actor_role", "action", "detail", "idempotency_key", "key_id", "prev_hash",
            "hash")
_APPEND = insert(AuditEntry.__table__).returning(AuditEntry.__table__.c.id)


class AuditKeys(Keyring):
    """HMAC keys by id; the first one seals new entries, the others still verify old ones."""

    KIND = "audit key"


def session_keys(session: AsyncSession) -> AuditKeys:
    keys = session.info.get("audit_keys")
    if keys is None:
        raise RuntimeError("no audit key: build sessions with make_sessionmaker(engine, audit_keys)")
    return keys


def entry_hash(key: bytes, key_id: str, prev_hash: str, at: datetime, case_number: str | None, actor: str,
               actor_role: str, action: str, detail: dict[str, Any]) -> str:
    canonical = json.dumps(
        {"prev": prev_hash, "kid": key_id, "at": at.astimezone(timezone.utc).isoformat(), "case": case_number,
         "actor": actor, "role": actor_role, "action": action, "detail": detail},
        sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str,
    )
    return hmac.new(key, canonical.encode(), hashlib.sha256).hexdigest()


def row_hash(keys: AuditKeys, row: AuditEntry, prev_hash: str) -> str | None:
    """What `row`'s hash must be after `prev_hash`; None if its key is unknown."""
    key = keys.keys.get(row.key_id)
    if key is None:
        return None
    return entry_hash(key, row.key_id, prev_hash, row.at, row.case_number, row.actor, row.actor_role, row.action,
                      row.detail)


@dataclass
class NewEntry:
    action: str
    actor: str
    actor_role: str = ""
    case_number: str | None = None
    detail: dict[str, Any] | None = None
    at: datetime | None = None
    idempotency_key: str | None = None


async def append_entries(session: AsyncSession, entries: list[NewEntry], known_new: bool = False) -> list[AuditEntry]:
    """Append entries in order, in the caller's transaction, under the chain lock. An entry whose
    idempotency key was appended before is skipped (unless the caller knows none was: the unique
    index would still refuse a second one)."""
    keys = session_keys(session)
    kid, key = keys.active, keys.keys[keys.active]
    db = await session.connection()
    # Its own statement: a statement's snapshot is taken before a lock inside it would be granted,
    # so the head read after it is the head no other append can move until this one commits.
    await db.execute(_LOCK_CHAIN)
    prev = (await db.execute(_HEAD)).scalar() or GENESIS
    added = []
    for e in entries:
        if e.idempotency_key is not None and not known_new and (
                await db.execute(_KEY_USED, {"k": e.idempotency_key})).scalar() is not None:
            continue
        at = (e.at or datetime.now(timezone.utc)).astimezone(timezone.utc)
        detail = json.loads(json.dumps(e.detail or {}, default=str))
        row = AuditEntry(at=at, case_number=e.case_number, actor=e.actor, actor_role=e.actor_role, action=e.action,
                         detail=detail, idempotency_key=e.idempotency_key, key_id=kid, prev_hash=prev,
                         hash=entry_hash(key, kid, prev, at, e.case_number, e.actor, e.actor_role, e.action, detail))
        # One row a statement, so that ids follow the chain's order.
        row.id = (await db.execute(_APPEND, {c: getattr(row, c) for c in _COLUMNS})).scalar()
        prev = row.hash
        added.append(row)
    return added


async def append_audit(session: AsyncSession, *, action: str, actor: str, actor_role: str = "",
                       case_number: str | None = None, detail: dict[str, Any] | None = None,
                       at: datetime | None = None, idempotency_key: str | None = None,
                       known_new: bool = False) -> AuditEntry | None:
    """Append one entry in the caller's transaction. With `idempotency_key`, a second append of
    the same key is a no-op (returns None)."""
    added = await append_entries(session, [NewEntry(action, actor, actor_role, case_number, detail, at,
                                                    idempotency_key)], known_new)
    return added[0] if added else None
