"""The auditor's desk, signed in with the session cookie: any case's merged timeline and its CSV,
the replay button with its result, who has seen the case, and the audit log's verification."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import SessionDep, TemporalDep
from api.errors import ApiError
from api.pages.common import render
from api.pages.staff_session import PageStaff
from api.services import auditing, timeline, workspace
from schemas.text import CASE_NUMBER

router = APIRouter(prefix="/staff/audit", include_in_schema=False)


def _refused(request: Request, err: ApiError) -> HTMLResponse:
    message = {403: "403", 404: "not_found"}.get(err.status_code, "no_history")
    return render(request, "error.html", {"message": message}, err.status_code)


@router.get("", response_class=HTMLResponse)
async def desk(request: Request, staff: PageStaff) -> Response:
    if "auditor" not in staff.roles:
        return render(request, "error.html", {"message": "403"}, 403)
    number = request.query_params.get("case", "").strip().upper()
    if CASE_NUMBER.match(number):
        return RedirectResponse(f"/staff/audit/cases/{number}", status_code=303)
    return render(request, "audit.html", {"staff": staff, "asked": number[:32], "check": None})


@router.post("/verify", response_class=HTMLResponse)
async def verify(request: Request, session: SessionDep, staff: PageStaff) -> HTMLResponse:
    try:
        check = await auditing.verify(session, staff, request.app.state.checkpoints)
    except ApiError as err:
        return _refused(request, err)
    return render(request, "audit.html", {"staff": staff, "asked": "", "check": check, "canonical": "/staff/audit"})


async def _case_desk(request: Request, session, temporal, staff, case_number: str, replay=None) -> HTMLResponse:
    try:
        items = await auditing.case_timeline(session, temporal, staff, case_number)
        views = await workspace.who_viewed(session, staff, case_number)
    except ApiError as err:
        return _refused(request, err)
    return render(request, "audit_case.html", {"staff": staff, "case_number": case_number, "items": items,
                                               "views": views, "replay": replay,
                                               "canonical": f"/staff/audit/cases/{case_number}"})


@router.get("/cases/{case_number}", response_class=HTMLResponse)
async def case_desk(case_number: str, request: Request, session: SessionDep, temporal: TemporalDep,
                    staff: PageStaff) -> HTMLResponse:
    return await _case_desk(request, session, temporal, staff, case_number)


@router.post("/cases/{case_number}/replay", response_class=HTMLResponse)
async def replay(case_number: str, request: Request, session: SessionDep, temporal: TemporalDep,
                 staff: PageStaff) -> HTMLResponse:
    try:
        report = await auditing.replay(session, temporal, staff, case_number)
    except ApiError as err:
        return _refused(request, err)
    return await _case_desk(request, session, temporal, staff, case_number, report)


@router.get("/cases/{case_number}/timeline.csv")
async def timeline_csv(case_number: str, request: Request, session: SessionDep, temporal: TemporalDep,
                       staff: PageStaff) -> Response:
    try:
        items = await auditing.case_timeline(session, temporal, staff, case_number, exported=True)
    except ApiError as err:
        return _refused(request, err)
    return Response(timeline.as_csv(items), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{case_number}.timeline.csv"',
                             "Cache-Control": "no-store"})


@router.get("/cases/{case_number}/history.json")
async def history_json(case_number: str, request: Request, session: SessionDep, temporal: TemporalDep,
                       staff: PageStaff) -> Response:
    try:
        history = await auditing.engine_history(session, temporal, staff, case_number)
    except ApiError as err:
        return _refused(request, err)
    return Response(history.to_json(), media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{case_number}.history.json"',
                             "Cache-Control": "no-store"})
