"""The append-only, hash-chained audit log."""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AuditEntry

GENESIS = "0" * 64
# Any constant: appends take this transaction-scoped lock so the chain never forks.
_CHAIN_LOCK = 0x41525A41


def entry_hash(prev_hash: str, at: datetime, case_number: str | None, actor: str, actor_role: str,
               action: str, detail: dict[str, Any]) -> str:
    canonical = json.dumps(
        {"prev": prev_hash, "at": at.astimezone(timezone.utc).isoformat(), "case": case_number, "actor": actor,
         "role": actor_role, "action": action, "detail": detail},
        sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


async def append_audit(session: AsyncSession, *, action: str, actor: str, actor_role: str = "",
                       case_number: str | None = None, detail: dict[str, Any] | None = None,
                       at: datetime | None = None, idempotency_key: str | None = None) -> AuditEntry | None:
    """Append one entry in the caller's transaction. With `idempotency_key`, a second append of
    the same key is a no-op (returns None)."""
    await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK})
    if idempotency_key is not None:
        seen = await session.scalar(select(AuditEntry.id).where(AuditEntry.idempotency_key == idempotency_key))
        if seen is not None:
            return None
    prev = await session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)) or GENESIS
    at = (at or datetime.now(timezone.utc)).astimezone(timezone.utc)
    detail = json.loads(json.dumps(detail or {}, default=str))
    entry = AuditEntry(at=at, case_number=case_number, actor=actor, actor_role=actor_role, action=action,
                       detail=detail, idempotency_key=idempotency_key, prev_hash=prev,
                       hash=entry_hash(prev, at, case_number, actor, actor_role, action, detail))
    session.add(entry)
    await session.flush()
    return entry


@dataclass
class ChainCheck:
    ok: bool
    entries: int
    first_bad: int | None  # id of the first entry that does not fit the chain
    problem: str = ""


async def verify_chain(session: AsyncSession, batch: int = 2000) -> ChainCheck:
    """Recompute the chain from the first entry: an entry altered, removed or moved breaks it at
    the first entry whose content or predecessor no longer matches its hash."""
    prev, count, last_id = GENESIS, 0, 0
    while True:
        rows = list(await session.scalars(select(AuditEntry).where(AuditEntry.id > last_id)
                                          .order_by(AuditEntry.id).limit(batch)))
        if not rows:
            return ChainCheck(True, count, None)
        for row in rows:
            count += 1
            if row.prev_hash != prev:
                return ChainCheck(False, count, row.id, "does not follow the entry before it")
            expected = entry_hash(prev, row.at, row.case_number, row.actor, row.actor_role, row.action, row.detail)
            if row.hash != expected:
                return ChainCheck(False, count, row.id, "content does not match its hash")
            prev, last_id = row.hash, row.id
