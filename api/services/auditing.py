"""The auditor's tools, for the JSON API and the auditor's pages alike: verify the audit log,
read a case's merged timeline (or CSV), export its engine history, replay it against the code.

Each use is an audit entry. The read model is left (committed) before the engine is asked for a
history: no database connection waits on Temporal."""

from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client, WorkflowHistory
from temporalio.service import RPCError

from api.deps import Staff
from api.errors import ApiError, not_found
from api.services import timeline
from api.services.archive import archived_history
from api.services.replay import ReplayReport, replay_runs
from db.models import Case
from db.repositories.audit import append_audit, session_keys
from db.repositories.audit_verify import ChainCheck, verify_chain
from db.repositories.cases import get_case
from schemas.text import CASE_NUMBER
from stack.histories import case_runs


def require_auditor(staff: Staff) -> None:
    if "auditor" not in staff.roles:
        raise ApiError(403, "this is for auditors", code="for_auditors")


async def verify(session: AsyncSession, staff: Staff, checkpoints) -> ChainCheck:
    require_auditor(staff)
    check = await verify_chain(session, session_keys(session), checkpoints.all())
    await append_audit(session, action="audit_verified", actor=staff.username, actor_role="auditor",
                       detail={"ok": check.ok, "entries": check.entries, "first_bad": check.first_bad})
    return check


async def _case(session: AsyncSession, staff: Staff, case_number: str) -> Case:
    require_auditor(staff)
    case = await get_case(session, case_number) if CASE_NUMBER.match(case_number) else None
    if case is None:
        raise not_found(f"no case {case_number[:32]}", "no_such_case")
    return case


async def _histories(session: AsyncSession, temporal: Client, case: Case) -> list[WorkflowHistory]:
    """Every run of the case (a refugee's status continues as new at each renewal), the first first."""
    await session.commit()
    try:
        return await case_runs(temporal, case.case_number)
    except RPCError:
        archived = await archived_history(session, case.case_number)  # past Temporal's retention
        if archived is not None:
            return archived
        raise ApiError(409, f"no history is held for {case.case_number} (not started yet)",
                       extra={"code": "no_history"}) from None


async def case_timeline(session: AsyncSession, temporal: Client, staff: Staff, case_number: str,
                        exported: bool = False) -> list[timeline.TimelineItem]:
    """Who decided what, when and on which grounds, with deadlines set and reached."""
    case = await _case(session, staff, case_number)
    await append_audit(session, action="history_exported" if exported else "history_viewed", actor=staff.username,
                       actor_role="auditor", case_number=case.case_number, detail={"format": "csv" if exported else ""})
    runs = await _histories(session, temporal, case)
    engine = [item for i, run in enumerate(runs, start=1)
              for item in timeline.engine_items(run, run=i if len(runs) > 1 else 0,
                                                timers=await timeline.timer_summaries(run, temporal.data_converter))]
    return timeline.merge(engine, await timeline.audit_items(session, case.case_number),
                          await timeline.outbox_items(session, case.case_number))


async def engine_runs(session: AsyncSession, temporal: Client, staff: Staff, case_number: str,
                      run: int | None = None) -> list[WorkflowHistory]:
    """Every run's history of the case, the first first (exported: audited)."""
    case = await _case(session, staff, case_number)
    await append_audit(session, action="history_exported", actor=staff.username, actor_role="auditor",
                       case_number=case.case_number, detail={"format": "temporal-json", "run": run})
    return await _histories(session, temporal, case)


async def engine_history(session: AsyncSession, temporal: Client, staff: Staff, case_number: str,
                         run: int | None = None) -> tuple[WorkflowHistory, int]:
    """One run's history (the latest unless `run`, counted from 1, is asked for) and how many there are."""
    runs = await engine_runs(session, temporal, staff, case_number, run)
    if run is not None and not 1 <= run <= len(runs):
        raise not_found(f"{case_number} has {len(runs)} run(s)", "no_such_run", runs=len(runs))
    return runs[(run or len(runs)) - 1], len(runs)


async def replay(session: AsyncSession, temporal: Client, staff: Staff, case_number: str) -> ReplayReport:
    case = await _case(session, staff, case_number)
    report = await replay_runs(await _histories(session, temporal, case), data_converter=temporal.data_converter)
    await append_audit(session, action="case_replayed", actor=staff.username, actor_role="auditor",
                       case_number=case.case_number, detail={"reproduced": report.reproduced,
                                                             "event_id": report.event_id})
    return report
