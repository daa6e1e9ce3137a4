"""Administrators: staff accounts and the foreign-labour quota. Accounts are never deleted (the
audit log names them): they are deactivated. A new or reset password is made here, shown once to
the administrator and never stored in clear; resetting it also ends the account's sessions."""

import secrets
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from api.deps import Staff
from api.errors import ApiError, conflict, not_found
from api.security import ROLES, hash_password
from db.models import QuotaAmendment, QuotaBucket, StaffUser
from db.repositories import quota
from db.repositories.audit import append_audit
from db.repositories.users import create_user, end_sessions, get_user, list_users
from schemas.countries import country_codes
from schemas.people import REGIONS
from schemas.work_permit import SECTORS

USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")


def require_admin(staff: Staff) -> None:
    if "admin" not in staff.roles:
        raise ApiError(403, "this is for administrators", code="for_admins")


def _roles(roles: list[str]) -> list[str]:
    chosen = [r for r in ROLES if r in roles]
    if not chosen or len(chosen) != len(set(roles)):
        raise ApiError(422, "choose one or more known roles", extra={"code": "bad_roles"})
    return chosen


def _mission(roles: list[str], mission: str | None) -> str | None:
    """A consular officer serves one diplomatic mission (a country code); no one else has one."""
    if "consular_officer" not in roles:
        return None
    code = (mission or "").strip().upper()
    if code not in country_codes()[:-1]:  # a real country, not "stateless"
        raise ApiError(422, "choose the country of the mission a consular officer serves",
                       extra={"code": "mission_required"})
    return code


def one_time_password() -> str:
    return "-".join(secrets.token_urlsafe(4)[:5] for _ in range(4))


@dataclass
class AccountChange:
    user: StaffUser
    password: str = ""  # only right after creation or a reset: shown once


async def accounts(session: AsyncSession, staff: Staff) -> list[StaffUser]:
    require_admin(staff)
    return await list_users(session)


async def account(session: AsyncSession, staff: Staff, username: str) -> StaffUser:
    require_admin(staff)
    user = await get_user(session, username[:64])
    if user is None:
        raise not_found("no such account", "no_such_account")
    return user


async def create_account(session: AsyncSession, staff: Staff, username: str, full_name: str,
                         roles: list[str], mission: str | None = None) -> AccountChange:
    require_admin(staff)
    username = username.strip().lower()
    if not (3 <= len(username) <= 64) or not set(username) <= USERNAME_CHARS:
        raise ApiError(422, "a username has 3 to 64 letters a-z, digits, '.', '_' or '-'", extra={"code": "bad_username"})
    if not full_name.strip() or len(full_name) > 200:
        raise ApiError(422, "enter the person's full name", extra={"code": "bad_full_name"})
    chosen = _roles(roles)
    mission = _mission(chosen, mission)
    password = one_time_password()
    user = await create_user(session, username, full_name.strip(), chosen, hash_password(password), mission)
    if user is None:
        raise conflict("this username is taken (usernames are never reused)", code="username_taken")
    await append_audit(session, action="account_created", actor=staff.username, actor_role="admin",
                       detail={"username": username, "roles": user.roles, "mission": mission})
    return AccountChange(user, password)


async def change_account(session: AsyncSession, staff: Staff, username: str, *, roles: list[str] | None = None,
                         mission: str | None = None, active: bool | None = None,
                         reset_password: bool = False) -> AccountChange:
    user = await account(session, staff, username)
    change = AccountChange(user)
    detail: dict = {"username": user.username}
    if roles is not None:
        chosen = _roles(roles)
        new_mission = _mission(chosen, mission)
        detail["roles"] = {"from": list(user.roles), "to": chosen}
        if new_mission != user.mission:
            detail["mission"] = {"from": user.mission, "to": new_mission}
            end_sessions(user)  # what the account may see changed: its open sessions end
        user.roles, user.mission = chosen, new_mission
    if active is not None and active != user.active:
        if not active and user.username == staff.username:
            raise ApiError(409, "you cannot deactivate your own account", extra={"code": "own_account"})
        user.active = active
        detail["active"] = active
        if not active:
            end_sessions(user)
    if reset_password:
        change.password = one_time_password()
        user.password_hash = hash_password(change.password)
        end_sessions(user)
        detail["password_reset"] = True
    await append_audit(session, action="account_changed", actor=staff.username, actor_role="admin", detail=detail)
    return change


async def quota_year(session: AsyncSession, staff: Staff, year: int) -> tuple[list[QuotaBucket], list[QuotaAmendment]]:
    require_admin(staff)
    return await quota.buckets(session, year), await quota.amendments(session, year)


async def set_quota(session: AsyncSession, staff: Staff, *, year: int, region: str, sector: str, size: int,
                    legal_act: str) -> QuotaBucket:
    """Set or amend one bucket under a named legal act; never below what is already reserved or used."""
    require_admin(staff)
    if region not in REGIONS or sector not in SECTORS or not 2000 <= year <= 2100 or not 0 <= size <= 1_000_000:
        raise ApiError(422, "choose a region, a sector, a year and a size of 0 to 1,000,000", extra={"code": "bad_bucket"})
    if not 3 <= len(legal_act.strip()) <= 500:
        raise ApiError(422, "name the legal act that sets or amends the quota", extra={"code": "legal_act_required"})
    try:
        bucket = await quota.set_size(session, year=year, region=region, sector=sector, size=size,
                                      legal_act=legal_act.strip(), actor=staff.username)
    except quota.QuotaError as err:
        raise conflict(str(err), code="quota_below_use") from None
    await append_audit(session, action="quota_set", actor=staff.username, actor_role="admin",
                       detail={"year": year, "region": region, "sector": sector, "size": size, "legal_act": legal_act})
    return bucket
