"""Applicant pages: home, and the status of a case. The number and code are sent by POST, never
in a URL; once checked, a short-lived signed cookie (HttpOnly, SameSite=Strict) keeps the case
open in this browser, so the page can be reloaded, switched to another language and acted on
without sending the code again, until the applicant signs out of the case or it expires."""

from datetime import datetime, timedelta, timezone
from typing import Annotated

import jwt
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from api.deps import SessionDep
from api.errors import ApiError
from api.pages import csrf
from api.pages.common import render
from api.services.applicant import case_for_applicant
from api.services.applicant_actions import allowed, asked_documents, requestable
from api.services.documents import case_documents, document_pdf
from api.services.files import pdf_response
from api.services.placement_reports import REPORT_FIELD, due_period
from db.models import Case
from db.repositories import applicant_status
from db.repositories.cases import get_case
from db.session import read_outside_transaction
from schemas.text import CASE_NUMBER, typed_case_number

router = APIRouter(include_in_schema=False)
CASE_COOKIE = "aryz_case"
CASE_MINUTES = 20
_PURPOSE = "applicant-case"
# The confirmation shown after each action (?done=…), and the action it confirms.
DONE_ACTION = {"documents": "documents", "withdrawn": "withdraw", "appealed": "appeal", "bank_account": "bank_account",
               "requested": "request",
               "report": "report"}


class CaseClosedForBrowser(Exception):
    """No case is open in this browser (never opened, signed out, or expired): back to the form."""


def _secret(request: Request) -> str:
    return request.app.state.settings.secret_key.get_secret_value()


def open_case_cookie(request: Request, response, case_number: str) -> None:
    token = jwt.encode({"sub": case_number, "purpose": _PURPOSE,
                        "exp": datetime.now(timezone.utc) + timedelta(minutes=CASE_MINUTES)},
                       _secret(request), algorithm="HS256")
    response.set_cookie(CASE_COOKIE, token, max_age=CASE_MINUTES * 60, httponly=True, samesite="strict",
                        secure=csrf.secure_cookies(request), path="/")


async def case_in_browser(request: Request, session) -> Case:
    """The case this browser opened with its code in the last minutes."""
    try:
        claims = jwt.decode(request.cookies.get(CASE_COOKIE, ""), _secret(request), algorithms=["HS256"],
                            options={"require": ["sub", "exp", "purpose"]})
    except jwt.InvalidTokenError:
        raise CaseClosedForBrowser() from None
    number = str(claims["sub"])
    case = await get_case(session, number) if claims["purpose"] == _PURPOSE and CASE_NUMBER.match(number) else None
    if case is None:
        raise CaseClosedForBrowser()
    return case


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    return render(request, "home.html", {"ended": request.query_params.get("ended") == "1"})


async def status_view(request: Request, session, case: Case, done: str = "", error: str = "",
                      form: dict | None = None, status_code: int = 200, bad_fields: tuple[str, ...] = (),
                      report: dict | None = None) -> HTMLResponse:
    due = await due_period(session, case)  # an agency's quarterly report, when one is due
    actions = allowed(case) | ({"report"} if due else set())
    return render(request, "status.html", {
        # Just done: not offered again while the engine catches up (the read model moves a moment later).
        "case": case, "actions": actions - {DONE_ACTION.get(done, "")}, "asked": asked_documents(case),
        "report_period": due[0] if due else None, "report": report or {"values": {}, "errors": {}},
        "report_field": REPORT_FIELD,
        # Just asked: shown as being processed while the engine catches up.
        "requests": {step: "asked" if done == "requested" and how == "open" and step == request.query_params.get("asked")
                     else how for step, how in (await requestable(session, case)).items()},
        "done": done, "error": error,
        "form": form or {}, "bad_fields": bad_fields, "canonical": "/status",
        "timeline": await applicant_status.public_timeline(session, case.case_number),
        "documents": await case_documents(session, case.case_number)}, status_code)


@router.post("/status", response_class=HTMLResponse)
async def open_status(request: Request, session: SessionDep,
                      case_number: Annotated[str, Form(max_length=32)] = "",
                      access_code: Annotated[str, Form(max_length=64)] = "") -> HTMLResponse:
    await csrf.verify(request)
    try:
        case = await case_for_applicant(request, session, typed_case_number(case_number), access_code)
    except ApiError as err:
        error = "too_many" if err.status_code == 429 else "no_case"
        response = render(request, "home.html", {"error": error, "case_number": case_number[:32]}, err.status_code)
        response.headers.update(err.headers)
        return response
    response = RedirectResponse("/status", status_code=303)
    open_case_cookie(request, response, case.case_number)
    return response


@router.get("/status", response_class=HTMLResponse)
async def status_page(request: Request, session: SessionDep) -> HTMLResponse:
    await read_outside_transaction(session)  # the page only reads (an applicant's own reads are not audited)
    case = await case_in_browser(request, session)
    done = request.query_params.get("done", "")
    return await status_view(request, session, case, done if done in DONE_ACTION else "")


@router.post("/status/sign-out")
async def sign_out_of_case(request: Request) -> RedirectResponse:
    await csrf.verify(request)
    response = RedirectResponse("/?ended=1", status_code=303)
    response.delete_cookie(CASE_COOKIE, path="/")
    return response


@router.get("/status/documents/{number}")
async def download_document(number: str, request: Request, session: SessionDep):
    """A document of the case open in this browser, as its PDF; audited like every download."""
    case = await case_in_browser(request, session)
    pdf = await document_pdf(session, case, number, "applicant", "applicant")
    await session.commit()
    return pdf_response(pdf, number)
