"""Applying on the web, for each procedure: a page per group of questions, a page to check the
answers (and attach documents), then the case number and access code, shown once.

The answers are validated by the procedure's pydantic model, the same one the JSON API uses;
the answers of the other pages travel as hidden inputs, so nothing personal is stored before
the applicant submits. A hidden random key makes a second submission (a double click, a
reload) return the same case and the same access code, as an Idempotency-Key does."""

import re
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile

from api import i18n
from api.deps import LimitsDep, SessionDep, SettingsDep, TemporalDep
from api.errors import ApiError, not_found
from api.forms.posted import Problem, answers_of, change_entries, hidden, problem_message, read, validate
from api.forms.steps import FORMS, ApplicationForm
from api.limits import TOO_MANY_SUBMISSIONS, client_of
from api.pages import csrf
from api.pages.applicant import open_case_cookie
from api.pages.common import form_label, render
from api.rejections import localized
from api.services.applicant import FILE_REFUSALS, MAX_FILES, store_files
from api.services.applications import submit_application
from api.services.workflows import start_submitted
from schemas.phone import first_channel

router = APIRouter(include_in_schema=False)
KEY = re.compile(r"^[0-9a-f]{32}$")
MAX_FIELDS = 600  # the longest form (30 family members of 9 fields) and its controls


def _form(slug: str) -> ApplicationForm:
    if slug not in FORMS:
        raise not_found("unknown procedure", "unknown_procedure")
    return FORMS[slug]


@router.get("/apply", response_class=HTMLResponse)
async def choose_procedure(request: Request) -> HTMLResponse:
    return render(request, "apply_choose.html", {"procedures": list(FORMS)})


@router.get("/apply/{slug}", response_class=HTMLResponse)
async def first_page(request: Request, slug: str) -> HTMLResponse:
    return _page(request, _form(slug), 0, {}, secrets.token_hex(16))


@router.post("/apply/{slug}", response_class=HTMLResponse)
async def answer(request: Request, slug: str, session: SessionDep, settings: SettingsDep, temporal: TemporalDep,
                 limits: LimitsDep) -> HTMLResponse:
    form = _form(slug)
    await csrf.verify(request)
    data = await request.form(max_fields=MAX_FIELDS, max_files=MAX_FILES)
    posted = answers_of(data)
    control = {k: (posted.pop(k, [""]) or [""])[0] for k in ("_step", "_action", "_key")}
    key = control["_key"] if KEY.match(control["_key"]) else secrets.token_hex(16)
    last = len(form.steps)  # the page that checks the answers
    step = min(max(int(control["_step"]) if control["_step"].isdigit() else 0, 0), last)
    action = control["_action"]
    values = read(list(form.fields), posted)
    if action == "back":
        return _page(request, form, max(step - 1, 0), values, key)
    if action.startswith("edit:") and action[5:].isdigit():
        return _page(request, form, min(int(action[5:]), last - 1), values, key)
    if action.startswith(("add:", "remove:")):
        return _page(request, form, step, change_entries(list(form.fields), values, action), key)
    application, problems = validate(form.procedure.application, values)
    if action == "submit" and step == last:
        if problems:
            first = form.step_of(problems[0].path)
            return _page(request, form, first, values, key, problems, status_code=422)
        files = [v for v in data.getlist("files") if isinstance(v, UploadFile) and v.filename]
        return await _submit(request, form, application, values, key, files, session, settings, temporal, limits)
    mine = [p for p in problems if step < last and form.step_of(p.path) == step]
    if mine:
        return _page(request, form, step, values, key, mine, status_code=422)
    return _page(request, form, min(step + 1, last), values, key)


def _page(request: Request, form: ApplicationForm, step: int, values: dict, key: str,
          problems: list[Problem] = (), status_code: int = 200) -> HTMLResponse:
    lang = i18n.choose_lang(request)
    last = len(form.steps)
    shown = form.step_fields(step) if step < last else []
    carried = hidden([f for f in form.fields if f not in shown], values)
    messages = []
    for p in problems:
        path = p.path.rsplit(".", 1)[0] if p.path.rsplit(".", 1)[-1].isdigit() else p.path  # an item of a list
        label = next((part for part in reversed(path.split(".")) if not part.isdigit()), "")
        messages.append((path, form_label(label, lang) if label else "", problem_message(p, lang)))
    return render(request, "apply_step.html", {
        "form": form, "slug": form.procedure.slug, "step": step, "last": last, "fields": shown, "values": values,
        "carried": carried, "key": key, "problems": messages,
        "errors": {path: message for path, _, message in messages},
        "canonical": f"/apply/{form.procedure.slug}"}, status_code)


async def _submit(request: Request, form: ApplicationForm, application, values: dict, key: str, files: list,
                  session, settings, temporal, limits) -> HTMLResponse:
    limits.hit(limits.submissions, TOO_MANY_SUBMISSIONS, "submission", client_of(request))
    try:
        result = await submit_application(session, form.procedure, application, key,
                                          settings.secret_key.get_secret_value(), i18n.choose_lang(request))
        if files:
            await store_files(session, result.case, files, settings.max_upload_bytes)
    except ApiError as err:
        await session.rollback()
        # Which file, and why (or which rule the case falls outside of), in the reader's words.
        said = localized(err.extra.get("code", ""), err.extra.get("params", {}), i18n.choose_lang(request)) or ""
        file_refused = err.extra.get("code") in FILE_REFUSALS
        problem = Problem("files" if file_refused else "", "files_refused" if file_refused else "not_submitted", {}, said)
        return _page(request, form, len(form.steps), values, key, [problem], status_code=422)
    await session.commit()  # the case (and its files) exist before the workflow and the answer
    await start_submitted(session, temporal, result.case, settings.task_queue, request.app.state.signer)
    contact = application.contact
    told_by = first_channel(contact.email or "", contact.phone, bool(settings.smtp_host), bool(settings.smpp_host))
    response = render(request, "apply_done.html", {
        "case_number": result.case.case_number, "access_code": result.access_code, "slug": form.procedure.slug,
        "files": len(files), "canonical": "/status", "told_by": told_by,
        "told_at": contact.email if told_by == "email" else contact.phone})
    open_case_cookie(request, response, result.case.case_number)
    return response
