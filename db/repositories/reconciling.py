"""Bringing a case's read model to what the engine's history has recorded (activities/reconciler.py).

Transitions are written by a local activity inside the workflow task that makes them, before that
task is durable (workflows/steps/recorder.py). When the task is lost with an Update the engine had
not yet accepted durably (the server stopped, or the worker and the server died together), the
retried task never sees that Update: nothing ever records another transition under the same seq,
so superseding (superseding.py) never comes, and the case reads decided while the engine still
waits, its task closed in every inbox. Here such transitions are withdrawn: kept whole for the
auditors, as superseded ones are, with an audit entry that says what the engine holds instead.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Case, ReconcilerRound, Task
from db.repositories.audit import append_audit
from db.repositories.superseding import hold_open, move_aside
from schemas.messages import RecordedState


@dataclass(frozen=True)
class ReadModelCase:
    """What the read model says of a case, to hold against the engine's `RecordedState`."""

    case_number: str
    last_seq: int
    state: str
    open_tasks: frozenset[str]


async def cases_to_check(session: AsyncSession, *, since: datetime | None, final: frozenset[str]) -> list[str]:
    """Cases whose workflow has started: with `since`, those the read model moved since then;
    without, every case not in a final state and every case moved in the last day (a withdrawn
    decision may have been one that ended the case)."""
    query = select(Case.case_number).where(Case.workflow_started)
    if since is not None:
        query = query.where(Case.updated_at >= since)
    else:
        query = query.where(Case.state.not_in(final) | (Case.updated_at >= datetime.now(timezone.utc) - timedelta(days=1)))
    return list(await session.scalars(query.order_by(Case.case_number)))


async def read_model_case(session: AsyncSession, case_number: str) -> ReadModelCase | None:
    case = await session.get(Case, case_number)
    if case is None:
        return None
    open_tasks = await session.scalars(select(Task.task_id).where(Task.case_number == case_number,
                                                                  Task.closed_at.is_(None)))
    return ReadModelCase(case_number, case.last_seq, case.state, frozenset(open_tasks))


def out_of_step(read: ReadModelCase, engine: RecordedState) -> bool:
    """The read model says more than the engine has recorded, or other tasks are open. A read model
    behind the engine (seq lower) is not out of step: its transitions are still being retried in."""
    if read.last_seq > engine.seq:
        return True
    return read.last_seq == engine.seq and (read.state != engine.state or read.open_tasks != set(engine.open_tasks))


async def bring_to_engine(session: AsyncSession, seen: ReadModelCase, engine: RecordedState) -> bool:
    """Withdraw what the read model says beyond the engine's seq and set the case and its tasks to
    the engine's. Only if the case is still as `seen` (False otherwise: it moved meanwhile, look
    again). Transitions withdrawn are kept whole in superseded_transitions, their news with them (and
    no longer sent if it was not yet)."""
    case = (await session.execute(select(Case).where(Case.case_number == seen.case_number).with_for_update())).scalar()
    if case is None or case.last_seq != seen.last_seq:
        return False
    now = datetime.now(timezone.utc)
    held = list(engine.open_tasks)
    withdrawn, phantoms = await move_aside(session, seen.case_number, engine.seq + 1, 0,
                                           {"withdrawn": "never committed by the engine"}, keep_tasks=held)
    reopened, closed = await hold_open(session, seen.case_number, held, now)
    # last_task_mark stays: a late write from the lost workflow task is still refused (superseding.py).
    await session.execute(update(Case).where(Case.case_number == seen.case_number).values(
        state=engine.state, awaiting=engine.awaiting, deadline=engine.deadline, last_seq=engine.seq))
    await append_audit(
        session, action="transitions_reconciled", actor="system", case_number=seen.case_number, at=now,
        idempotency_key=f"reconciled:{seen.case_number}:{seen.last_seq}>{engine.seq}:{now.isoformat()}",
        detail={"read_model": {"seq": seen.last_seq, "state": seen.state},
                "engine": {"seq": engine.seq, "state": engine.state, "open_tasks": held},
                "withdrawn": [{"seq": t.seq, "event": t.event, "state": t.state, "task_mark": t.task_mark}
                              for t in withdrawn],
                "tasks": {"reopened": reopened, "closed": closed, "removed": phantoms},
                "why": "the read model said what the engine's history does not: written by a workflow task "
                       "that was lost with the message it took"})
    return True


async def end_case(session: AsyncSession, seen: ReadModelCase, status: str, ended: str) -> bool:
    """The case's workflow was ended through the engine (terminated, failed, timed out): no task is
    open any more and the case reads `ended`, with an audit entry naming how the workflow ended."""
    case = (await session.execute(select(Case).where(Case.case_number == seen.case_number).with_for_update())).scalar()
    if case is None or case.last_seq != seen.last_seq:
        return False
    now = datetime.now(timezone.utc)
    _, closed = await hold_open(session, seen.case_number, [], now)
    await session.execute(update(Case).where(Case.case_number == seen.case_number).values(
        state=ended, awaiting="", deadline=None))
    await append_audit(
        session, action="workflow_ended_in_engine", actor="system", case_number=seen.case_number, at=now,
        idempotency_key=f"ended:{seen.case_number}:{status}:{seen.last_seq}",
        detail={"workflow_status": status, "read_model": {"seq": seen.last_seq, "state": seen.state},
                "tasks_closed": closed,
                "why": "the case's workflow was ended through the engine, outside the procedure"})
    return True


async def note_answering(session: AsyncSession, answering: list[str], silent: list[str]) -> None:
    """Cases whose workflow does not answer are stalled from now (if not already); those that answer
    are not (any more)."""
    if silent:
        await session.execute(update(Case).where(Case.case_number.in_(silent), Case.stalled_since.is_(None))
                              .values(stalled_since=datetime.now(timezone.utc)))
    if answering:
        await session.execute(update(Case).where(Case.case_number.in_(answering), Case.stalled_since.is_not(None))
                              .values(stalled_since=None))


async def checked_through(session: AsyncSession) -> datetime | None:
    return await session.scalar(select(ReconcilerRound.checked_through).where(ReconcilerRound.name == "cases"))


async def note_checked_through(session: AsyncSession, moment: datetime) -> None:
    """Moves the mark forward only: two workers' rounds may end in either order."""
    added = pg_insert(ReconcilerRound).values(name="cases", checked_through=moment)
    await session.execute(added.on_conflict_do_update(
        index_elements=["name"], set_={"checked_through": func.greatest(ReconcilerRound.checked_through,
                                                                        added.excluded.checked_through)}))
