"""Idempotency-Keys of staff messages: one message per key."""

import hashlib
import json

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import UpdateKey


def message_digest(case_number: str, name: str, message) -> str:
    said = {k: v for k, v in vars(message).items() if k != "proof"}
    return hashlib.sha256(json.dumps([case_number, name, said], sort_keys=True, default=str).encode()).hexdigest()


async def claim_key(session: AsyncSession, update_id: str, case_number: str, digest: str) -> bool:
    """True if the key is new or was used for this same message; False if it was used for another."""
    added = await session.execute(insert(UpdateKey).values(update_id=update_id, digest=digest, case_number=case_number)
                                  .on_conflict_do_nothing(index_elements=["case_number", "update_id"]))
    if added.rowcount:
        return True
    return await session.scalar(select(UpdateKey.digest).where(UpdateKey.case_number == case_number,
                                                               UpdateKey.update_id == update_id)) == digest
