"""Apply alembic migrations from code (the stack and the tests call this; no alembic.ini needed)."""

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


async def upgrade_async(url: str) -> None:
    await asyncio.to_thread(upgrade, url)


def migrate(owner_url: str, app_password: str | None = None) -> None:
    """Upgrade the schema as its owner, then (re)grant the application role its narrow rights."""
    from db.roles import grant_app_role

    upgrade(owner_url)
    asyncio.run(grant_app_role(owner_url, password=app_password))


async def migrate_async(owner_url: str) -> None:
    from db.roles import grant_app_role

    await upgrade_async(owner_url)
    await grant_app_role(owner_url)
