"""Officers' inboxes."""

from datetime import datetime, timezone

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Task


async def inbox(session: AsyncSession, roles: list[str], *, username: str, mine: bool, limit: int = 200) -> list[Task]:
    """Open tasks for these roles, most urgent first. Supervisors also see every overdue task."""
    visible = Task.role.in_(roles)
    if "supervisor" in roles:
        visible = or_(visible, Task.escalated_at.is_not(None))
    # Actions (e.g. ending a status that runs for years) are offered on the case, not queued as work.
    query = select(Task).where(Task.closed_at.is_(None), Task.kind == "task", visible)
    if mine:
        query = query.where(Task.claimed_by == username)
    return list(await session.scalars(query.order_by(Task.due_at.asc().nulls_last(), Task.opened_at).limit(limit)))


async def get_task(session: AsyncSession, task_id: str) -> Task | None:
    return await session.get(Task, task_id)


async def claim(session: AsyncSession, task_id: str, username: str) -> bool:
    """Assign an open, unclaimed (or already mine) task to `username`. False if someone else has it."""
    result = await session.execute(
        update(Task).where(Task.task_id == task_id, Task.closed_at.is_(None),
                           or_(Task.claimed_by.is_(None), Task.claimed_by == username))
        .values(claimed_by=username))
    return result.rowcount == 1


def now() -> datetime:
    return datetime.now(timezone.utc)
