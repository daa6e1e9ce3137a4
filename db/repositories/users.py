from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, exists, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import RevokedToken, SignInLockout, StaffUser


async def get_user(session: AsyncSession, username: str) -> StaffUser | None:
    return await session.scalar(select(StaffUser).where(StaffUser.username == username))


async def ensure_user(session: AsyncSession, username: str, full_name: str, roles: list[str],
                      password_hash: str, mission: str | None = None) -> bool:
    """Create the account if it is missing; never overwrites an existing one. True if created."""
    result = await session.execute(
        insert(StaffUser).values(username=username, full_name=full_name, roles=roles, password_hash=password_hash,
                                 mission=mission, active=True).on_conflict_do_nothing(index_elements=["username"]))
    return result.rowcount == 1


async def is_revoked(session: AsyncSession, jti: str) -> bool:
    return await session.get(RevokedToken, jti) is not None


async def token_holder(session: AsyncSession, username: str, jti: str) -> tuple[StaffUser | None, bool]:
    """The account a token names and whether the token was signed out, in one round trip: every
    request of a signed-in officer asks both."""
    row = (await session.execute(select(StaffUser, exists().where(RevokedToken.jti == jti))
                                 .where(StaffUser.username == username))).first()
    return (row[0], row[1]) if row is not None else (None, await is_revoked(session, jti))


async def revoke(session: AsyncSession, jti: str, expires_at: datetime) -> None:
    await session.execute(insert(RevokedToken).values(jti=jti, expires_at=expires_at).on_conflict_do_nothing())
    # Tokens past their expiry are refused anyway; their revocations need not be kept.
    await session.execute(delete(RevokedToken).where(RevokedToken.expires_at < datetime.now(timezone.utc)))


async def lockout(session: AsyncSession, username: str) -> SignInLockout | None:
    return await session.get(SignInLockout, username)


async def record_failure(session: AsyncSession, username: str, now: datetime, threshold: int,
                         base_seconds: int) -> SignInLockout:
    """One more failed sign-in for `username` (under the row's lock); every `threshold` in a row
    lock the account, each time twice as long as the last (at most an hour)."""
    await session.execute(insert(SignInLockout).values(username=username, failures=0, lockouts=0,
                                                       last_failure_at=now).on_conflict_do_nothing())
    row = await session.scalar(select(SignInLockout).where(SignInLockout.username == username).with_for_update())
    row.failures += 1
    row.last_failure_at = now
    if row.failures >= threshold:
        row.failures = 0
        row.lockouts += 1
        row.locked_until = now + timedelta(seconds=min(base_seconds * 2 ** (row.lockouts - 1), 3600))
    return row


async def clear_failures(session: AsyncSession, username: str) -> None:
    await session.execute(delete(SignInLockout).where(SignInLockout.username == username))


async def list_users(session: AsyncSession) -> list[StaffUser]:
    return list(await session.scalars(select(StaffUser).order_by(StaffUser.active.desc(), StaffUser.username)))


async def holders_of(session: AsyncSession, role: str) -> list[StaffUser]:
    """Active accounts holding `role`: whom a supervisor may hand a task of that role."""
    return list(await session.scalars(select(StaffUser).where(StaffUser.active.is_(True),
                                                              StaffUser.roles.any(role)).order_by(StaffUser.username)))


async def create_user(session: AsyncSession, username: str, full_name: str, roles: list[str],
                      password_hash: str, mission: str | None = None) -> StaffUser | None:
    """None if the username is taken (by an active or a deactivated account: names are never reused)."""
    if not await ensure_user(session, username, full_name, roles, password_hash, mission):
        return None
    return await get_user(session, username)


def end_sessions(user: StaffUser) -> None:
    """Every session of `user` signed in before now is refused from now on."""
    user.sessions_valid_after = datetime.now(timezone.utc)
