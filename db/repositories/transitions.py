"""Applying a workflow transition to the read model: one transaction, once per (case, seq)."""

from dataclasses import asdict, replace

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Case, CaseTransition, Notification, Task
from db.repositories.audit import append_audit
from db.repositories.superseding import StaleTransition, fingerprint, set_open_tasks, supersede
from db.sealing import session_sealer
from schemas.messages import TransitionRecord


async def apply_transition(session: AsyncSession, r: TransitionRecord) -> bool:
    """False if this (case, seq) was applied before: a retried activity changes nothing. A
    decision's data (interview records, verification notes…) is stored sealed, in the read model
    and in the audit entry alike. A transition written inside a workflow task (`task_mark`
    set) replaces what an earlier attempt of that task wrote under the same seq, and raises
    StaleTransition if it comes from such an attempt itself (superseding.py)."""
    said = fingerprint(r)
    if r.detail.get("data"):
        sealed = session_sealer(session).seal(r.detail["data"], f"{r.case_number}|transition.{r.seq}.data")
        r = replace(r, detail={**r.detail, "data": sealed})
    row = insert(CaseTransition).values(
        case_number=r.case_number, seq=r.seq, at=r.at, state=r.state, event=r.event, step=r.step,
        outcome=r.outcome, actor=r.actor, actor_role=r.actor_role, reason=r.reason,
        public_note=r.public_note, note_params=r.note_params, detail=r.detail,
        task_mark=r.task_mark, fingerprint=said)
    inserted = await session.execute(row.on_conflict_do_nothing(index_elements=["case_number", "seq"]))
    superseding = False
    if inserted.rowcount == 0:
        if not r.task_mark or not await supersede(session, r, said):
            return False
        await session.execute(row)
        superseding = True
    # Activities of one case may finish out of order after retries: only a newer seq moves the case,
    # and never a write from a workflow task attempt older than the one that wrote the case last.
    procedure = await session.scalar(
        update(Case).where(Case.case_number == r.case_number, Case.last_seq < r.seq,
                           Case.last_task_mark <= r.task_mark)
        .values(state=r.state, awaiting=r.awaiting, deadline=r.deadline, last_seq=r.seq, updated_at=r.at,
                last_task_mark=r.task_mark)
        .returning(Case.procedure))
    if procedure is None and r.task_mark:  # written in order, so only a stale attempt misses
        raise StaleTransition(f"{r.case_number}#{r.seq}")
    if r.open_tasks and procedure is None:  # a late, older transition that still opens tasks
        procedure = await session.scalar(select(Case.procedure).where(Case.case_number == r.case_number))
    if r.close_tasks:
        await session.execute(update(Task).where(Task.task_id.in_(r.close_tasks), Task.closed_at.is_(None))
                              .values(closed_at=r.at))
    for t in r.open_tasks:
        stmt = insert(Task).values(task_id=t.task_id, case_number=r.case_number, procedure=procedure, step=t.step,
                                   role=t.role, title=t.title, kind=t.kind, outcomes=t.outcomes, due_at=t.due_at,
                                   opened_at=r.at, clock=t.clock,
                                   escalated_at=r.at if t.escalated else None)
        await session.execute(stmt.on_conflict_do_update(
            index_elements=["task_id"], set_={"due_at": stmt.excluded.due_at, "escalated_at": stmt.excluded.escalated_at}))
    if superseding:
        await set_open_tasks(session, r)
    if r.remind_tasks:
        await session.execute(update(Task).where(Task.task_id.in_(r.remind_tasks)).values(reminded_at=r.at))
    if r.escalate_tasks:
        await session.execute(update(Task).where(Task.task_id.in_(r.escalate_tasks)).values(escalated_at=r.at))
    if r.notify_applicant and r.public_note:
        await session.execute(insert(Notification).values(case_number=r.case_number, seq=r.seq, message=r.public_note,
                                                            params=r.note_params)
                              .on_conflict_do_nothing())
    # The transition row was new in this transaction, so its audit entry cannot exist yet (one that
    # supersedes another is keyed by its workflow task too: the superseded one keeps its entry).
    key = f"transition:{r.case_number}:{r.seq}" + (f"@{r.task_mark}" if superseding else "")
    await append_audit(session, action=r.event, actor=r.actor, actor_role=r.actor_role, case_number=r.case_number,
                       at=r.at, idempotency_key=key, known_new=True,
                       detail={"seq": r.seq, "state": r.state, "step": r.step, "outcome": r.outcome,
                               "reason": r.reason, "deadline": r.deadline, "detail": r.detail,
                               "tasks": {"opened": [asdict(t) for t in r.open_tasks], "closed": r.close_tasks,
                                         "escalated": r.escalate_tasks}})
    return True
