"""Lists of cases for staff: the inbox's filters and the supervisors' backlog, each figure of which
links to the list behind it (the search page is api/pages/search.py)."""

from importlib import import_module

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.deps import SessionDep, SettingsDep
from api.pages.common import render
from api.pages.staff_session import PageStaff
from api.services import workspace
from db.repositories.tasks import TaskFilter
from schemas.procedures import PROCEDURES
from schemas.text import CASE_NUMBER

router = APIRouter(prefix="/staff", include_in_schema=False)
STATE_NAME = r"^[A-Z_]{1,40}$"


STATES = {slug: [str(s) for s in import_module(p.application.__module__).State] for slug, p in PROCEDURES.items()}
ALL_STATES = {s for states in STATES.values() for s in states}


def known_state(value: str) -> str | None:
    return value if value in ALL_STATES else None


def page_number(raw: str) -> int:
    return int(raw) if raw.isdigit() and 0 < int(raw) <= 1000 else 1


def inbox_filters(request: Request, soon_days: int) -> tuple[TaskFilter, int, dict[str, str]]:
    """What the officer chose, kept only where it names something real (anything else is ignored,
    never an error: a list link must not break)."""
    q = request.query_params
    procedure = q.get("procedure") if q.get("procedure") in PROCEDURES else None
    steps = PROCEDURES[procedure].steps if procedure else {n: s for p in PROCEDURES.values() for n, s in p.steps.items()}
    step = q.get("step") if q.get("step") in steps else None
    state = known_state(q.get("state", ""))
    due = q.get("due") if q.get("due") in ("overdue", "soon") else None
    case = q.get("case", "") if CASE_NUMBER.match(q.get("case", "")) else None
    mine = q.get("mine") == "1"
    chosen = {k: v for k, v in {"procedure": procedure, "step": step, "state": state, "due": due, "case": case,
                                "mine": "1" if mine else None, "scope": "all" if q.get("scope") == "all" else None}.items()
              if v}
    return (TaskFilter(procedure=procedure, step=step, state=state, due=due, case_number=case, mine=mine,
                       soon_days=soon_days), page_number(q.get("page", "")), chosen)


@router.get("/backlog", response_class=HTMLResponse)
async def backlog_page(request: Request, session: SessionDep, settings: SettingsDep, staff: PageStaff) -> HTMLResponse:
    lines = await workspace.backlog(session, staff, settings.due_soon_days)
    totals = {k: sum(getattr(line, k) for line in lines) for k in ("open", "due_soon", "overdue")}
    return render(request, "backlog.html", {"staff": staff, "lines": lines, "totals": totals,
                                            "soon_days": settings.due_soon_days})
