"""Lists of cases for staff: the inbox's filters, the search page, and the supervisors' backlog,
each figure of which links to the list behind it."""

from datetime import date
from importlib import import_module

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api import policy
from api.deps import SessionDep, SettingsDep
from api.errors import ApiError
from api.pages.common import render
from api.pages.staff_session import PageStaff
from api.services import case_reading, workspace
from db.repositories.cases import SORTS
from db.repositories.tasks import TaskFilter
from schemas.people import REGIONS
from schemas.procedures import PROCEDURES
from schemas.text import CASE_NUMBER

router = APIRouter(prefix="/staff", include_in_schema=False)
STATE_NAME = r"^[A-Z_]{1,40}$"


STATES = {slug: [str(s) for s in import_module(p.application.__module__).State] for slug, p in PROCEDURES.items()}
ALL_STATES = {s for states in STATES.values() for s in states}


def _known_state(value: str) -> str | None:
    return value if value in ALL_STATES else None


def _page(raw: str) -> int:
    return int(raw) if raw.isdigit() and 0 < int(raw) <= 1000 else 1


def inbox_filters(request: Request, soon_days: int) -> tuple[TaskFilter, int, dict[str, str]]:
    """What the officer chose, kept only where it names something real (anything else is ignored,
    never an error: a list link must not break)."""
    q = request.query_params
    procedure = q.get("procedure") if q.get("procedure") in PROCEDURES else None
    steps = PROCEDURES[procedure].steps if procedure else {n: s for p in PROCEDURES.values() for n, s in p.steps.items()}
    step = q.get("step") if q.get("step") in steps else None
    state = _known_state(q.get("state", ""))
    due = q.get("due") if q.get("due") in ("overdue", "soon") else None
    case = q.get("case", "") if CASE_NUMBER.match(q.get("case", "")) else None
    mine = q.get("mine") == "1"
    chosen = {k: v for k, v in {"procedure": procedure, "step": step, "state": state, "due": due, "case": case,
                                "mine": "1" if mine else None, "scope": "all" if q.get("scope") == "all" else None}.items()
              if v}
    return (TaskFilter(procedure=procedure, step=step, state=state, due=due, case_number=case, mine=mine,
                       soon_days=soon_days), _page(q.get("page", "")), chosen)


@router.get("/search", response_class=HTMLResponse)
async def search_page(request: Request, session: SessionDep, staff: PageStaff) -> HTMLResponse:
    q = request.query_params
    readable = policy.readable_procedures(staff.roles)
    if not readable:
        raise case_reading.forbidden_case()  # the shared, audited error page
    chosen = {"q": q.get("q", "").strip()[:100], "procedure": q.get("procedure") if q.get("procedure") in readable else "",
              "state": _known_state(q.get("state", "")) or "", "region": q.get("region") if q.get("region") in REGIONS else "",
              "due_before": q.get("due_before", "")[:10], "sort": q.get("sort") if q.get("sort") in SORTS else "deadline"}
    error, result = "", None
    try:
        due_before = date.fromisoformat(chosen["due_before"]) if chosen["due_before"] else None
    except ValueError:
        due_before, error = None, "bad_search_date"
    asked = any(chosen[k] for k in ("q", "procedure", "state", "region")) or due_before
    if asked and not error and "\x00" not in chosen["q"]:
        try:
            result = await case_reading.search_cases(
                session, staff, procedure=chosen["procedure"] or None, state=chosen["state"] or None, q=chosen["q"] or None,
                page=_page(q.get("page", "")), region=chosen["region"] or None, due_before=due_before, sort=chosen["sort"])
        except ApiError as err:
            error = "search_refused" if err.status_code == 403 else "search_needs_terms"
    return render(request, "search.html", {"staff": staff, "chosen": chosen, "result": result, "error": error,
                                           "procedures": readable, "regions": REGIONS, "sorts": list(SORTS),
                                           "states": _states(readable)}, 422 if error == "bad_search_date" else 200)


def _states(procedures: list[str]) -> list[str]:
    return list(dict.fromkeys(s for slug in procedures for s in STATES[slug]))


@router.get("/backlog", response_class=HTMLResponse)
async def backlog_page(request: Request, session: SessionDep, settings: SettingsDep, staff: PageStaff) -> HTMLResponse:
    lines = await workspace.backlog(session, staff, settings.due_soon_days)
    totals = {k: sum(getattr(line, k) for line in lines) for k in ("open", "due_soon", "overdue")}
    return render(request, "backlog.html", {"staff": staff, "lines": lines, "totals": totals,
                                            "soon_days": settings.due_soon_days})
