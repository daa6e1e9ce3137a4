"""Keeping each closed case's engine history in PostgreSQL, so it outlives Temporal's retention."""

import hashlib
import logging
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHistory
from temporalio.service import RPCError

from db.models import Case, CaseHistoryArchive
from db.repositories.audit import append_audit
from schemas.procedures import PROCEDURES

log = logging.getLogger(__name__)
FINAL_STATES = sorted({s for p in PROCEDURES.values() for s in p.final})


async def archive_closed_histories(sessions, temporal: Client, limit: int = 50) -> int:
    """Copy the history of every closed, not yet archived case. Returns how many were archived."""
    async with sessions() as session:
        pending = list(await session.scalars(
            select(Case.case_number).where(Case.state.in_(FINAL_STATES))
            .where(~select(CaseHistoryArchive.case_number).where(
                CaseHistoryArchive.case_number == Case.case_number).exists())
            .limit(limit)))
    archived = 0
    for case_number in pending:
        handle = temporal.get_workflow_handle(case_number)
        try:
            if (await handle.describe()).status == WorkflowExecutionStatus.RUNNING:
                continue  # the read model saw the final state a moment before the workflow ended
            history = (await handle.fetch_history()).to_json()
        except RPCError as err:
            # Gone already (retention ran first): nothing left to copy; the case is still listed.
            log.warning("no history to archive for %s: %s", case_number, err.status.name)
            continue
        async with sessions.begin() as session:
            inserted = await session.execute(insert(CaseHistoryArchive).values(
                case_number=case_number, archived_at=datetime.now(timezone.utc),
                events=len(WorkflowHistory.from_json(case_number, history).events),
                sha256=hashlib.sha256(history.encode()).hexdigest(), history_json=history,
            ).on_conflict_do_nothing())
            if inserted.rowcount:
                await append_audit(session, action="history_archived", actor="system", case_number=case_number,
                                   detail={"sha256": hashlib.sha256(history.encode()).hexdigest()})
                archived += 1
    return archived


async def archived_history(session, case_number: str) -> WorkflowHistory | None:
    row = await session.get(CaseHistoryArchive, case_number)
    return WorkflowHistory.from_json(case_number, row.history_json) if row else None
