"""The staff's search page. Its terms (part of a name, a passport number) never go in an address,
where they would stay in browser histories and proxies' logs: the form posts them, they are kept
sealed in a cookie of this page only, and the browser is sent on to the list by GET, so that Back
and Forward, and a later page of the results, work as with any list. The address holds only the
filters, and `terms=1` to say the posted terms apply."""

import base64
from collections.abc import Mapping
from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api import policy
from api.deps import SessionDep
from api.errors import ApiError
from api.pages import csrf
from api.pages.common import render
from api.pages.lists import STATES, known_state, page_number
from api.pages.staff_session import SEARCH_COOKIE, PageStaff, Posted
from api.services import case_reading
from db.repositories.cases import SORTS
from db.sealing import MARK, SealError, session_sealer
from schemas.people import REGIONS

router = APIRouter(prefix="/staff", include_in_schema=False)
FILTERS = ("procedure", "state", "region", "due_before", "sort")


@router.post("/search")
async def post_terms(request: Request, session: SessionDep, staff: PageStaff, form: Posted) -> RedirectResponse:
    terms = form.get("q", "").strip()[:100]
    asked = {k: form[k][:40] for k in FILTERS if form.get(k)} | ({"terms": "1"} if terms else {})
    if request.query_params.get("lang"):
        asked["lang"] = request.query_params["lang"][:8]
    response = RedirectResponse("/staff/search" + (f"?{urlencode(asked)}" if asked else ""), status_code=303)
    if terms:
        response.set_cookie(SEARCH_COOKIE, _sealed(session, staff.username, terms), httponly=True, samesite="strict",
                            path="/staff/search", secure=csrf.secure_cookies(request))
    else:
        response.delete_cookie(SEARCH_COOKIE, path="/staff/search")
    return response


@router.get("/search", response_class=HTMLResponse)
async def search_page(request: Request, session: SessionDep, staff: PageStaff) -> HTMLResponse:
    asked = request.query_params
    terms = _opened(session, staff.username, request.cookies.get(SEARCH_COOKIE, "")) if asked.get("terms") == "1" else ""
    readable = policy.readable_procedures(staff.roles)
    if not readable:
        raise case_reading.forbidden_case()  # the shared, audited error page
    chosen = _chosen(asked, readable)
    error, result = "", None
    try:
        due_before = date.fromisoformat(chosen["due_before"]) if chosen["due_before"] else None
    except ValueError:
        due_before, error = None, "bad_search_date"
    if (terms or any(chosen[k] for k in ("procedure", "state", "region")) or due_before) and not error:
        try:
            result = await case_reading.search_cases(
                session, staff, procedure=chosen["procedure"] or None, state=chosen["state"] or None, q=terms or None,
                page=page_number(asked.get("page", "")), region=chosen["region"] or None, due_before=due_before,
                sort=chosen["sort"])
        except ApiError as err:
            error = "search_refused" if err.status_code == 403 else "search_needs_terms"
    # A later page keeps the filters, and the terms by `terms=1` (they stay in their cookie).
    listed = [(k, v) for k, v in chosen.items() if v] + ([("terms", "1")] if terms else [])
    return render(request, "search.html", {"staff": staff, "chosen": chosen, "terms": terms, "listed": listed,
                                           "result": result, "error": error, "procedures": readable,
                                           "regions": REGIONS, "sorts": list(SORTS), "states": _states(readable)},
                  422 if error == "bad_search_date" else 200)


def _chosen(asked: Mapping[str, str], readable: list[str]) -> dict[str, str]:
    """The filters asked for, kept only where they name something real (a list link must not break)."""
    return {"procedure": asked.get("procedure") if asked.get("procedure") in readable else "",
            "state": known_state(asked.get("state", "")) or "",
            "region": asked.get("region") if asked.get("region") in REGIONS else "",
            "due_before": asked.get("due_before", "")[:10],
            "sort": asked.get("sort") if asked.get("sort") in SORTS else "deadline"}


def _states(procedures: list[str]) -> list[str]:
    return list(dict.fromkeys(s for slug in procedures for s in STATES[slug]))


def _sealed(session, username: str, terms: str) -> str:
    """The terms under the data key, bound to the officer: another account's browser cannot use them."""
    sealed = session_sealer(session).seal(terms, f"search|{username}")[MARK]
    return base64.urlsafe_b64encode(sealed.encode()).decode().rstrip("=")


def _opened(session, username: str, cookie: str) -> str:
    """The terms this officer posted last, or nothing if the cookie is missing, another's, or not ours."""
    try:
        sealed = base64.urlsafe_b64decode(cookie + "=" * (-len(cookie) % 4)).decode()
        terms = session_sealer(session).open({MARK: sealed}, f"search|{username}")
    except (ValueError, SealError):  # bad base64 or JSON, a wrong key, a cookie of another account
        return ""
    return terms[:100] if isinstance(terms, str) else ""
