"""Superseding what a workflow task that never completed wrote to the read model.

Transitions recorded by a local activity are written inside the workflow task that makes them,
before that task is durable. If the task does not complete (its worker died, or it timed out) the
engine retries it. The retry first replays what the lost attempt saw, and records the same
transitions (a no-op here); but it may then record a different one under the same seq, when the
engine does not hand it a message the lost attempt had taken (an update dropped with the lost
task). Each record carries the mark of the task that wrote it (`task_mark`: the run's start and
the history's length, which only grows from one workflow task, or attempt of one, to the next
along a case's life; the retry replays the lost attempt's events under its own, larger, length,
as tests/faults/test_lost_workflow_task.py sees), so the read model can tell the retry from the
attempt it replaces: the retry's transitions supersede the abandoned attempt's from that seq on,
and a late write from the abandoned attempt (a worker still running after its task timed out) is
refused.
"""

import hashlib
import json
from dataclasses import asdict
from datetime import datetime, timezone

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Case, CaseTransition, Notification, SupersededTransition, Task
from db.repositories.audit import append_audit
from schemas.messages import TransitionRecord


class StaleTransition(Exception):
    """A write from a workflow task attempt that a newer attempt has already replaced."""


class ForeignWorkflow(Exception):
    """A write from a workflow that is not the one serving the case (another chain of runs)."""


async def check_chain(session: AsyncSession, r: TransitionRecord) -> None:
    """Binds the case to the writer's chain of runs if it has none; raises ForeignWorkflow if it
    is bound to another. Called with the case row locked, or where the write depends on it."""
    if not r.chain:
        return
    bound = (await session.execute(update(Case).where(Case.case_number == r.case_number).values(
        workflow_chain=func.coalesce(Case.workflow_chain, r.chain)).returning(Case.workflow_chain))).scalar()
    if bound is not None and bound != r.chain:
        raise ForeignWorkflow(f"{r.case_number}#{r.seq}")


def fingerprint(r: TransitionRecord) -> str:
    """What a transition says, but not when or by which task it was written: the same path retried
    gives the same fingerprint, whatever its workflow time, another path a different one."""
    said = {k: v for k, v in asdict(r).items() if k not in ("at", "task_mark", "chain")}
    return hashlib.sha256(json.dumps(said, sort_keys=True, default=str).encode()).hexdigest()


def _opened_at_seq(task_id: str) -> int:
    """Task ids are `case:seq:step` (workflows/steps/recorder.py), seq being the transition that
    opened it; 0 for an id of another shape (never taken for one the lost attempt opened)."""
    parts = task_id.rsplit(":", 2)
    return int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else 0


def _as_json(row) -> dict:
    return json.loads(json.dumps({c.name: getattr(row, c.key) for c in row.__table__.columns}, default=str))


async def supersede(session: AsyncSession, r: TransitionRecord, said: str) -> bool:
    """Called when (case, seq) is taken. True if `r` replaces what is there (moved aside with every
    later transition, their tasks and unsent notifications undone); False if `r` is already there
    (a retried activity) or comes from an older attempt than what is there (raises StaleTransition)."""
    await session.execute(select(Case.case_number).where(Case.case_number == r.case_number).with_for_update())
    await check_chain(session, r)  # before anything moves: a twin repeating the case's path is no retry
    there = (await session.execute(select(CaseTransition.task_mark, CaseTransition.fingerprint).where(
        CaseTransition.case_number == r.case_number, CaseTransition.seq == r.seq))).one()
    if there.fingerprint == said:
        # The same path retried: from now on the lost attempt's late writes are refused.
        await session.execute(update(Case).where(Case.case_number == r.case_number, Case.last_task_mark < r.task_mark)
                              .values(last_task_mark=r.task_mark))
        return False
    if there.task_mark >= r.task_mark:
        raise StaleTransition(f"{r.case_number}#{r.seq}")
    # Tasks opened by the abandoned attempt never existed; the retry opens its own (the same ids
    # if it takes the same step) and reopens those the abandoned attempt closed (set_open_tasks).
    later, _ = await move_aside(session, r.case_number, r.seq, r.task_mark)
    await session.execute(update(Case).where(Case.case_number == r.case_number).values(last_seq=r.seq - 1))
    await append_audit(
        session, action="transitions_superseded", actor="system", case_number=r.case_number,
        at=datetime.now(timezone.utc), idempotency_key=f"superseded:{r.case_number}:{r.seq}@{r.task_mark}",
        detail={"from_seq": r.seq, "superseded": [{"seq": t.seq, "event": t.event, "state": t.state,
                                                   "task_mark": t.task_mark} for t in later],
                "by_task_mark": r.task_mark,
                "why": "written by a workflow task that never completed; its retry recorded otherwise"})
    return True


async def move_aside(session: AsyncSession, case_number: str, from_seq: int, by_task_mark: int,
                     note: dict | None = None, keep_tasks: list[str] = ()) -> tuple[list[CaseTransition], list[str]]:
    """Moves the case's transitions from `from_seq` on into superseded_transitions, kept whole with
    their news (and `note`), deletes them and their news (no longer sent if it was not yet), and the
    tasks they opened but those in `keep_tasks`. Returns (the transitions moved, the tasks deleted).
    For a retry that supersedes a lost attempt, and for what the engine never committed
    (reconciling.py)."""
    later = list(await session.scalars(select(CaseTransition).where(
        CaseTransition.case_number == case_number, CaseTransition.seq >= from_seq).order_by(CaseTransition.seq)))
    told = {n.seq: n for n in await session.scalars(select(Notification).where(
        Notification.case_number == case_number, Notification.seq >= from_seq))}
    for t in later:
        notification = told.get(t.seq)
        await session.execute(insert(SupersededTransition).values(
            case_number=case_number, seq=t.seq, superseded_by_task_mark=by_task_mark,
            record={**_as_json(t), "notification": _as_json(notification) if notification else None, **(note or {})}))
    await session.execute(delete(Notification).where(Notification.case_number == case_number,
                                                     Notification.seq >= from_seq))
    await session.execute(delete(CaseTransition).where(CaseTransition.case_number == case_number,
                                                       CaseTransition.seq >= from_seq))
    phantoms = [t for t in await session.scalars(select(Task.task_id).where(Task.case_number == case_number))
                if _opened_at_seq(t) >= from_seq and t not in keep_tasks]
    if phantoms:
        await session.execute(delete(Task).where(Task.task_id.in_(phantoms)))
    return later, phantoms


async def hold_open(session: AsyncSession, case_number: str, open_now: list[str], at: datetime
                    ) -> tuple[list[str], list[str]]:
    """Exactly the tasks the workflow holds open are open: returns (those reopened, those closed)."""
    reopened = list(await session.scalars(update(Task).where(
        Task.case_number == case_number, Task.task_id.in_(open_now), Task.closed_at.is_not(None))
        .values(closed_at=None).returning(Task.task_id)))
    closed = list(await session.scalars(update(Task).where(
        Task.case_number == case_number, Task.closed_at.is_(None), Task.task_id.not_in(open_now))
        .values(closed_at=at).returning(Task.task_id)))
    return reopened, closed


async def set_open_tasks(session: AsyncSession, r: TransitionRecord) -> None:
    """After a superseding transition: exactly the tasks the workflow holds open are open."""
    await hold_open(session, r.case_number, r.open_now or [], r.at)
