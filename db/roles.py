"""The database role the application connects as: it may read and write the read model, but may
only INSERT and SELECT on the audit log. Migrations and these grants run as the owner.

`aryz migrate` (and `aryz run`) call `grant_app_role` after upgrading. The role is created
without a password if it is missing (enough for the embedded server's local trust); in
production create it with a password first and put it in ARYZ_DATABASE_URL.
"""

import re

import asyncpg

APP_ROLE = "aryz_app"
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _plain_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def grant_app_role(owner_url: str, role: str = APP_ROLE, password: str | None = None) -> None:
    if not _NAME.match(role):
        raise ValueError(f"not a plain role name: {role!r}")
    conn = await asyncpg.connect(_plain_dsn(owner_url))
    try:
        async with conn.transaction():
            if not await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", role):
                await conn.execute(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS")
            if password:
                quoted = await conn.fetchval("SELECT quote_literal($1::text)", password)
                await conn.execute(f"ALTER ROLE {role} PASSWORD {quoted}")
            await conn.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
            await conn.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
            await conn.execute(f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_log FROM {role}")
            await conn.execute(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM {role}")
            await conn.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
    finally:
        await conn.close()


def app_url(owner_url: str, role: str = APP_ROLE) -> str:
    """The owner's URL with the application role as user (local trust: no password)."""
    scheme, rest = owner_url.split("://", 1)
    return f"{scheme}://{role}@{rest.split('@', 1)[1]}" if "@" in rest else f"{scheme}://{role}@{rest}"
