"""Applying a workflow transition to the read model: one transaction, once per (case, seq).

Every transition of every case runs through here (about twenty a refugee case), so its
statements are built once, against the tables, and executed with parameters: building them per
call (and the ORM's handling of them) cost the worker more CPU than PostgreSQL spent running them.
"""

from dataclasses import asdict, replace

from sqlalchemy import String, bindparam, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Case, CaseTransition, Notification, Task
from db.repositories.audit import append_audit
from db.repositories.superseding import StaleTransition, check_chain, fingerprint, set_open_tasks, supersede
from db.sealing import session_sealer
from schemas.messages import TransitionRecord

_cases, _tasks = Case.__table__, Task.__table__
_ADD = insert(CaseTransition.__table__)
_ADD_ONCE = _ADD.on_conflict_do_nothing(index_elements=["case_number", "seq"])
# Activities of one case may finish out of order after retries: only a newer seq moves the case,
# and never a write from a workflow task attempt older than the one that wrote the case last.
# ... and only from the workflow chain serving the case (bound by the first write that names one).
_CHAIN = bindparam("c", type_=String)
_MOVE_CASE = (update(_cases)
              .where(_cases.c.case_number == bindparam("n"), _cases.c.last_seq < bindparam("s"),
                     _cases.c.last_task_mark <= bindparam("m"),
                     or_(_CHAIN.is_(None), _cases.c.workflow_chain.is_(None), _cases.c.workflow_chain == _CHAIN))
              .values(state=bindparam("b_state"), awaiting=bindparam("b_awaiting"), deadline=bindparam("b_deadline"),
                      last_seq=bindparam("s"), updated_at=bindparam("b_at"), last_task_mark=bindparam("m"),
                      workflow_chain=func.coalesce(_cases.c.workflow_chain, _CHAIN))
              .returning(_cases.c.procedure))
_PROCEDURE = select(_cases.c.procedure).where(_cases.c.case_number == bindparam("n"))
_CLOSE = (update(_tasks).where(_tasks.c.task_id.in_(bindparam("ids", expanding=True)), _tasks.c.closed_at.is_(None))
          .values(closed_at=bindparam("b_at")))
_OPEN = insert(_tasks)
_OPEN = _OPEN.on_conflict_do_update(index_elements=["task_id"], set_={"due_at": _OPEN.excluded.due_at,
                                                                       "escalated_at": _OPEN.excluded.escalated_at})
_REMIND = update(_tasks).where(_tasks.c.task_id.in_(bindparam("ids", expanding=True))).values(reminded_at=bindparam("b_at"))
_ESCALATE = (update(_tasks).where(_tasks.c.task_id.in_(bindparam("ids", expanding=True)))
             .values(escalated_at=bindparam("b_at")))
_NOTIFY = insert(Notification.__table__).on_conflict_do_nothing()


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
    row = dict(case_number=r.case_number, seq=r.seq, at=r.at, state=r.state, event=r.event, step=r.step,
               outcome=r.outcome, actor=r.actor, actor_role=r.actor_role, reason=r.reason,
               public_note=r.public_note, note_params=r.note_params, detail=r.detail,
               task_mark=r.task_mark, fingerprint=said)
    db = await session.connection()
    superseding = False
    if (await db.execute(_ADD_ONCE, row)).rowcount == 0:
        if not r.task_mark or not await supersede(session, r, said):
            return False
        await db.execute(_ADD, row)
        superseding = True
    procedure = (await db.execute(_MOVE_CASE, {
        "n": r.case_number, "s": r.seq, "m": r.task_mark, "c": r.chain or None, "b_state": r.state,
        "b_awaiting": r.awaiting,
        "b_deadline": r.deadline, "b_at": r.at})).scalar()
    if procedure is None and r.chain:
        await check_chain(session, r)  # a write from another workflow than the case's raises here
    if procedure is None and r.task_mark:  # written in order, so only a stale attempt misses
        raise StaleTransition(f"{r.case_number}#{r.seq}")
    if r.open_tasks and procedure is None:  # a late, older transition that still opens tasks
        procedure = (await db.execute(_PROCEDURE, {"n": r.case_number})).scalar()
    if r.close_tasks:
        await db.execute(_CLOSE, {"ids": list(r.close_tasks), "b_at": r.at})
    if r.open_tasks:
        await db.execute(_OPEN, [dict(task_id=t.task_id, case_number=r.case_number, procedure=procedure, step=t.step,
                                      role=t.role, title=t.title, kind=t.kind, outcomes=t.outcomes, due_at=t.due_at,
                                      opened_at=r.at, clock=t.clock, escalated_at=r.at if t.escalated else None)
                                 for t in r.open_tasks])
    if superseding:
        await set_open_tasks(session, r)
    if r.remind_tasks:
        await db.execute(_REMIND, {"ids": list(r.remind_tasks), "b_at": r.at})
    if r.escalate_tasks:
        await db.execute(_ESCALATE, {"ids": list(r.escalate_tasks), "b_at": r.at})
    if r.notify_applicant and r.public_note:
        await db.execute(_NOTIFY, {"case_number": r.case_number, "seq": r.seq, "message": r.public_note,
                                   "params": r.note_params})
    # The transition row was new in this transaction, so its audit entry cannot exist yet. One written
    # inside a workflow task is keyed by that task too: a transition it supersedes, or one withdrawn
    # because the engine never committed it (reconciling.py), keeps its own entry under the same seq.
    key = f"transition:{r.case_number}:{r.seq}" + (f"@{r.task_mark}" if r.task_mark else "")
    await append_audit(session, action=r.event, actor=r.actor, actor_role=r.actor_role, case_number=r.case_number,
                       at=r.at, idempotency_key=key, known_new=True,
                       detail={"seq": r.seq, "state": r.state, "step": r.step, "outcome": r.outcome,
                               "reason": r.reason, "deadline": r.deadline, "detail": r.detail,
                               "tasks": {"opened": [asdict(t) for t in r.open_tasks], "closed": r.close_tasks,
                                         "escalated": r.escalate_tasks}})
    return True
