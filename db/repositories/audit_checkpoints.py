"""Checkpoints of the audit log's head, kept outside PostgreSQL (stack/checkpoints.py).

A checkpoint says "at time T the log had N entries and ended with entry I, whose hash was H",
sealed with the audit key. Whoever rewrites the database afterwards cannot make it agree with
the checkpoints: a cut tail loses entry I, a removed or inserted entry changes N up to I, and a
re-chained rewrite changes H. A new checkpoint extends the last one only after the entries
between them verify, so a checkpoint never vouches for a log that was already broken.
"""

import hashlib
import hmac
import json
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import AuditEntry
from db.repositories.audit import GENESIS, AuditKeys, row_hash


@dataclass(frozen=True)
class Checkpoint:
    entry_id: int
    entry_hash: str
    entries: int  # how many entries the log held, up to and including entry_id
    at: str  # ISO time the checkpoint was taken
    key_id: str
    mac: str = ""

    def body(self) -> bytes:
        data = {k: v for k, v in asdict(self).items() if k != "mac"}
        return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()

    def sealed(self, keys: AuditKeys) -> "Checkpoint":
        unsealed = Checkpoint(self.entry_id, self.entry_hash, self.entries, self.at, keys.active)
        mac = hmac.new(keys.keys[keys.active], unsealed.body(), hashlib.sha256).hexdigest()
        return Checkpoint(**{**asdict(unsealed), "mac": mac})

    def genuine(self, keys: AuditKeys) -> bool:
        key = keys.keys.get(self.key_id)
        return key is not None and hmac.compare_digest(
            self.mac, hmac.new(key, self.body(), hashlib.sha256).hexdigest())


class CheckpointRefused(Exception):
    """The log no longer agrees with the last checkpoint: no new one is taken."""


async def next_checkpoint(session: AsyncSession, keys: AuditKeys, last: Checkpoint | None) -> Checkpoint | None:
    """A checkpoint of the current head, or None if nothing was appended since `last`."""
    prev, count, after = GENESIS, 0, 0
    if last is not None:
        anchor = await session.get(AuditEntry, last.entry_id)
        if anchor is None or anchor.hash != last.entry_hash:
            raise CheckpointRefused(f"entry {last.entry_id} no longer matches the checkpoint of {last.at}")
        before = await session.scalar(select(func.count()).select_from(AuditEntry)
                                      .where(AuditEntry.id <= last.entry_id))
        if before != last.entries:
            raise CheckpointRefused(f"the log held {last.entries} entries up to {last.entry_id} at {last.at}, "
                                    f"now {before}")
        prev, count, after = last.entry_hash, last.entries, last.entry_id
    head = None
    rows = await session.stream_scalars(select(AuditEntry).where(AuditEntry.id > after).order_by(AuditEntry.id))
    async for row in rows:
        if row.prev_hash != prev or row_hash(keys, row, prev) != row.hash:
            raise CheckpointRefused(f"entry {row.id} does not verify")
        prev, count, head = row.hash, count + 1, row
    if head is None:
        return None
    return Checkpoint(head.id, head.hash, count, datetime.now(timezone.utc).isoformat(), keys.active).sealed(keys)
