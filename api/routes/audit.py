"""Auditors: verify the audit log, export a case's Temporal history, replay it against the code."""

from dataclasses import asdict
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from api.deps import SessionDep, Staff, TemporalDep, require_roles
from api.services import auditing, timeline

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
    code: str = Field(default="", description="what is wrong, as a stable code (hash_mismatch, tail_cut…)")
    params: dict = Field(default_factory=dict)


@router.get("/verify", response_model=Verification, summary="Verify the audit log's chain")
async def verify(request: Request, session: SessionDep, staff: Auditor) -> Verification:
    """Checks every entry's HMAC and link, and the chain against the last checkpoint kept outside
    PostgreSQL: the first bad entry and since when the log is not to be trusted, if any."""
    check = await auditing.verify(session, staff, request.app.state.checkpoints)
    return Verification(ok=check.ok, entries=check.entries, first_bad=check.first_bad, problem=check.problem,
                        trusted_until=check.trusted_until, checkpoints=check.checkpoints, code=check.code,
                        params=check.params)


class Replay(BaseModel):
    case_number: str
    reproduced: bool
    events: int
    detail: str
    event_id: int | None
    event_type: str


@cases_router.get("/{case_number}/history/export")
async def export_history(case_number: str, session: SessionDep, temporal: TemporalDep, staff: Auditor,
                         run: Annotated[int | None, Query(ge=1, le=500)] = None) -> Response:
    """One run's Temporal history as stored, in the JSON that Replayer and the Temporal CLI load:
    the latest run, or `run` (from 1; a refugee's status continues as new at each renewal, and
    the header `X-Aryz-Runs` says how many runs the case has)."""
    history, runs = await auditing.engine_history(session, temporal, staff, case_number, run)
    name = f"{case_number}.run{run}" if run else case_number
    return Response(history.to_json(), media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}.history.json"',
                             "X-Aryz-Runs": str(runs)})


@cases_router.post("/{case_number}/replay", response_model=Replay)
async def replay(case_number: str, session: SessionDep, temporal: TemporalDep, staff: Auditor) -> Replay:
    """Re-run the case's history against the current workflow code: reproduced, or where it diverges."""
    report = await auditing.replay(session, temporal, staff, case_number)
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
    items = await auditing.case_timeline(session, temporal, staff, case_number, exported=format == "csv")
    if format == "csv":
        return Response(timeline.as_csv(items), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{case_number}.timeline.csv"'})
    return TimelineOut(case_number=case_number, items=[{**asdict(i), "at": i.at.isoformat()} for i in items])
