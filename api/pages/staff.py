"""Staff pages: the inbox and a case with its dossier, decision forms, files, deadlines and who
holds each task. Same services as the JSON API."""

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api import i18n
from api.deps import SessionDep, SettingsDep, SignerDep, Staff, TemporalDep
from api.errors import ApiError, audit_refusal
from api.i18n.notes import fact_value, money
from api.pages.common import form_data, form_fields, render
from api.pages.lists import ALL_STATES, STATES, inbox_filters
from api.pages.staff_session import PageStaff, Posted
from api.policy import may_supervise
from api.rejections import localized
from api.services import case_reading, decisions, workspace
from api.services.applicant_reach import applicant_reach
from api.services.case_reading import case_for_staff
from api.services.desk_view import futile_outcomes, open_steps
from api.services.documents import case_documents, document_pdf
from api.services.files import file_response, pdf_response
from api.services.transfers import transfers
from db.repositories import tasks as task_repo
from db.sealing import session_sealer
from schemas.messages import DecisionInput, ExtensionInput
from schemas.procedures import PROCEDURES

router = APIRouter(prefix="/staff", include_in_schema=False)
_MONEY = ("amount", "deposit", "fee")


@router.get("/inbox", response_class=HTMLResponse)
async def inbox_page(request: Request, session: SessionDep, settings: SettingsDep, staff: PageStaff) -> HTMLResponse:
    filters, page, chosen = inbox_filters(request, settings.due_soon_days)
    everyone = chosen.get("scope") == "all" and may_supervise(staff.roles)
    rows = await workspace.inbox(session, staff, filters, page, everyone=everyone)
    return render(request, "inbox.html", {"staff": staff, "rows": rows, "chosen": chosen, "page": page,
                                          "more": len(rows) == task_repo.PAGE_SIZE, "procedures": PROCEDURES,
                                          "states": STATES, "all_states": sorted(ALL_STATES),
                                          "saved": request.query_params.get("saved", "")[:32]})


@router.post("/tasks/{task_id}/claim")
async def claim_page(task_id: str, session: SessionDep, staff: PageStaff) -> RedirectResponse:
    try:
        task = await workspace.claim(session, staff, task_id)
    except ApiError:
        task = None  # gone, done, claimed meanwhile or not theirs: the case (or the inbox) shows why
        found = await task_repo.get_task(session, task_id[:96])
        if found is not None and found.role in staff.roles:
            task = found
    return RedirectResponse(f"/staff/cases/{task.case_number}" if task else "/staff/inbox", status_code=303)


def _opened_data(session, case_number: str, transitions) -> dict[int, dict]:
    """The data of every earlier decision (interview record, verification, conclusion…), opened."""
    sealer = session_sealer(session)
    return {t.seq: sealer.open(t.detail["data"], f"{case_number}|transition.{t.seq}.data")
            for t in transitions if isinstance(t.detail, dict) and t.detail.get("data")}


async def _case_page(request: Request, session, staff: Staff, case_number: str, error: str = "",
                     status_code: int = 200, form: dict[str, str] | None = None) -> HTMLResponse:
    try:
        view = await case_reading.read_case(session, staff, case_number)
    except ApiError as err:
        return await _refused(request, err)
    lang = i18n.choose_lang(request)
    tasks = [{"task": s.task, "spec": s.spec, "barred": s.barred, "params": s.params, "due": _due_text(s, lang),
              "outcomes": [] if s.barred else [_outcome_view(s, o, lang) for o in s.outcomes]}
             for s in open_steps(staff, view.case, view.open_tasks, view.transitions, await futile_outcomes(
                 session, staff, view.case, view.transitions, view.application))]
    clocks = {t["task"].clock: t["task"].due_at for t in tasks if t["task"].clock} if may_supervise(staff.roles) else {}
    return render(request, "case.html", {
        "staff": staff, "case": view.case, "application": view.application, "tasks": tasks, "error": error,
        "form": form or {}, "decision_key": uuid.uuid4().hex, "pending": request.query_params.get("pending") == "1",
        "saved": request.query_params.get("saved", "")[:20], "transitions": view.transitions,
        "decision_data": _opened_data(session, view.case.case_number, view.transitions) if "decisions" in view.parts
        else {}, "documents": await case_documents(session, view.case.case_number), "files": view.files, "clocks": clocks,
        "assignable": await workspace.assignable(session, staff, view.case, view.open_tasks),
        "reach": await applicant_reach(session, view.case.case_number) if view.application.get("contact") else None,
        "transfers": await transfers(session, view.case, view.parts)},
        status_code)


def _due_text(step, lang: str) -> str:
    """The amounts at stake at a step, in the reader's words and way of writing money."""
    if not step.due:
        return ""
    shown = {k: money(step.due[k], step.due["currency"], lang) if k in _MONEY else fact_value(k, step.due, lang)
             for k in step.due if k != "currency"}
    return i18n.text("ui", f"due_{step.task.step}", lang).format(**shown)


def _outcome_view(step, outcome, lang: str) -> dict:
    """An outcome's form, or the words of the refusal the workflow would give it on this case."""
    code, params = step.held.get(outcome.name, ("", {}))
    return {"outcome": outcome, "fields": form_fields(outcome), "held_code": code,
            "held": localized(code, params, lang) if code else ""}


async def _refused(request: Request, err: ApiError) -> HTMLResponse:
    if err.status_code == 403:
        await audit_refusal(request, err.detail, err.extra.get("code", ""), err.extra.get("params"))
    return render(request, "error.html", {"message": "not_found" if err.status_code == 404 else "403",
                                          "shown": _shown_error(request, err)}, err.status_code)


def _shown_error(request: Request, err: ApiError) -> str:
    return localized(err.extra.get("code", ""), err.extra.get("params", {}), i18n.choose_lang(request)) or err.detail


@router.get("/cases/{case_number}", response_class=HTMLResponse)
async def case_page(case_number: str, request: Request, session: SessionDep, staff: PageStaff) -> HTMLResponse:
    return await _case_page(request, session, staff, case_number)


@router.post("/cases/{case_number}/decisions")
async def decide_page(case_number: str, request: Request, session: SessionDep, temporal: TemporalDep,
                      signer: SignerDep, staff: PageStaff, form: Posted):
    try:
        case = await case_reading.case_for_staff(session, staff, case_number)
    except ApiError as err:
        return await _refused(request, err)
    step = PROCEDURES[case.procedure].steps.get(form.get("step", ""))
    try:
        if step is None:
            raise ApiError(409, "step not open", extra={"code": "step_not_open", "params": {"step": form.get("step", "")[:40]}})
        outcome = next((o for o in step.outcomes if o.name == form.get("outcome")), None)
        if outcome is None:
            raise ApiError(422, f"'{form.get('outcome', '')[:40]}' is not an outcome of step '{step.name}'",
                           extra={"code": "unknown_outcome", "params": {"step": step.name}})
        key = form.get("decision_key", "")[:100] or None  # one per rendered form: a resubmission is a retry
        await decisions.decide(session, temporal, signer, request.app.state.settings, staff, case.case_number,
                               DecisionInput(step=step.name, outcome=outcome.name, reason=form.get("reason", ""),
                                             data=form_data(outcome, form)), key, form.get("take_over") == "on")
    except ApiError as err:
        if err.status_code == 202:
            return RedirectResponse(f"/staff/cases/{case.case_number}?pending=1", status_code=303)
        if err.status_code == 403:
            await audit_refusal(request, err.detail, err.extra.get("code", ""), err.extra.get("params"))
        return await _case_page(request, session, staff, case_number, _shown_error(request, err), err.status_code, form)
    return RedirectResponse(f"/staff/inbox?saved={case.case_number}", status_code=303)


@router.post("/cases/{case_number}/extensions")
async def extend_page(case_number: str, request: Request, session: SessionDep, temporal: TemporalDep,
                      signer: SignerDep, staff: PageStaff, form: Posted):
    extension = ExtensionInput(clock=form.get("clock", "")[:40], until=form.get("until", "")[:10],
                               reason=form.get("reason", ""))
    try:
        await decisions.extend(session, temporal, signer, request.app.state.settings, staff, case_number, extension,
                               form.get("decision_key", "")[:100] or None)
    except ApiError as err:
        if err.status_code == 202:
            return RedirectResponse(f"/staff/cases/{case_number}?pending=1", status_code=303)
        if err.status_code in (403, 404):
            return await _refused(request, err)
        return await _case_page(request, session, staff, case_number, _shown_error(request, err), err.status_code, form)
    return RedirectResponse(f"/staff/cases/{case_number}?saved=extended", status_code=303)


@router.post("/tasks/{task_id}/assign")
async def assign_page(task_id: str, request: Request, session: SessionDep, staff: PageStaff, form: Posted):
    case_number = form.get("case_number", "")[:32]
    try:
        await workspace.reassign(session, staff, task_id[:96], form.get("username", "")[:64],
                                 form.get("holder") or None)
    except ApiError as err:
        if err.status_code in (403, 404):
            return await _refused(request, err)
        return await _case_page(request, session, staff, case_number, _shown_error(request, err), err.status_code)
    return RedirectResponse(f"/staff/cases/{case_number}?saved=reassigned", status_code=303)


@router.get("/cases/{case_number}/documents/{number}")
async def document_page(case_number: str, number: str, request: Request, session: SessionDep,
                        staff: PageStaff) -> Response:
    """A document's PDF for staff who may read the case; each download is audited."""
    try:
        case = await case_for_staff(session, staff, case_number)
        pdf = await document_pdf(session, case, number, staff.username, ",".join(staff.roles))
    except ApiError as err:
        return await _refused(request, err)
    await session.commit()
    return pdf_response(pdf, number)


@router.get("/cases/{case_number}/files/{file_id}")
async def file_page(case_number: str, file_id: str, request: Request, session: SessionDep,
                    staff: PageStaff) -> Response:
    try:
        found = await workspace.open_file(session, staff, case_number, file_id)
    except ApiError as err:
        return await _refused(request, err)
    return file_response(found)
