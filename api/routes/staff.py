"""Staff: sign in, search cases, read a case, work the inbox, decide steps, extend deadlines."""

from dataclasses import asdict
from datetime import date, datetime, timezone
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, ConfigDict, Field

from api.decision_guide import decision_examples, decision_guide
from api.deps import (
    CaseReader,
    CurrentStaff,
    Decider,
    IdempotencyKey,
    LimitsDep,
    SessionDep,
    SettingsDep,
    SignerDep,
    Staff,
    TemporalDep,
    require_roles,
)
from api.errors import ApiError
from api.i18n import api_lang, doc_label
from api.i18n.notes import note_text
from api.openapi import refusals
from api.payloads import (
    CaseDetail,
    CasePage,
    CaseSearch,
    CaseSummary,
    Claimed,
    DecisionOut,
    DecisionRequest,
    DocumentOut,
    ExtensionOut,
    ExtensionRequest,
    FileOut,
    FutileOutcome,
    Strict,
    TaskOut,
    Token,
    TransferOut,
    TransitionOut,
)
from api.rejections import localized
from api.security import create_token
from api.services import case_reading, decisions, workspace
from api.services import sign_in as sign_in_service
from api.services.desk_view import futile_outcomes
from api.services.files import file_response
from api.services.transfers import transfers
from db.models import Task
from schemas.messages import DecisionInput, ExtensionInput
from schemas.people import REGIONS
from schemas.procedures import PROCEDURES

router = APIRouter(tags=["staff"])


@router.post("/auth/token", response_model=Token, summary="Sign in", responses=refusals(401, 429), openapi_extra={
    "requestBody": {"content": {"application/x-www-form-urlencoded": {
        "example": {"username": "a.usenova", "password": "the password you were given"}}}}})
async def sign_in(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()], session: SessionDep,
                  settings: SettingsDep, limits: LimitsDep) -> Token:
    """Rate-limited per client; an account is locked for a growing time after repeated failures."""
    user = await sign_in_service.sign_in(request, session, settings, limits, form.username, form.password)
    return Token(access_token=create_token(user.username, settings.secret_key.get_secret_value(),
                                           settings.token_minutes))


@router.post("/auth/revoke", status_code=status.HTTP_204_NO_CONTENT)
async def sign_out(request: Request, session: SessionDep, staff: CurrentStaff) -> None:
    """Sign out: the bearer token used for this call is refused from now on."""
    await sign_in_service.sign_out(session, request.state.token)


def task_out(task: Task, now: datetime) -> TaskOut:
    spec = PROCEDURES[task.procedure].steps.get(task.step)
    return TaskOut(task_id=task.task_id, case_number=task.case_number, procedure=task.procedure, step=task.step,
                   title=task.title, role=task.role, due=task.due_at,
                   overdue=task.due_at is not None and task.due_at < now, reminded=task.reminded_at is not None,
                   escalated=task.escalated_at is not None,
                   claimed_by=task.claimed_by, outcomes=task.outcomes,
                   data_schema=spec.data_schema() if spec else {})


SEARCH_ROUTE = "POST /api/v1/cases/search"


@router.get("/cases", response_model=CasePage, summary="List cases by filters", responses=refusals(422))
async def list_cases(session: SessionDep, staff: CaseReader,
                     procedure: Annotated[str | None, Query(max_length=32, pattern=r"^[a-z-]+$")] = None,
                     state: Annotated[str | None, Query(max_length=40, pattern=r"^[A-Z_]+$")] = None,
                     q: Annotated[str | None, Query(include_in_schema=False)] = None,
                     region: Annotated[str | None, Query(pattern="^(" + "|".join(REGIONS) + ")$")] = None,
                     due_before: Annotated[date | None, Query(description="Cases due on or before this day")] = None,
                     sort: Annotated[str, Query(pattern="^(deadline|lodged|number)$")] = "deadline",
                     page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> CasePage:
    """Cases by procedure, state, region and deadline; 50 a page. Search terms (a name, a document
    number) are not taken here: they go in the body of `POST /api/v1/cases/search`."""
    if q is not None:
        raise ApiError(422, f"send search terms in the body of {SEARCH_ROUTE}: they may name a person, and a URL is "
                            "kept in logs and browser histories",
                       extra={"code": "terms_in_body", "params": {"route": SEARCH_ROUTE}})
    return await _search(session, staff, CaseSearch(procedure=procedure, state=state, region=region,
                                                    due_before=due_before, sort=sort, page=page))


@router.post("/cases/search", response_model=CasePage, summary="Search cases", responses=refusals(403, 422))
async def search_cases(body: CaseSearch, session: SessionDep, staff: CaseReader) -> CasePage:
    """Cases by number (or its beginning), part of a name or a document number, and the filters of
    `GET /cases`; 50 a page. A POST so that the terms stay out of URLs; each case shown is audited."""
    return await _search(session, staff, body)


async def _search(session, staff, asked: CaseSearch) -> CasePage:
    result = await case_reading.search_cases(session, staff, procedure=asked.procedure, state=asked.state, q=asked.q,
                                             page=asked.page, region=asked.region, due_before=asked.due_before,
                                             sort=asked.sort)
    return CasePage(items=[CaseSummary(case_number=c.case_number, procedure=c.procedure, state=c.state,
                                       awaiting=c.awaiting, deadline=c.deadline, applicant_name=c.applicant_name,
                                       lodged_at=c.lodged_at) for c in result.items],
                    total=result.total, total_capped=result.total_capped, page=result.page,
                    page_size=result.page_size)


@router.get("/cases/{case_number}", response_model=CaseDetail, summary="Read a case")
async def read_case(request: Request, case_number: str, session: SessionDep, staff: CaseReader) -> CaseDetail:
    """The case as the reader's roles may see it (the parts the policy hides are named in
    `hidden_parts`): application, open tasks, documents, files, transitions. Audited."""
    view = await case_reading.read_case(session, staff, case_number)
    lang = api_lang(request)
    case, now = view.case, datetime.now(timezone.utc)
    return CaseDetail(
        case_number=case.case_number, procedure=case.procedure, state=case.state, awaiting=case.awaiting,
        deadline=case.deadline, lodged_at=case.lodged_at, stalled_since=case.stalled_since,
        application=view.application, hidden_parts=view.hidden,
        open_tasks=[task_out(t, now) for t in view.open_tasks],
        futile_outcomes=[FutileOutcome(step=step, outcome=outcome, code=code, params=params,
                                       message=localized(code, params, lang) or code)
                         for (step, outcome), (code, params) in (await futile_outcomes(
                             session, staff, case, view.transitions, view.application)).items()
                         if any(t.step == step for t in view.open_tasks)],
        documents=[DocumentOut(number=d.number, doc_type=d.doc_type, title=doc_label(d.doc_type, lang),
                               issued_at=d.issued_at, valid_until=d.valid_until,
                               holder_initials=d.holder_initials) for d in view.documents],
        files=[FileOut(file_id=f.file_id, filename=f.filename, content_type=f.content_type, size=f.size,
                       sha256=f.sha256, uploaded_at=f.uploaded_at) for f in view.files],
        transitions=[TransitionOut(seq=t.seq, at=t.at, event=t.event, state=t.state, step=t.step, outcome=t.outcome,
                                   actor=t.actor, actor_role=t.actor_role, reason=t.reason,
                                   public_note=note_text(t.public_note, t.note_params, lang), note_key=t.public_note,
                                   note_params=t.note_params)
                     for t in view.transitions],
        transfers=[TransferOut(**asdict(x)) for x in await transfers(session, case, view.parts)])


@router.get("/tasks", response_model=list[TaskOut])
async def inbox(session: SessionDep, staff: Decider,
                role: Annotated[str | None, Query(max_length=32)] = None, mine: bool = False,
                page: Annotated[int, Query(ge=1, le=1000)] = 1,
                case: Annotated[str | None, Query(pattern=r"^[A-Z]{3}-\d{4}-\d{6}$")] = None) -> list[TaskOut]:
    """Open tasks for your roles, most urgent first, 50 a page; `case` keeps those of one case."""
    if role is not None and role not in staff.roles:
        raise ApiError(403, f"you do not hold the role '{role}'", code="role_not_held", params={"role": role})
    tasks = await workspace.open_tasks(session, staff, [role] if role else list(staff.roles), mine=mine, page=page,
                                       case_number=case)
    now = datetime.now(timezone.utc)
    return [task_out(t, now) for t in tasks]


@router.post("/tasks/{task_id}/claim", response_model=Claimed, summary="Claim a task", responses=refusals(409))
async def claim_task(task_id: str, session: SessionDep, staff: Decider) -> Claimed:
    """Take an open task of one of your roles, so that colleagues see who is working on it."""
    await workspace.claim(session, staff, task_id)
    return Claimed(task_id=task_id, claimed_by=staff.username)


@router.post("/cases/{case_number}/decisions", response_model=DecisionOut, summary="Decide an open step",
             description=decision_guide(), responses={
    202: {"description": "The engine has not answered in time: the outcome is unknown; GET the `check` URL"},
    **refusals(409)})
async def decide(case_number: str, body: Annotated[DecisionRequest, Body(openapi_examples=decision_examples())],
                 session: SessionDep, temporal: TemporalDep, signer: SignerDep, settings: SettingsDep, staff: Decider,
                 idempotency_key: IdempotencyKey = None) -> DecisionOut:
    result = await decisions.decide(session, temporal, signer, settings, staff, case_number, DecisionInput(
        step=body.step, outcome=body.outcome, reason=body.reason, data=body.data), idempotency_key, body.take_over)
    return DecisionOut(case_number=case_number, state=result.state, awaiting=result.awaiting)


DecisionId = Annotated[str, Path(max_length=64, pattern=r"^[a-z]+:[0-9a-f]+$")]


@router.get("/cases/{case_number}/decisions/{decision_id}", response_model=DecisionOut, responses={
    202: {"description": "Still unknown"}, 404: {"description": "The decision never reached the case"}})
async def decision_outcome(case_number: str, decision_id: DecisionId, session: SessionDep, temporal: TemporalDep,
                           staff: Decider) -> DecisionOut:
    """The outcome of a decision whose answer was unknown (202)."""
    result = await decisions.outcome(session, temporal, staff, case_number, decision_id)
    return DecisionOut(case_number=case_number, state=result.state, awaiting=result.awaiting)


@router.post("/cases/{case_number}/deadline-extensions", response_model=ExtensionOut, summary="Extend a deadline once",
             responses=refusals(409))
async def extend(case_number: str, body: ExtensionRequest, session: SessionDep, temporal: TemporalDep,
                 signer: SignerDep, settings: SettingsDep,
                 staff: Annotated[Staff, Depends(require_roles("supervisor"))],
                 idempotency_key: IdempotencyKey = None) -> ExtensionOut:
    """Extend a running deadline (supervisors), within the rules' limits, with a recorded reason."""
    result = await decisions.extend(session, temporal, signer, settings, staff, case_number,
                                    ExtensionInput(clock=body.clock, until=body.until, reason=body.reason),
                                    idempotency_key)
    return ExtensionOut(case_number=case_number, clock=result.clock, due_at=result.due_at)


class Assignee(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"username": "registrar2", "holder": None}]})

    username: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    holder: str | None = Field(default=None, max_length=64, description="Who holds it now, as you saw it (null: nobody)")


@router.post("/tasks/{task_id}/assignee", response_model=Claimed, summary="Hand a task to another officer",
             responses=refusals(409))
async def reassign_task(task_id: Annotated[str, Path(max_length=96, pattern=r"^[^\x00]+$")], body: Assignee,
                        session: SessionDep, staff: Annotated[Staff, Depends(require_roles("supervisor"))]) -> Claimed:
    """A supervisor hands an open task to a named officer who holds its role."""
    await workspace.reassign(session, staff, task_id, body.username, body.holder)
    return Claimed(task_id=task_id, claimed_by=body.username)


@router.get("/cases/{case_number}/files/{file_id}", response_class=Response,
            responses={200: {"content": {"application/octet-stream": {}}, "description": "The file as uploaded"}})
async def open_file(case_number: str, file_id: Annotated[str, Path(max_length=36, pattern=r"^[0-9a-f-]+$")],
                    session: SessionDep, staff: CaseReader) -> Response:
    """An uploaded file, for staff whose roles show the case's files; each opening is audited."""
    found = await workspace.open_file(session, staff, case_number, file_id)
    return file_response(found)


class ViewOut(BaseModel):
    at: datetime
    actor: str
    role: str
    action: str


@router.get("/cases/{case_number}/views", response_model=list[ViewOut])
async def case_views(case_number: str, session: SessionDep,
                     staff: Annotated[Staff, Depends(require_roles("auditor"))]) -> list[ViewOut]:
    """Who has seen this case: its page, a list that showed it, a file, its history (newest first)."""
    entries = await workspace.who_viewed(session, staff, case_number)
    return [ViewOut(at=e.at, actor=e.actor, role=e.actor_role, action=e.action) for e in entries]
