"""Administrators' pages: staff accounts (create, change roles, deactivate, reset the password;
never delete) and the foreign-labour quota buckets of a year with their amendments."""

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api import i18n
from api.deps import SessionDep
from api.errors import ApiError
from api.pages.common import render
from api.pages.staff_session import PageStaff, Posted
from api.rejections import localized
from api.security import ROLES
from api.services import administration
from schemas.people import REGIONS
from schemas.work_permit import SECTORS

router = APIRouter(prefix="/staff/admin", include_in_schema=False)


def _message(request: Request, err: ApiError) -> str:
    code = err.extra.get("code", "")
    return localized(code, err.extra.get("params", {}), i18n.choose_lang(request)) or err.detail


async def _users_page(request: Request, session, staff, error: str = "", status_code: int = 200,
                      form: dict | None = None, created=None) -> Response:
    users = await administration.accounts(session, staff)  # 403 for anyone else: the shared, audited error page
    return render(request, "users.html", {"staff": staff, "users": users, "roles": ROLES, "error": error,
                                          "form": form or {}, "created": created, "canonical": "/staff/admin/users"},
                  status_code)


@router.get("/users", response_class=HTMLResponse)
async def users_page(request: Request, session: SessionDep, staff: PageStaff) -> Response:
    return await _users_page(request, session, staff)


@router.post("/users", response_class=HTMLResponse)
async def create_user(request: Request, session: SessionDep, staff: PageStaff, form: Posted) -> Response:
    roles = [r for r in (await request.form()).getlist("roles") if isinstance(r, str)]
    try:
        created = await administration.create_account(session, staff, form.get("username", "")[:64],
                                                      form.get("full_name", "")[:200], roles, form.get("mission", "")[:64])
    except ApiError as err:
        if err.status_code == 403:
            raise
        return await _users_page(request, session, staff, _message(request, err), err.status_code,
                                 {**form, "roles": roles, "mission": form.get("mission", "")})
    return await _users_page(request, session, staff, created=created)


async def _user_page(request: Request, session, staff, username: str, change=None, error: str = "",
                     status_code: int = 200) -> Response:
    user = await administration.account(session, staff, username)
    return render(request, "user.html", {"staff": staff, "user": user, "roles": ROLES, "change": change,
                                         "error": error, "canonical": f"/staff/admin/users/{user.username}"},
                  status_code)


@router.get("/users/{username}", response_class=HTMLResponse)
async def user_page(username: str, request: Request, session: SessionDep, staff: PageStaff) -> Response:
    return await _user_page(request, session, staff, username)


@router.post("/users/{username}", response_class=HTMLResponse)
async def change_user(username: str, request: Request, session: SessionDep, staff: PageStaff, form: Posted) -> Response:
    action = form.get("action", "")
    roles = [r for r in (await request.form()).getlist("roles") if isinstance(r, str)]
    try:
        change = await administration.change_account(
            session, staff, username, roles=roles if action == "roles" else None, mission=form.get("mission", "")[:64],
            active={"deactivate": False, "activate": True}.get(action), reset_password=action == "reset_password")
    except ApiError as err:
        if err.status_code in (403, 404):
            raise
        return await _user_page(request, session, staff, username, error=_message(request, err),
                                status_code=err.status_code)
    return await _user_page(request, session, staff, username, change=change)


def _year(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and 2000 <= int(raw) <= 2100 else date.today().year


async def _quota_page(request: Request, session, staff, year: int, error: str = "", status_code: int = 200,
                      form: dict | None = None) -> Response:
    buckets, amendments = await administration.quota_year(session, staff, year)
    return render(request, "quota.html", {"staff": staff, "year": year, "buckets": buckets, "amendments": amendments,
                                          "regions": REGIONS, "sectors": SECTORS, "error": error, "form": form or {},
                                          "saved": request.query_params.get("saved") == "1",
                                          "canonical": f"/staff/admin/quota?year={year}"}, status_code)


@router.get("/quota", response_class=HTMLResponse)
async def quota_page(request: Request, session: SessionDep, staff: PageStaff) -> Response:
    return await _quota_page(request, session, staff, _year(request.query_params.get("year")))


@router.post("/quota")
async def set_quota(request: Request, session: SessionDep, staff: PageStaff, form: Posted) -> Response:
    year = _year(form.get("year"))
    size = form.get("size", "").strip()
    try:
        if not size.isdigit():
            raise ApiError(422, "size", extra={"code": "bad_bucket"})
        await administration.set_quota(session, staff, year=year, region=form.get("region", ""),
                                       sector=form.get("sector", ""), size=int(size[:8]),
                                       legal_act=form.get("legal_act", "")[:500])
    except ApiError as err:
        if err.status_code == 403:
            raise
        return await _quota_page(request, session, staff, year, _message(request, err), err.status_code, form)
    return RedirectResponse(f"/staff/admin/quota?year={year}&saved=1", status_code=303)
