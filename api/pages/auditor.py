"""The auditor's desk, signed in with the session cookie: any case's merged timeline and its CSV,
the replay button with its result, who has seen the case, and the audit log's verification.
A refusal (not an auditor, no such case, no history yet) is the shared error page, audited."""

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api import i18n
from api.deps import SessionDep, TemporalDep
from api.pages.common import render
from api.pages.staff_session import PageStaff
from api.services import auditing, timeline, workspace
from api.services.archive import runs_json
from schemas.text import CASE_NUMBER, typed_case_number

router = APIRouter(prefix="/staff/audit", include_in_schema=False)


@router.get("", response_class=HTMLResponse)
async def desk(request: Request, staff: PageStaff) -> Response:
    auditing.require_auditor(staff)
    number = typed_case_number(request.query_params.get("case", "")[:40])
    if CASE_NUMBER.match(number):
        return RedirectResponse(f"/staff/audit/cases/{number}", status_code=303)
    return render(request, "audit.html", {"staff": staff, "asked": number[:32], "check": None})


@router.post("/verify", response_class=HTMLResponse)
async def verify(request: Request, session: SessionDep, staff: PageStaff) -> HTMLResponse:
    check = await auditing.verify(session, staff, request.app.state.checkpoints)
    return render(request, "audit.html", {"staff": staff, "asked": "", "check": check, "canonical": "/staff/audit",
                                          "chain_problem": chain_problem(check, i18n.choose_lang(request))})


def chain_problem(check, lang: str) -> str:
    """Where the log breaks, in the auditor's words; a checkpoint's moment in their format."""
    if check.ok or not i18n.has("chain", check.code):
        return check.problem
    shown = {k: i18n.local_time(datetime.fromisoformat(v), lang) if k == "at" else v for k, v in check.params.items()}
    return i18n.text("chain", check.code, lang).format(**shown)


async def _case_desk(request: Request, session, temporal, staff, case_number: str, replay=None) -> HTMLResponse:
    items = await auditing.case_timeline(session, temporal, staff, case_number)
    views, viewed = await workspace.views_of(session, staff, case_number)
    # A case looked at every day for years would bury its decisions: here the timeline is what was
    # done to the case and the views have their own list below (the CSV and the API keep both).
    done = [i for i in items if not (i.source == "audit" and i.action in workspace.VIEWING)]
    return render(request, "audit_case.html", {"staff": staff, "case_number": case_number, "items": done,
                                               "views": views, "viewed": viewed, "replay": replay,
                                               "canonical": f"/staff/audit/cases/{case_number}"})


@router.get("/cases/{case_number}", response_class=HTMLResponse)
async def case_desk(case_number: str, request: Request, session: SessionDep, temporal: TemporalDep,
                    staff: PageStaff) -> HTMLResponse:
    return await _case_desk(request, session, temporal, staff, case_number)


@router.post("/cases/{case_number}/replay", response_class=HTMLResponse)
async def replay(case_number: str, request: Request, session: SessionDep, temporal: TemporalDep,
                 staff: PageStaff) -> HTMLResponse:
    report = await auditing.replay(session, temporal, staff, case_number)
    return await _case_desk(request, session, temporal, staff, case_number, report)


def _download(body: str, media_type: str, filename: str) -> Response:
    return Response(body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"',
                                                          "Cache-Control": "no-store"})


@router.get("/cases/{case_number}/timeline.csv")
async def timeline_csv(case_number: str, session: SessionDep, temporal: TemporalDep, staff: PageStaff) -> Response:
    items = await auditing.case_timeline(session, temporal, staff, case_number, exported=True)
    return _download(timeline.as_csv(items), "text/csv; charset=utf-8", f"{case_number}.timeline.csv")


@router.get("/cases/{case_number}/history.json")
async def history_json(case_number: str, session: SessionDep, temporal: TemporalDep, staff: PageStaff) -> Response:
    # Every run: one Temporal history, or a JSON array of them for a status continued as new.
    runs = await auditing.engine_runs(session, temporal, staff, case_number)
    return _download(runs_json(runs), "application/json", f"{case_number}.history.json")
