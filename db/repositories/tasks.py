"""Officers' inboxes, the supervisors' backlog, and who holds a task."""

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, false, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Case, Task

PAGE_SIZE = 50


@dataclass(frozen=True)
class TaskFilter:
    procedure: str | None = None
    step: str | None = None
    state: str | None = None
    due: str | None = None  # "overdue" or "soon" (within `soon_days`)
    case_number: str | None = None
    mine: bool = False
    soon_days: int = 3


def _filtered(query, f: TaskFilter, username: str, now: datetime):
    if f.mine:
        query = query.where(Task.claimed_by == username)
    if f.case_number:
        query = query.where(Task.case_number == f.case_number)
    if f.procedure:
        query = query.where(Task.procedure == f.procedure)
    if f.step:
        query = query.where(Task.step == f.step)
    if f.state:
        query = query.where(Task.case_number.in_(select(Case.case_number).where(Case.state == f.state)))
    if f.due == "overdue":
        query = query.where(Task.due_at < now)
    elif f.due == "soon":
        query = query.where(Task.due_at >= now, Task.due_at < now + timedelta(days=f.soon_days))
    return query


async def inbox(session: AsyncSession, roles: list[str] | None, *, username: str, mine: bool = False, page: int = 1,
                page_size: int = PAGE_SIZE, case_number: str | None = None,
                filters: TaskFilter | None = None, at_mission: dict[str, str | None] | None = None) -> list[Task]:
    """Open tasks for these roles (None: every role, the supervisors' view of the backlog), most
    urgent first, a page at a time; a role named in `at_mission` only on cases lodged at that
    mission (none if it is None). Supervisors also see every escalated task: a second query on
    its own index (an OR would defeat both indexes)."""
    f = filters or TaskFilter(case_number=case_number, mine=mine)
    now = datetime.now(timezone.utc)
    # Actions (e.g. ending a status that runs for years) are offered on the case, not queued as work.
    open_work = _filtered(select(Task).where(Task.closed_at.is_(None), Task.kind == "task"), f, username, now)
    wanted = page * page_size
    order = (Task.due_at.asc().nulls_last(), Task.opened_at, Task.task_id)
    mine_by_role = open_work if roles is None else open_work.where(_of_roles(roles, at_mission or {}))
    found = {t.task_id: t for t in await session.scalars(mine_by_role.order_by(*order).limit(wanted))}
    if roles is not None and "supervisor" in roles:
        found.update({t.task_id: t for t in await session.scalars(
            open_work.where(Task.escalated_at.is_not(None)).order_by(*order).limit(wanted))})
    far = datetime.max.replace(tzinfo=timezone.utc)
    ranked = sorted(found.values(), key=lambda t: (t.due_at or far, t.opened_at, t.task_id))
    return ranked[(page - 1) * page_size:wanted]


def _of_roles(roles: list[str], at_mission: dict[str, str | None]):
    plain = [r for r in roles if r not in at_mission]
    found = [Task.role.in_(plain)] if plain else []
    for role, mission in at_mission.items():
        if mission:
            found.append(and_(Task.role == role,
                              Task.case_number.in_(select(Case.case_number).where(Case.mission == mission))))
    return or_(*found) if found else false()


@dataclass(frozen=True)
class CaseBrief:
    case_number: str
    procedure: str
    state: str
    applicant_name: str


async def case_briefs(session: AsyncSession, case_numbers: list[str]) -> dict[str, CaseBrief]:
    """Procedure, state and name for the rows of a list: one query for the whole page."""
    if not case_numbers:
        return {}
    rows = await session.execute(select(Case.case_number, Case.procedure, Case.state, Case.applicant_name)
                                 .where(Case.case_number.in_(case_numbers)))
    return {r.case_number: CaseBrief(*r) for r in rows}


@dataclass(frozen=True)
class BacklogLine:
    procedure: str
    step: str
    open: int
    due_soon: int
    overdue: int


async def backlog(session: AsyncSession, soon_days: int) -> list[BacklogLine]:
    now = datetime.now(timezone.utc)
    soon = now + timedelta(days=soon_days)
    rows = await session.execute(
        select(Task.procedure, Task.step, func.count(),
               func.count().filter(Task.due_at >= now, Task.due_at < soon), func.count().filter(Task.due_at < now))
        .where(Task.closed_at.is_(None), Task.kind == "task").group_by(Task.procedure, Task.step)
        .order_by(Task.procedure, Task.step))
    return [BacklogLine(*r) for r in rows]


async def get_task(session: AsyncSession, task_id: str) -> Task | None:
    return await session.get(Task, task_id)


async def claim(session: AsyncSession, task_id: str, username: str) -> bool:
    """Assign an open, unclaimed (or already mine) task to `username`. False if someone else has it."""
    result = await session.execute(
        update(Task).where(Task.task_id == task_id, Task.closed_at.is_(None),
                           or_(Task.claimed_by.is_(None), Task.claimed_by == username))
        .values(claimed_by=username))
    return result.rowcount == 1


async def assign(session: AsyncSession, task_id: str, username: str, expected_holder: str | None) -> bool:
    """Hand an open task to `username`, if it is still held by `expected_holder` (a reassignment or
    a take-over decided on what the officer saw; False if it changed meanwhile)."""
    held = Task.claimed_by.is_(None) if expected_holder is None else Task.claimed_by == expected_holder
    result = await session.execute(update(Task).where(Task.task_id == task_id, Task.closed_at.is_(None), held)
                                   .values(claimed_by=username))
    return result.rowcount == 1


def now() -> datetime:
    return datetime.now(timezone.utc)
