"""Gap-free numbering. The counter row is locked by the upsert until the caller commits, so a
rolled-back submission gives its number back and two submissions never share one."""

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def next_number(session: AsyncSession, scope: str) -> int:
    return await session.scalar(
        text("INSERT INTO number_sequences (scope, last_value) VALUES (:s, 1) "
             "ON CONFLICT (scope) DO UPDATE SET last_value = number_sequences.last_value + 1 "
             "RETURNING last_value"),
        {"s": scope},
    )
