"""The applicant's actions from the status page: provide documents, withdraw (after a
confirmation step), appeal, correct the bank account. Same services as the JSON API; each answers
with a confirmation on the status page, or the form again with what was typed and what is wrong."""

from typing import Annotated

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from api import i18n
from api.deps import SessionDep, SettingsDep, SignerDep, TemporalDep
from api.errors import ApiError
from api.forms.posted import answers_of, change_entries, problem_message, read, validate
from api.pages import csrf
from api.pages.applicant import case_in_browser, status_view
from api.pages.apply import MAX_FIELDS
from api.pages.common import render
from api.rejections import localized
from api.services import applicant_actions as actions
from api.services.placement_reports import REPORT_FIELD, PlacementReportIn, file_report
from schemas.repatriation import BankAccount
from schemas.text import has_nul

router = APIRouter(prefix="/status", include_in_schema=False)
BANK_FIELDS = ("holder", "bank", "bic", "account")


async def checked_form(request: Request) -> dict[str, str]:
    await csrf.verify(request)
    return {k: v for k, v in (await request.form()).items() if isinstance(v, str) and not has_nul(v)}


Posted = Annotated[dict[str, str], Depends(checked_form)]


def _refused(request: Request, err: ApiError) -> str:
    return localized(err.extra.get("code", ""), err.extra.get("params", {}), i18n.choose_lang(request)) or \
        i18n.t("action_refused", i18n.choose_lang(request))


@router.post("/documents", response_class=HTMLResponse)
async def provide_documents(request: Request, session: SessionDep, settings: SettingsDep, temporal: TemporalDep,
                            signer: SignerDep, form: Posted,
                            files: Annotated[list[UploadFile], File()] = ()):
    case = await case_in_browser(request, session)
    real = [f for f in files if f.filename]
    try:
        await actions.provide_documents(session, temporal, signer, case, real, form.get("note", "")[:2000],
                                        settings.max_upload_bytes)
    except ApiError as err:
        return await status_view(request, session, case, error=_refused(request, err), form=form,
                                 status_code=err.status_code, bad_fields=("files",))
    return RedirectResponse("/status?done=documents", status_code=303)


@router.get("/withdraw", response_class=HTMLResponse)
async def confirm_withdrawal(request: Request, session: SessionDep) -> HTMLResponse:
    case = await case_in_browser(request, session)
    if "withdraw" not in actions.allowed(case):
        return RedirectResponse("/status", status_code=303)
    return render(request, "withdraw.html", {"case": case, "canonical": "/status/withdraw"})


@router.post("/withdraw")
async def withdraw(request: Request, session: SessionDep, temporal: TemporalDep, signer: SignerDep, form: Posted):
    case = await case_in_browser(request, session)
    if form.get("confirm") != "yes":
        return render(request, "withdraw.html", {"case": case, "error": "confirm_withdrawal_needed",
                                                 "reason": form.get("reason", "")[:2000],
                                                 "canonical": "/status/withdraw"}, 422)
    try:
        await actions.withdraw(session, temporal, signer, case, form.get("reason", "")[:2000])
    except ApiError as err:
        return await status_view(request, session, case, error=_refused(request, err), status_code=err.status_code)
    return RedirectResponse("/status?done=withdrawn", status_code=303)


@router.post("/appeal")
async def appeal(request: Request, session: SessionDep, temporal: TemporalDep, signer: SignerDep, form: Posted):
    case = await case_in_browser(request, session)
    grounds = form.get("grounds", "").strip()[:10_000]
    if len(grounds) < 10:
        return await status_view(request, session, case, error=i18n.t("appeal_grounds_needed", i18n.choose_lang(request)),
                                 form=form, status_code=422, bad_fields=("grounds",))
    try:
        await actions.appeal(session, temporal, signer, case, grounds)
    except ApiError as err:
        return await status_view(request, session, case, error=_refused(request, err), status_code=err.status_code)
    return RedirectResponse("/status?done=appealed", status_code=303)


@router.post("/request")
async def request_document(request: Request, session: SessionDep, temporal: TemporalDep, signer: SignerDep,
                           form: Posted):
    case = await case_in_browser(request, session)
    document = form.get("document", "")[:40]
    try:
        await actions.request_document(session, temporal, signer, case, document)
    except ApiError as err:
        return await status_view(request, session, case, error=_refused(request, err), status_code=err.status_code)
    return RedirectResponse(f"/status?done=requested&asked={document}", status_code=303)


@router.post("/report")
async def file_placement_report(request: Request, session: SessionDep, temporal: TemporalDep, signer: SignerDep):
    """An agency's quarterly report, line by line (destination, sector, citizens placed)."""
    await csrf.verify(request)
    case = await case_in_browser(request, session)
    posted = answers_of(await request.form(max_fields=MAX_FIELDS), longest=100)
    action = (posted.pop("_action", None) or ["send"])[0]
    values = read([REPORT_FIELD], posted)
    if action.startswith(("add:", "remove:")):
        changed = change_entries([REPORT_FIELD], values, action)
        return await status_view(request, session, case, report={"values": changed, "errors": {}})
    report, problems = validate(PlacementReportIn, values)
    if problems:
        lang = i18n.choose_lang(request)
        errors = {p.path: problem_message(p, lang) for p in problems}
        return await status_view(request, session, case, error=i18n.t("check_fields", lang), status_code=422,
                                 report={"values": values, "errors": errors})
    try:
        await file_report(session, temporal, signer, case, report)
    except ApiError as err:
        return await status_view(request, session, case, error=_refused(request, err), status_code=err.status_code)
    return RedirectResponse("/status?done=report", status_code=303)


@router.post("/bank-account")
async def correct_bank_account(request: Request, session: SessionDep, temporal: TemporalDep, signer: SignerDep,
                               form: Posted):
    case = await case_in_browser(request, session)
    typed = {k: form.get(k, "").strip() for k in BANK_FIELDS}
    typed["bic"], typed["account"] = typed["bic"].upper(), typed["account"].upper().replace(" ", "")
    try:
        account = BankAccount.model_validate(typed)
    except ValidationError as err:
        bad = tuple(dict.fromkeys(str(e["loc"][0]) for e in err.errors()))
        return await status_view(request, session, case, error=i18n.t("check_fields", i18n.choose_lang(request)),
                                 form=form, status_code=422, bad_fields=bad)
    try:
        await actions.correct_bank_account(session, temporal, signer, case, account)
    except ApiError as err:
        return await status_view(request, session, case, error=_refused(request, err), status_code=err.status_code)
    return RedirectResponse("/status?done=bank_account", status_code=303)
