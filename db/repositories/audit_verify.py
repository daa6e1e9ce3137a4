"""Verifying the audit log: its keyed chain from the first entry, and every checkpoint kept
outside the database. The answer names the first entry that does not fit and since when the
log cannot be trusted."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AuditEntry
from db.repositories.audit import GENESIS, AuditKeys, row_hash
from db.repositories.audit_checkpoints import Checkpoint


@dataclass
class ChainCheck:
    ok: bool
    entries: int
    first_bad: int | None  # id of the first entry that does not fit the chain or a checkpoint
    problem: str = ""
    # Nothing after this moment can be trusted (None with a broken log: not even its start).
    trusted_until: datetime | None = None
    checkpoints: int = 0  # checkpoints that agree with the log
    code: str = ""  # the problem's key in the catalogues' `chain` context, for the auditor's page
    params: dict = field(default_factory=dict)


def _broken(count: int, first_bad: int | None, problem: str, trusted_until, checkpoints: int, code: str,
            **params) -> ChainCheck:
    return ChainCheck(False, count, first_bad, problem, trusted_until, checkpoints, code, params)


async def verify_chain(session: AsyncSession, keys: AuditKeys, checkpoints: list[Checkpoint] | None = None,
                       batch: int = 2000) -> ChainCheck:
    """Recompute every entry's HMAC from the first one and hold the log against the checkpoints.
    An altered entry breaks its own hash; a removed or moved one breaks the link of the next;
    a re-chained rewrite or a cut tail disagrees with a checkpoint taken before it."""
    pending = sorted(checkpoints or [], key=lambda c: c.entry_id)
    forged = next((c for c in pending if not c.genuine(keys)), None)
    matched: Checkpoint | None = None
    prev, count, last_id, last_at = GENESIS, 0, 0, None

    def since():
        return datetime.fromisoformat(matched.at) if matched else None

    if forged is not None:
        return _broken(0, None, "a checkpoint outside the database is not genuine (its seal does not verify)",
                       None, 0, "checkpoint_forged")
    while True:
        rows = list(await session.scalars(select(AuditEntry).where(AuditEntry.id > last_id)
                                          .order_by(AuditEntry.id).limit(batch)))
        if not rows:
            break
        for row in rows:
            while pending and pending[0].entry_id < row.id:
                cp = pending.pop(0)
                return _broken(count, row.id, f"entry {cp.entry_id}, seen by the checkpoint of {cp.at}, is missing",
                               last_at, _n(matched, checkpoints), "entry_missing", entry=cp.entry_id, at=cp.at)
            count += 1
            if row.prev_hash != prev:
                return _broken(count, row.id, "does not follow the entry before it", last_at, _n(matched, checkpoints),
                               "not_linked")
            expected = row_hash(keys, row, prev)
            if expected is None:
                return _broken(count, row.id, f"sealed with an unknown key {row.key_id!r}", last_at,
                               _n(matched, checkpoints), "unknown_key", key=row.key_id)
            if row.hash != expected:
                return _broken(count, row.id, "content does not match its hash", last_at, _n(matched, checkpoints),
                               "hash_mismatch")
            while pending and pending[0].entry_id == row.id:  # (replicas may checkpoint the same head)
                cp = pending.pop(0)
                if cp.entry_hash != row.hash or cp.entries != count:
                    return _broken(count, row.id, f"does not match the checkpoint of {cp.at}: the log before it "
                                                  "was rewritten", since(), _n(matched, checkpoints), "rewritten",
                                   at=cp.at)
                matched = cp
            prev, last_id, last_at = row.hash, row.id, row.at
    if pending:
        cp = pending[-1]
        return _broken(count, None, f"the log ends at entry {last_id} but the checkpoint of {cp.at} saw entry "
                                    f"{cp.entry_id}: its tail was cut", last_at, _n(matched, checkpoints), "tail_cut",
                       last=last_id, entry=cp.entry_id, at=cp.at)
    return ChainCheck(True, count, None, "", last_at, _n(matched, checkpoints))


def _n(matched: Checkpoint | None, checkpoints: list[Checkpoint] | None) -> int:
    if matched is None:
        return 0
    return sum(1 for c in checkpoints or [] if c.entry_id <= matched.entry_id)
