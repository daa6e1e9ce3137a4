"""Reading cases as staff, through the access policy: a case, or a search over cases.

Every view of a case and every search is an audit entry; a search also leaves an entry under
each case it revealed, so "who has seen this case" includes those who found it in a list.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api import policy
from api.deps import Staff
from api.errors import ApiError, not_found
from api.i18n import BISHKEK_TZ
from db.models import Case, CaseFile, CaseTransition, IssuedDocumentRow, Task
from db.repositories import cases as case_repo
from db.repositories.audit import NewEntry, append_audit, append_entries
from db.sealing import session_sealer
from schemas.procedures import PROCEDURES
from schemas.text import CASE_NUMBER


@dataclass
class CaseView:
    case: Case
    parts: frozenset[str]
    application: dict[str, Any]  # only the parts the reader may see
    transitions: list[CaseTransition]  # reasons blanked unless the reader sees decisions
    open_tasks: list[Task]
    documents: list[IssuedDocumentRow]
    files: list[CaseFile]
    hidden: list[str]


def forbidden_case() -> ApiError:
    return ApiError(403, "your roles do not give access to cases of this procedure", code="not_your_procedure")


async def case_for_staff(session: AsyncSession, staff: Staff, case_number: str) -> Case:
    """The case if `staff` may read it at all: 404 if there is none, 403 if not theirs to see."""
    case = await case_repo.get_case(session, case_number) if CASE_NUMBER.match(case_number) else None
    if case is None:
        raise not_found(f"no case {case_number[:32]}", "no_such_case")
    if not policy.case_parts(staff, case.procedure, case.mission):
        raise forbidden_case()
    return case


async def read_case(session: AsyncSession, staff: Staff, case_number: str) -> CaseView:
    case = await case_for_staff(session, staff, case_number)
    seen = policy.case_parts(staff, case.procedure, case.mission)
    await append_audit(session, action="case_viewed", actor=staff.username, actor_role=",".join(staff.roles),
                       case_number=case.case_number, detail={"parts": sorted(seen)})
    transitions = await case_repo.transitions(session, case.case_number)
    if "decisions" not in seen:
        for t in transitions:
            session.expunge(t)  # blank what this reader may not see, without writing it back
            t.reason, t.detail = "", {}
    visible = policy.application_view(seen, case.procedure, case.application)  # opened only if shown
    return CaseView(case=case, parts=seen, application=session_sealer(session).open_application(case.case_number,
                                                                                                visible),
                    transitions=transitions, open_tasks=await case_repo.open_tasks(session, case.case_number),
                    documents=await case_repo.documents(session, case.case_number),
                    files=await case_repo.files(session, case.case_number) if "files" in seen else [],
                    hidden=policy.hidden_parts(seen, case.procedure))


async def search_cases(session: AsyncSession, staff: Staff, *, procedure: str | None, state: str | None,
                       q: str | None, page: int, region: str | None = None, due_before: date | None = None,
                       sort: str = "deadline") -> case_repo.SearchPage:
    if not (procedure or state or region or due_before or (q and q.strip())):
        raise ApiError(422, "a search needs terms (q, sent by POST /api/v1/cases/search) or a filter "
                            "(procedure, state, region, due_before)", code="search_needs_terms")
    if procedure and procedure not in PROCEDURES:
        raise ApiError(422, f"unknown procedure '{procedure}'; known: {', '.join(PROCEDURES)}", code="unknown_procedure")
    readable = [procedure] if procedure else policy.readable_procedures(staff.roles)
    reach = {p: r for p in readable if (r := policy.reach(staff, p)) is not None}
    if not reach:
        raise forbidden_case()
    before = datetime.combine(due_before, time.min, BISHKEK_TZ) + timedelta(days=1) if due_before else None
    result = await case_repo.search(session, procedures={p: None if r.anywhere else r.missions for p, r in reach.items()},
                                    state=state, q=q, page=page, region=region, due_before=before, sort=sort)
    role = ",".join(staff.roles)
    shown = [c.case_number for c in result.items]
    await append_entries(session, [
        NewEntry("cases_searched", staff.username, role, None,
                 {"procedure": procedure, "state": state, "q": q, "region": region, "page": page,
                  "due_before": due_before.isoformat() if due_before else None, "shown": shown}),
        *(NewEntry("case_revealed_in_search", staff.username, role, n, {"q": q}) for n in shown)])
    return result
