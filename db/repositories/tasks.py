"""Officers' inboxes."""

from datetime import datetime, timezone

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Task

PAGE_SIZE = 50


async def inbox(session: AsyncSession, roles: list[str], *, username: str, mine: bool, page: int = 1,
                page_size: int = PAGE_SIZE, case_number: str | None = None) -> list[Task]:
    """Open tasks for these roles, most urgent first, a page at a time. Supervisors also see every
    escalated task: a second query on its own index (an OR would defeat both indexes)."""
    # Actions (e.g. ending a status that runs for years) are offered on the case, not queued as work.
    open_work = select(Task).where(Task.closed_at.is_(None), Task.kind == "task")
    if mine:
        open_work = open_work.where(Task.claimed_by == username)
    if case_number:
        open_work = open_work.where(Task.case_number == case_number)
    wanted = page * page_size
    order = (Task.due_at.asc().nulls_last(), Task.opened_at, Task.task_id)
    found = {t.task_id: t for t in await session.scalars(
        open_work.where(Task.role.in_(roles)).order_by(*order).limit(wanted))}
    if "supervisor" in roles:
        found.update({t.task_id: t for t in await session.scalars(
            open_work.where(Task.escalated_at.is_not(None)).order_by(*order).limit(wanted))})
    far = datetime.max.replace(tzinfo=timezone.utc)
    ranked = sorted(found.values(), key=lambda t: (t.due_at or far, t.opened_at, t.task_id))
    return ranked[(page - 1) * page_size:wanted]


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
