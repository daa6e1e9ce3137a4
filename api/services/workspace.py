"""The officers' workspace beyond one decision: the inbox as a list with names and urgency, the
supervisors' backlog and reassignment, opening an uploaded file, and who has seen a case.

Every list that shows names is an audit entry naming the cases it showed ("shown"), so "who has
seen this case" covers lists as well as case pages."""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, cast, func, literal_column, or_, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession

from api import policy
from api.deps import DECIDERS, Staff
from api.errors import ApiError, conflict, not_found
from api.i18n import BISHKEK_TZ
from api.services.case_reading import case_for_staff
from db.models import AuditEntry, CaseFile, Task
from db.repositories import tasks as task_repo
from db.repositories.audit import append_audit
from db.repositories.users import get_user, holders_of
from db.sealing import session_sealer

VIEWING = ("case_viewed", "case_revealed_in_search", "inbox_viewed", "file_opened", "history_exported",
           "history_viewed", "case_replayed")


@dataclass(frozen=True)
class InboxRow:
    task: Task
    brief: task_repo.CaseBrief | None
    days_left: int | None  # to the last day still in time; negative when overdue
    urgency: str  # "overdue", "soon", "on_time" or "none"


def urgency(due_at: datetime | None, now: datetime, soon_days: int) -> tuple[int | None, str]:
    """Days to the last day still in time (deadlines fall due at local midnight), and its colour."""
    if due_at is None:
        return None, "none"
    last_day = (due_at - timedelta(seconds=1)).astimezone(BISHKEK_TZ).date()
    days = (last_day - now.astimezone(BISHKEK_TZ).date()).days
    if due_at <= now:
        return days, "overdue"
    return days, "soon" if days < soon_days else "on_time"


async def inbox(session: AsyncSession, staff: Staff, filters: task_repo.TaskFilter, page: int,
                everyone: bool = False) -> list[InboxRow]:
    """`everyone`: every role's open tasks (the list behind a backlog figure), for supervisors."""
    if everyone and not policy.may_supervise(staff.roles):
        raise ApiError(403, "only a supervisor sees every role's tasks", code="for_supervisors")
    roles = None if everyone else [r for r in staff.roles if r in DECIDERS]
    if roles == []:
        return []
    tasks = await open_tasks(session, staff, roles, page=page, filters=filters)
    briefs = await task_repo.case_briefs(session, sorted({t.case_number for t in tasks}))
    now = datetime.now(timezone.utc)
    rows = [InboxRow(t, briefs.get(t.case_number), *urgency(t.due_at, now, filters.soon_days)) for t in tasks]
    if rows:
        await append_audit(session, action="inbox_viewed", actor=staff.username, actor_role=",".join(staff.roles),
                           detail={"shown": sorted(briefs), "page": page})
    return rows


async def open_tasks(session: AsyncSession, staff: Staff, roles: list[str] | None, **kw) -> list[Task]:
    """Open tasks of `roles` (None: every role) that `staff` may work: a consular officer's only
    on the claims lodged at the mission they serve."""
    at_mission = {r: staff.mission for r in (roles or ()) if r in policy.AT_OWN_MISSION}
    return await task_repo.inbox(session, roles, username=staff.username, at_mission=at_mission, **kw)


async def claim(session: AsyncSession, staff: Staff, task_id: str) -> Task:
    """Take an open task of one of your roles on a case you may see; audited."""
    task = await task_repo.get_task(session, task_id) if len(task_id) <= 96 else None
    if task is None:
        raise not_found(f"no task {task_id[:96]}", "no_such_task")
    if task.role not in staff.roles:
        raise ApiError(403, f"this task is for the role '{task.role}'", code="task_for_role", params={"role": task.role})
    await case_for_staff(session, staff, task.case_number)
    if task.closed_at is not None:
        raise conflict("this task is already done", "task_done")
    if not await task_repo.claim(session, task_id, staff.username):
        raise conflict(f"this task is already claimed by {task.claimed_by}", "task_claimed", user=task.claimed_by)
    await append_audit(session, action="task_claimed", actor=staff.username, case_number=task.case_number,
                       detail={"task_id": task_id})
    return task


async def backlog(session: AsyncSession, staff: Staff, soon_days: int) -> list[task_repo.BacklogLine]:
    if not policy.may_supervise(staff.roles):
        raise ApiError(403, "the backlog is for supervisors", code="for_supervisors")
    return await task_repo.backlog(session, soon_days)


async def assignable(session: AsyncSession, staff: Staff, case, tasks: list[Task]) -> dict[str, list[str]]:
    """For each open task of `case`, the officers a supervisor may hand it to (holders of its role
    who may see the case: a consular officer of the mission where it was lodged)."""
    if not policy.may_supervise(staff.roles):
        return {}
    by_role = {role: [u.username for u in await holders_of(session, role) if _may_work(u, role, case)]
               for role in {t.role for t in tasks}}
    return {t.task_id: by_role[t.role] for t in tasks}


def _may_work(user, role: str, case) -> bool:
    return bool(policy.case_parts(Staff(user.username, (role,), user.mission), case.procedure, case.mission))


async def reassign(session: AsyncSession, staff: Staff, task_id: str, to_user: str, holder: str | None) -> Task:
    """A supervisor hands a task to a named officer holding its role. `holder` is who held it on
    the supervisor's page: if that changed meanwhile, nothing happens (409)."""
    if not policy.may_supervise(staff.roles):
        raise ApiError(403, "only a supervisor reassigns tasks", extra={"code": "not_supervisor"})
    task = await task_repo.get_task(session, task_id)
    if task is None or task.closed_at is not None:
        raise not_found("no open task with this id", "no_such_task")
    case = await case_for_staff(session, staff, task.case_number)
    user = await get_user(session, to_user)
    if user is None or not user.active or task.role not in user.roles or not _may_work(user, task.role, case):
        raise ApiError(422, f"{to_user[:64]} does not hold the role {task.role}",
                       extra={"code": "not_a_holder", "params": {"user": to_user[:64], "role": task.role}})
    if not await task_repo.assign(session, task_id, to_user, holder):
        raise conflict("the task changed meanwhile; reload the case", code="task_changed")
    await append_audit(session, action="task_reassigned", actor=staff.username, actor_role="supervisor",
                       case_number=task.case_number, detail={"task_id": task_id, "from": holder, "to": to_user})
    return task


def taken_over_from(staff: Staff, task: Task, confirmed: bool) -> str | None:
    """Deciding a task another officer claimed needs the decider's confirmation: the holder may be
    half-way through it (a phone call, a draft), so it is never silently overridden, yet an absent
    colleague does not block a statutory deadline. Returns whom it is taken from (None: nobody)."""
    if task.claimed_by in (None, staff.username):
        return None
    if not confirmed:
        raise ApiError(409, f"this task is claimed by {task.claimed_by}; confirm that you take it over",
                       extra={"code": "claimed_by_other", "params": {"user": task.claimed_by}})
    return task.claimed_by


async def record_take_over(session: AsyncSession, staff: Staff, task: Task, holder: str) -> None:
    """Written once the decision went through: a refused decision takes nothing over."""
    await append_audit(session, action="task_taken_over", actor=staff.username, actor_role=",".join(staff.roles),
                       case_number=task.case_number, detail={"task_id": task.task_id, "from": holder})


async def open_file(session: AsyncSession, staff: Staff, case_number: str, file_id: str) -> CaseFile:
    """An uploaded file, opened for someone whose roles show the case's files; audited."""
    case = await case_for_staff(session, staff, case_number)
    if "files" not in policy.case_parts(staff, case.procedure, case.mission):
        raise ApiError(403, "your roles do not show this case's files", code="files_not_shown")
    found = await session.get(CaseFile, file_id) if len(file_id) <= 36 else None
    if found is None or found.case_number != case.case_number:
        raise not_found("no such file on this case", "no_such_file")
    session.expunge(found)  # the opened bytes are for this response, never written back
    found.content = session_sealer(session).open_bytes(found.content, f"{case.case_number}|file.{file_id}")
    await append_audit(session, action="file_opened", actor=staff.username, actor_role=",".join(staff.roles),
                       case_number=case.case_number, detail={"file_id": file_id, "sha256": found.sha256})
    return found


async def who_viewed(session: AsyncSession, staff: Staff, case_number: str, limit: int = 200) -> list[AuditEntry]:
    """Everyone who saw this case: on its page, in a search or inbox list, a file, its history."""
    return (await views_of(session, staff, case_number, limit))[0]


async def views_of(session: AsyncSession, staff: Staff, case_number: str,
                   limit: int = 200) -> tuple[list[AuditEntry], int]:
    """The latest `limit` views of the case, and how many there are in all (for auditors)."""
    if "auditor" not in staff.roles:
        raise ApiError(403, "who viewed a case is for auditors", code="for_auditors")
    case = await case_for_staff(session, staff, case_number)
    viewing = and_(AuditEntry.action.in_(VIEWING), or_(
        AuditEntry.case_number == case.case_number, _shown.op("@>")(cast(json.dumps([case.case_number]), JSONB))))
    latest = list(await session.scalars(select(AuditEntry).where(viewing).order_by(AuditEntry.id.desc()).limit(limit)))
    if len(latest) < limit:
        return latest, len(latest)
    return latest, await session.scalar(select(func.count()).select_from(AuditEntry).where(viewing))


# Written as the index is (detail->'shown'), with the key as a literal, so the planner uses it.
_shown = AuditEntry.detail.op("->", return_type=JSONB)(literal_column("'shown'"))
