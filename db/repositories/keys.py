"""Which keys have written something, and which of them a process lacks (db/models.KeyInUse)."""

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import KeyInUse


async def register_active(session: AsyncSession, held: dict[str, list[str]]) -> None:
    """The first key of each kind is the one this process writes with: from now on it is in use."""
    rows = [{"kind": kind, "kid": kids[0]} for kind, kids in held.items() if kids]
    if rows:
        await session.execute(insert(KeyInUse).values(rows).on_conflict_do_nothing())


async def missing(session: AsyncSession, held: dict[str, list[str]]) -> list[str]:
    """'kind kid' of every key in use, of a kind this process holds, that it does not hold."""
    used = await session.execute(select(KeyInUse.kind, KeyInUse.kid).where(KeyInUse.kind.in_(list(held)))
                                 .order_by(KeyInUse.kind, KeyInUse.kid))
    return [f"{kind} {kid}" for kind, kid in used if kid not in held[kind]]
