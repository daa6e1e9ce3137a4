"""Staff pages: sign-in, inbox, case with decision forms. Same services as the JSON API."""

import uuid
from datetime import datetime, timezone
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api import i18n
from api.deps import DECIDERS, LimitsDep, SessionDep, SettingsDep, SignerDep, Staff, TemporalDep
from api.errors import ApiError, audit_refusal
from api.pages import csrf
from api.pages.common import form_data, form_fields, render
from api.rejections import localized
from api.security import TokenError, create_token, read_token
from api.services import case_reading, decisions
from api.services import sign_in as sign_in_service
from api.services.desk_view import open_steps
from db.repositories import tasks as task_repo
from db.repositories.audit import append_audit
from db.repositories.users import get_user, is_revoked
from schemas.messages import DecisionInput
from schemas.procedures import PROCEDURES
from schemas.text import CASE_NUMBER, has_nul

router = APIRouter(prefix="/staff", include_in_schema=False)
COOKIE = "aryz_staff"


class SignInRequired(Exception):
    pass


async def page_staff(request: Request, session: SessionDep, settings: SettingsDep) -> Staff:
    token = request.cookies.get(COOKIE)
    try:
        claims = read_token(token or "", settings.secret_key.get_secret_value())
    except TokenError:
        raise SignInRequired() from None
    user = await get_user(session, claims.username)
    if user is None or not user.active or await is_revoked(session, claims.jti):
        raise SignInRequired()
    request.state.token = claims
    if request.method == "POST":
        # The cookie is SameSite=Strict; every form also carries its CSRF token.
        await csrf.verify(request)
    request.state.staff = Staff(user.username, tuple(user.roles))
    return request.state.staff


PageStaff = Annotated[Staff, Depends(page_staff)]


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request) -> HTMLResponse:
    return render(request, "login.html", {})


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, session: SessionDep, settings: SettingsDep, limits: LimitsDep,
                username: Annotated[str, Form(max_length=64)] = "",
                password: Annotated[str, Form(max_length=200)] = ""):
    await csrf.verify(request, require_origin=True)
    try:
        user = await sign_in_service.sign_in(request, session, settings, limits, username, password)
    except ApiError as err:
        error = "locked" if err.status_code == 429 else "bad_login"
        return render(request, "login.html", {"error": error, "username": username}, err.status_code)
    response = RedirectResponse("/staff/inbox", status_code=303)
    response.set_cookie(COOKIE, create_token(user.username, settings.secret_key.get_secret_value(),
                                             settings.token_minutes),
                        max_age=settings.token_minutes * 60, httponly=True, samesite="strict", path="/staff",
                        secure=csrf.secure_cookies(request))
    return response


@router.post("/logout")
async def logout(request: Request, session: SessionDep, staff: PageStaff) -> RedirectResponse:
    """Signs out: the session's token is revoked, not only forgotten by this browser."""
    await csrf.verify(request, require_origin=True)
    await sign_in_service.sign_out(session, request.state.token)
    response = RedirectResponse("/staff/login", status_code=303)
    response.delete_cookie(COOKIE, path="/staff")
    return response


@router.get("/inbox", response_class=HTMLResponse)
async def inbox_page(request: Request, session: SessionDep, staff: PageStaff) -> HTMLResponse:
    roles = [r for r in staff.roles if r in DECIDERS]
    case = request.query_params.get("case", "")
    tasks = await task_repo.inbox(session, roles, username=staff.username, mine=False,
                                  case_number=case if CASE_NUMBER.match(case) else None) if roles else []
    return render(request, "inbox.html", {"staff": staff, "tasks": tasks, "now": datetime.now(timezone.utc),
                                          "saved": request.query_params.get("saved")})


@router.post("/tasks/{task_id}/claim")
async def claim_page(task_id: str, session: SessionDep, staff: PageStaff) -> RedirectResponse:
    task = None if has_nul(task_id) else await task_repo.get_task(session, task_id[:96])
    if task is not None and task.role in staff.roles and await task_repo.claim(session, task_id, staff.username):
        await append_audit(session, action="task_claimed", actor=staff.username, case_number=task.case_number,
                           detail={"task_id": task_id})
    return RedirectResponse("/staff/inbox", status_code=303)


async def _case_page(request: Request, session, staff: Staff, case_number: str, error: str = "",
                     status_code: int = 200) -> HTMLResponse:
    try:
        view = await case_reading.read_case(session, staff, case_number)
    except ApiError as err:
        return await _refused(request, err)
    tasks = [{"task": s.task, "spec": s.spec, "barred": s.barred, "params": s.params,
              "outcomes": [] if s.barred else [{"outcome": o, "fields": form_fields(o)} for o in s.spec.outcomes]}
             for s in open_steps(staff, view.case.procedure, view.open_tasks, view.transitions)]
    return render(request, "case.html", {
        "staff": staff, "case": view.case, "application": view.application, "tasks": tasks, "error": error,
        "decision_key": uuid.uuid4().hex, "pending": request.query_params.get("pending") == "1",
        "transitions": view.transitions, "documents": view.documents, "files": view.files}, status_code)


async def _refused(request: Request, err: ApiError) -> HTMLResponse:
    if err.status_code == 403:
        await audit_refusal(request, err.detail)
    return render(request, "error.html", {"message": "not_found" if err.status_code == 404 else "403"},
                  err.status_code)


@router.get("/cases/{case_number}", response_class=HTMLResponse)
async def case_page(case_number: str, request: Request, session: SessionDep, staff: PageStaff) -> HTMLResponse:
    return await _case_page(request, session, staff, case_number)


@router.post("/cases/{case_number}/decisions")
async def decide_page(case_number: str, request: Request, session: SessionDep, temporal: TemporalDep,
                      signer: SignerDep, staff: PageStaff):
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str) and not has_nul(v)}
    try:
        case = await case_reading.case_for_staff(session, staff, case_number)
    except ApiError as err:
        return await _refused(request, err)
    step = PROCEDURES[case.procedure].steps.get(form.get("step", ""))
    try:
        if step is None:
            raise ApiError(409, f"step '{form.get('step', '')[:40]}' is not open on this case")
        outcome = next((o for o in step.outcomes if o.name == form.get("outcome")), None)
        if outcome is None:
            raise ApiError(422, f"'{form.get('outcome', '')[:40]}' is not an outcome of step '{step.name}'")
        key = form.get("decision_key", "")[:100] or None  # one per rendered form: a resubmission is a retry
        await decisions.decide(session, temporal, signer, request.app.state.settings, staff, case.case_number,
                               DecisionInput(step=step.name, outcome=outcome.name, reason=form.get("reason", "")[:4000],
                                             data=form_data(outcome, form)), key)
    except ApiError as err:
        if err.status_code == 202:
            return RedirectResponse(f"/staff/cases/{case.case_number}?pending=1", status_code=303)
        if err.status_code == 403:
            await audit_refusal(request, err.detail)
        shown = localized(err.extra.get("code", ""), err.extra.get("params", {}), i18n.choose_lang(request))
        return await _case_page(request, session, staff, case_number, shown or err.detail, err.status_code)
    return RedirectResponse(f"/staff/inbox?saved={case.case_number}", status_code=303)
