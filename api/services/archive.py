"""Keeping each closed case's engine history in PostgreSQL, so it outlives Temporal's retention."""

import hashlib
import json
import logging
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHistory
from temporalio.service import RPCError

from db.models import Case, CaseHistoryArchive
from db.repositories.audit import append_audit
from schemas.procedures import PROCEDURES
from stack.histories import case_runs

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
            runs = await case_runs(temporal, case_number)  # a status continued as new: every run
            history = runs_json(runs)
        except RPCError as err:
            # Gone already (retention ran first): nothing left to copy; the case is still listed.
            log.warning("no history to archive for %s: %s", case_number, err.status.name)
            continue
        async with sessions.begin() as session:
            inserted = await session.execute(insert(CaseHistoryArchive).values(
                case_number=case_number, archived_at=datetime.now(timezone.utc),
                events=sum(len(run.events) for run in runs),
                sha256=hashlib.sha256(history.encode()).hexdigest(), history_json=history,
            ).on_conflict_do_nothing())
            if inserted.rowcount:
                await append_audit(session, action="history_archived", actor="system", case_number=case_number,
                                   detail={"sha256": hashlib.sha256(history.encode()).hexdigest()})
                archived += 1
    return archived


def runs_json(runs: list[WorkflowHistory]) -> str:
    """One run as Temporal's own JSON; several (continue-as-new) as a JSON array of them."""
    if len(runs) == 1:
        return runs[0].to_json()
    return "[" + ",".join(run.to_json() for run in runs) + "]"


async def archived_history(session, case_number: str) -> list[WorkflowHistory] | None:
    """Every archived run of the case, the first first."""
    row = await session.get(CaseHistoryArchive, case_number)
    if row is None:
        return None
    if not row.history_json.lstrip().startswith("["):
        return [WorkflowHistory.from_json(case_number, row.history_json)]
    return [WorkflowHistory.from_json(case_number, json.dumps(run)) for run in json.loads(row.history_json)]
