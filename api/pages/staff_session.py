"""Staff sign-in for the pages: a session cookie (HttpOnly, SameSite=Strict, Secure outside
development) that ends after `session_idle_minutes` without use and `session_absolute_minutes`
after signing in; sign-out revokes the session, "sign out everywhere" every session of the account."""

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import DECIDERS, LimitsDep, SessionDep, SettingsDep, Staff
from api.errors import ApiError
from api.pages import csrf
from api.pages.common import render
from api.security import TokenError, create_token, read_token, session_ended
from api.services import sign_in as sign_in_service
from db.repositories.audit import append_audit
from db.repositories.users import end_sessions, get_user, token_holder
from schemas.text import has_nul

router = APIRouter(prefix="/staff", include_in_schema=False)
COOKIE = "aryz_staff"
SEARCH_COOKIE = "aryz_search"  # the search page's terms (api/pages/search.py), gone at sign-out


class SignInRequired(Exception):
    def __init__(self, expired: bool = False, next_page: str = ""):
        self.expired, self.next_page = expired, next_page


def sign_in_redirect(exc: SignInRequired) -> RedirectResponse:
    query = "expired=1&" if exc.expired else ""
    return RedirectResponse(f"/staff/login?{query}next={quote(exc.next_page, safe='/')}", status_code=303)


def _set_cookie(request: Request, response, token: str) -> None:
    settings = request.app.state.settings
    response.set_cookie(COOKIE, token, max_age=settings.session_absolute_minutes * 60, httponly=True,
                        samesite="strict", path="/staff", secure=csrf.secure_cookies(request))


async def page_staff(request: Request, session: SessionDep, settings: SettingsDep) -> Staff:
    token = request.cookies.get(COOKIE)
    back = request.url.path if request.method == "GET" else ""
    try:
        claims = read_token(token or "", settings.secret_key.get_secret_value())
    except TokenError:
        raise SignInRequired(expired=bool(token), next_page=back) from None
    user, revoked = await token_holder(session, claims.username, claims.jti)
    if user is None or not user.active or revoked or session_ended(claims, user.sessions_valid_after):
        raise SignInRequired(expired=True, next_page=back)
    request.state.token = claims
    if request.method == "POST":
        # The cookie is SameSite=Strict; every form also carries its CSRF token.
        await csrf.verify(request)
    # Each page used renews the idle time, never past the session's absolute end.
    request.state.renewed_session = create_token(user.username, settings.secret_key.get_secret_value(),
                                                 settings.session_absolute_minutes,
                                                 idle_minutes=settings.session_idle_minutes, renewing=claims)
    request.state.staff = Staff(user.username, tuple(user.roles), user.mission)
    request.state.full_name = user.full_name
    return request.state.staff


PageStaff = Annotated[Staff, Depends(page_staff)]


async def posted(request: Request) -> dict[str, str]:
    """A staff form's text fields (files and values PostgreSQL could not hold left out)."""
    return {k: v for k, v in (await request.form()).items() if isinstance(v, str) and not has_nul(v)}


Posted = Annotated[dict[str, str], Depends(posted)]


def renew(request: Request, response) -> None:
    """Called by render(): a page shown to a signed-in officer carries the renewed cookie."""
    token = getattr(request.state, "renewed_session", None)
    if token:
        _set_cookie(request, response, token)


def _next_page(raw: str) -> str:
    # Only a page of this site's staff area: never an open redirect.
    return raw if raw.startswith("/staff/") and "//" not in raw and "\\" not in raw else "/staff/"


def home_page(staff: Staff) -> str:
    """Where each role starts its day."""
    if set(staff.roles) & set(DECIDERS):
        return "/staff/inbox"
    if "auditor" in staff.roles:
        return "/staff/audit"
    return "/staff/admin/users" if "admin" in staff.roles else "/staff/search"


@router.get("/")
async def staff_home(staff: PageStaff) -> RedirectResponse:
    return RedirectResponse(home_page(staff), status_code=303)


@router.get("/login", response_class=HTMLResponse)
async def login_page(request: Request) -> HTMLResponse:
    return render(request, "login.html", {"expired": request.query_params.get("expired") == "1",
                                          "next": _next_page(request.query_params.get("next", ""))})


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, session: SessionDep, settings: SettingsDep, limits: LimitsDep,
                username: Annotated[str, Form(max_length=64)] = "",
                password: Annotated[str, Form(max_length=200)] = "",
                next_page: Annotated[str, Form(alias="next", max_length=300)] = ""):
    await csrf.verify(request, require_origin=True)
    try:
        user = await sign_in_service.sign_in(request, session, settings, limits, username, password)
    except ApiError as err:
        error = "locked" if err.status_code == 429 else "bad_login"
        return render(request, "login.html", {"error": error, "username": username, "next": _next_page(next_page)},
                      err.status_code)
    response = RedirectResponse(_next_page(next_page), status_code=303)
    _set_cookie(request, response, create_token(user.username, settings.secret_key.get_secret_value(),
                                                settings.session_absolute_minutes,
                                                idle_minutes=settings.session_idle_minutes))
    return response


@router.post("/logout")
async def logout(request: Request, session: SessionDep, staff: PageStaff) -> RedirectResponse:
    """Signs out: the session's token is revoked, not only forgotten by this browser."""
    await csrf.verify(request, require_origin=True)
    await sign_in_service.sign_out(session, request.state.token)
    response = RedirectResponse("/staff/login", status_code=303)
    response.delete_cookie(COOKIE, path="/staff")
    response.delete_cookie(SEARCH_COOKIE, path="/staff/search")
    return response


@router.post("/logout-everywhere")
async def logout_everywhere(request: Request, session: SessionDep, staff: PageStaff) -> RedirectResponse:
    """Ends every session of this account, on every device (a lost phone, a shared computer)."""
    await csrf.verify(request, require_origin=True)
    user = await get_user(session, staff.username)
    end_sessions(user)
    await append_audit(session, action="signed_out_everywhere", actor=staff.username,
                       actor_role=",".join(staff.roles))
    response = RedirectResponse("/staff/login", status_code=303)
    response.delete_cookie(COOKIE, path="/staff")
    response.delete_cookie(SEARCH_COOKIE, path="/staff/search")
    return response
