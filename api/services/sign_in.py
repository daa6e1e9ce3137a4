"""Staff sign-in, for the token endpoint and the sign-in page alike: rate-limited per client,
locked per account after repeated failures (the lock holds even for the right password), and
every failure audited. Sign-out revokes the token."""

from datetime import datetime, timezone

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import ApiError
from api.limits import TOO_MANY_SIGN_INS, RateLimits, TooManyRequests, client_of
from api.security import TokenClaims, verify_password
from db.models import StaffUser
from db.repositories import users
from db.repositories.audit import append_audit
from schemas.text import has_nul
from settings import Settings

BAD_LOGIN = "incorrect username or password"


async def sign_in(request: Request, session: AsyncSession, settings: Settings, limits: RateLimits,
                  username: str, password: str) -> StaffUser:
    client = client_of(request)
    limits.hit(limits.sign_in, TOO_MANY_SIGN_INS, "sign-in", client)
    name, now = username[:64], datetime.now(timezone.utc)
    lock = None if has_nul(name) else await users.lockout(session, name)
    if lock is not None and lock.locked_until is not None and lock.locked_until > now:
        await _audit(request, "sign_in_refused_locked", name, client)
        raise TooManyRequests((lock.locked_until - now).total_seconds(), "account_locked")
    user = None if has_nul(name) else await users.get_user(session, name)
    if not verify_password(user.password_hash if user else None, password) or not user.active:
        locked = False
        if not has_nul(name):
            async with request.app.state.sessions.begin() as own:  # kept although the request fails
                row = await users.record_failure(own, name, now, settings.sign_in_failures_before_lockout,
                                                 settings.sign_in_lockout_seconds)
                locked = row.locked_until is not None and row.locked_until > now
                await append_audit(own, action="sign_in_failed", actor=name, detail={"client": client,
                                                                                     "locked": locked})
        raise ApiError(401, BAD_LOGIN, code="bad_login")
    if lock is not None:
        await users.clear_failures(session, name)
    return user


async def sign_out(session: AsyncSession, claims: TokenClaims) -> None:
    await users.revoke(session, claims.jti, claims.expires_at)
    await append_audit(session, action="signed_out", actor=claims.username)


async def _audit(request: Request, action: str, name: str, client: str) -> None:
    async with request.app.state.sessions.begin() as own:
        await append_audit(own, action=action, actor=name, detail={"client": client})
