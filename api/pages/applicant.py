"""Applicant pages: home, and the status of a case (number and code sent by POST, never in a URL)."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from api.deps import SessionDep
from api.errors import ApiError
from api.pages import csrf
from api.pages.common import render
from api.services.applicant import case_for_applicant
from db.repositories import cases as case_repo

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    return render(request, "home.html", {})


@router.post("/status", response_class=HTMLResponse)
async def status_page(request: Request, session: SessionDep,
                      case_number: Annotated[str, Form(max_length=32)] = "",
                      access_code: Annotated[str, Form(max_length=64)] = "") -> HTMLResponse:
    await csrf.verify(request)
    try:
        case = await case_for_applicant(request, session, case_number.strip().upper(), access_code)
    except ApiError as err:
        error = "too_many" if err.status_code == 429 else "no_case"
        response = render(request, "home.html", {"error": error, "case_number": case_number[:32]}, err.status_code)
        response.headers.update(err.headers)
        return response
    return render(request, "status.html", {
        "case": case,
        "timeline": await case_repo.transitions(session, case.case_number, public_only=True),
        "documents": await case_repo.documents(session, case.case_number),
    })
