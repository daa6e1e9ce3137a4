from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import StaffUser


async def get_user(session: AsyncSession, username: str) -> StaffUser | None:
    return await session.scalar(select(StaffUser).where(StaffUser.username == username))


async def ensure_user(session: AsyncSession, username: str, full_name: str, roles: list[str],
                      password_hash: str) -> bool:
    """Create the account if it is missing; never overwrites an existing one. True if created."""
    result = await session.execute(
        insert(StaffUser).values(username=username, full_name=full_name, roles=roles, password_hash=password_hash,
                                 active=True).on_conflict_do_nothing(index_elements=["username"]))
    return result.rowcount == 1
