"""Demo staff accounts: one per role, named after it, plus `senior` (case officer and supervisor);
the consular officer serves the mission in Russia, where most citizens who die abroad die."""

import secrets

from sqlalchemy.ext.asyncio import async_sessionmaker

from api.security import ROLES, hash_password
from db.repositories.users import ensure_user

DEMO_ACCOUNTS = {role: [role] for role in ROLES} | {"senior": ["case_officer", "supervisor"]}
DEMO_MISSIONS = {"consular_officer": "RUS"}


async def seed_demo_accounts(sessions: async_sessionmaker, password: str | None) -> tuple[list[str], str | None]:
    """Create missing demo accounts. Returns the names created and, if it had to make one up,
    the generated password (to be shown once; only its hash is stored)."""
    generated = None
    if password is None:
        generated = password = secrets.token_urlsafe(12)
    hashed = hash_password(password)
    created = []
    async with sessions.begin() as session:
        for username, roles in DEMO_ACCOUNTS.items():
            full_name = f"Demo {username.replace('_', ' ')}"
            if await ensure_user(session, username, full_name, roles, hashed, DEMO_MISSIONS.get(username)):
                created.append(username)
    return created, (generated if created else None)
