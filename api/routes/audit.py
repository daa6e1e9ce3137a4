"""Auditors: verify the audit log, export a case's Temporal history, replay it against the code."""

from dataclasses import asdict
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field
from temporalio.service import RPCError

from api.deps import SessionDep, Staff, TemporalDep, require_roles
from api.errors import ApiError, not_found
from api.services import timeline
from api.services.archive import archived_history
from api.services.replay import replay_history
from db.repositories.audit import append_audit, session_keys
from db.repositories.audit_verify import verify_chain
from db.repositories.cases import get_case
from schemas.text import CASE_NUMBER

router = APIRouter(prefix="/audit", tags=["auditors"])
cases_router = APIRouter(prefix="/cases", tags=["auditors"])
Auditor = Annotated[Staff, Depends(require_roles("auditor"))]


class Verification(BaseModel):
    ok: bool
    entries: int
    first_bad: int | None
    problem: str
    trusted_until: datetime | None = Field(
        description="the log cannot be trusted after this moment (null with a broken log: not even its start)")
    checkpoints: int = Field(description="checkpoints kept outside the database that agree with the log")


@router.get("/verify", response_model=Verification)
async def verify(request: Request, session: SessionDep, staff: Auditor) -> Verification:
    store = request.app.state.checkpoints
    check = await verify_chain(session, session_keys(session), store.all())
    await append_audit(session, action="audit_verified", actor=staff.username, actor_role="auditor",
                       detail={"ok": check.ok, "entries": check.entries, "first_bad": check.first_bad})
    return Verification(ok=check.ok, entries=check.entries, first_bad=check.first_bad, problem=check.problem,
                        trusted_until=check.trusted_until, checkpoints=check.checkpoints)


class Replay(BaseModel):
    case_number: str
    reproduced: bool
    events: int
    detail: str
    event_id: int | None
    event_type: str


async def _history(session, temporal, case_number: str):
    case = await get_case(session, case_number) if CASE_NUMBER.match(case_number) else None
    if case is None:
        raise not_found(f"no case {case_number[:32]}")
    try:
        return await temporal.get_workflow_handle(case.case_number).fetch_history()
    except RPCError:
        archived = await archived_history(session, case.case_number)  # past Temporal's retention
        if archived is not None:
            return archived
        raise ApiError(409, f"no history is held for {case.case_number} (not started yet)") from None


@cases_router.get("/{case_number}/history/export")
async def export_history(case_number: str, session: SessionDep, temporal: TemporalDep, staff: Auditor) -> Response:
    """The Temporal history as stored, in the JSON that Replayer and the Temporal CLI load."""
    history = await _history(session, temporal, case_number)
    await append_audit(session, action="history_exported", actor=staff.username, actor_role="auditor",
                       case_number=case_number)
    return Response(history.to_json(), media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{case_number}.history.json"'})


@cases_router.post("/{case_number}/replay", response_model=Replay)
async def replay(case_number: str, session: SessionDep, temporal: TemporalDep, staff: Auditor) -> Replay:
    """Re-run the case's history against the current workflow code: reproduced, or where it diverges."""
    report = await replay_history(await _history(session, temporal, case_number),
                                  data_converter=temporal.data_converter)
    await append_audit(session, action="case_replayed", actor=staff.username, actor_role="auditor",
                       case_number=case_number, detail={"reproduced": report.reproduced,
                                                        "event_id": report.event_id})
    return Replay(case_number=case_number, reproduced=report.reproduced, events=report.events,
                  detail=report.detail, event_id=report.event_id, event_type=report.event_type)


class TimelineOut(BaseModel):
    case_number: str
    items: list[dict]


@cases_router.get("/{case_number}/history", response_model=TimelineOut)
async def case_history(case_number: str, session: SessionDep, temporal: TemporalDep, staff: Auditor,
                       format: Annotated[str, Query(pattern="^(json|csv)$")] = "json"):
    """Who decided what, when and on which grounds, with deadlines set and reached: the audit log
    merged with the engine's history, for open and closed cases (JSON, or CSV for spreadsheets)."""
    history = await _history(session, temporal, case_number)
    items = timeline.merge(timeline.engine_items(history), await timeline.audit_items(session, case_number))
    await append_audit(session, action="history_viewed", actor=staff.username, actor_role="auditor",
                       case_number=case_number)
    if format == "csv":
        return Response(timeline.as_csv(items), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{case_number}.timeline.csv"'})
    return TimelineOut(case_number=case_number, items=[{**asdict(i), "at": i.at.isoformat()} for i in items])
