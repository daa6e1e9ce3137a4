"""Applicants: submit, check status, provide documents, withdraw, appeal."""

from typing import Annotated

from fastapi import APIRouter, File, Form, Header, Request, Response, UploadFile, status

from api.deps import IdempotencyKey, LimitsDep, SessionDep, SessionsDep, SettingsDep, SignerDep, TemporalDep
from api.errors import not_found
from api.i18n import api_lang, asked_lang
from api.limits import TOO_MANY_SUBMISSIONS, client_of
from api.openapi import refusals
from api.payloads import (
    Accepted,
    Appeal,
    CaseStatus,
    DocumentRequest,
    Submitted,
    Withdrawal,
)
from api.services import applicant_actions as actions
from api.services.applicant import case_for_applicant, status_for_applicant
from api.services.applications import submit_application
from api.services.placement_reports import PlacementReportIn, file_report
from api.services.workflows import start_submitted
from schemas.procedures import PROCEDURES, Procedure
from schemas.repatriation import BankAccount

router = APIRouter(tags=["applicants"])
AccessCode = Annotated[str | None, Header(alias="X-Access-Code", max_length=64)]


def _submit_route(procedure: Procedure):
    async def submit(request: Request, application: procedure.application, response: Response, session: SessionDep,
                     settings: SettingsDep, temporal: TemporalDep, limits: LimitsDep,
                     idempotency_key: IdempotencyKey = None) -> Submitted:
        limits.hit(limits.submissions, TOO_MANY_SUBMISSIONS, "submission", client_of(request))
        result = await submit_application(session, procedure, application, idempotency_key,
                                          settings.secret_key.get_secret_value(), asked_lang(request) or "")
        await session.commit()  # the case exists before its workflow does
        await start_submitted(session, temporal, result.case, settings.task_queue, request.app.state.signer)
        if result.replayed:
            response.headers["Idempotency-Replayed"] = "true"
        return Submitted(case_number=result.case.case_number, access_code=result.access_code,
                         state=result.case.state)

    submit.__name__ = f"submit_{procedure.slug.replace('-', '_')}_application"
    return submit


for _procedure in PROCEDURES.values():
    router.add_api_route(f"/applications/{_procedure.slug}", _submit_route(_procedure), methods=["POST"],
                         status_code=status.HTTP_201_CREATED, response_model=Submitted,
                         summary=f"Submit an application: {_procedure.slug}", responses=refusals(429),
                         description=f"Lodges a {_procedure.slug} application (the body is validated field by field; "
                                     "422 names each field at fault). Answers the case number and, once, the access "
                                     "code the applicant needs to read the status. Send an `Idempotency-Key`: a "
                                     "retry with it returns the same case and the same code.")


@router.post("/applications/{slug}", include_in_schema=False)
async def unknown_procedure(slug: str) -> None:
    raise not_found(f"unknown procedure '{slug[:40]}'; known: {', '.join(PROCEDURES)}", "unknown_procedure")


# Read from the headers rather than declared as a parameter (documented here instead): FastAPI
# examines a declared header's type on every request, and for the applicants' most frequent request
# that was half of what a look-up answered from memory cost beyond the framework's own (profiled
# with bench/status_http.py). A code over 64 characters opens nothing, as any wrong code.
_ACCESS_CODE_HEADER = {"name": "X-Access-Code", "in": "header", "required": False,
                       "description": "The access code given when the application was lodged",
                       "schema": {"type": "string", "maxLength": 64}}


@router.get("/cases/{case_number}/status", response_model=CaseStatus, summary="Read a case's status",
            responses=refusals(429), openapi_extra={"parameters": [_ACCESS_CODE_HEADER]})
async def case_status(request: Request, case_number: str, sessions: SessionsDep) -> Response:
    """The applicant's view of the case (with the access code in `X-Access-Code`): its state, who is
    awaited and by when, the timeline's notes in the Accept-Language asked for, the documents issued.
    Look-ups are rate-limited per client, and wrong codes also per case number (then 429 for a
    while); what staff read of a case is audited, the applicant reading their own status is not."""
    body = await status_for_applicant(request, sessions, case_number, request.headers.get("x-access-code"),
                                      api_lang(request))
    return Response(body, media_type="application/json")


@router.post("/cases/{case_number}/documents", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted,
             summary="Send the documents asked for", responses=refusals(409, 413, 415, 429),
             openapi_extra={"requestBody": {"content": {"multipart/form-data": {"example": {
                 "files": ["passport.pdf"], "note": "The passport's pages 1 and 2"}}}}})
async def provide_documents(request: Request, case_number: str, session: SessionDep, settings: SettingsDep,
                            temporal: TemporalDep, signer: SignerDep,
                            files: Annotated[list[UploadFile], File(description="PDF, PNG or JPEG")] = (),
                            note: Annotated[str, Form(max_length=2000)] = "",
                            access_code: AccessCode = None) -> Accepted:
    """PDF, PNG or JPEG files (checked by their content, not their name) answering a request for documents;
    stored before the case's workflow hears of them. The access code goes in `X-Access-Code`."""
    case = await case_for_applicant(request, session, case_number, access_code)
    count = await actions.provide_documents(session, temporal, signer, case, list(files), note,
                                            settings.max_upload_bytes)
    return Accepted(case_number=case.case_number, detail=f"{count} file(s) received")


@router.post("/cases/{case_number}/withdraw", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted,
             summary="Withdraw the application", responses=refusals(409, 429))
async def withdraw(request: Request, case_number: str, body: Withdrawal, session: SessionDep, temporal: TemporalDep,
                   signer: SignerDep, access_code: AccessCode = None) -> Accepted:
    """Withdraws the application while the procedure allows it; the documents in force are revoked."""
    case = await case_for_applicant(request, session, case_number, access_code)
    await actions.withdraw(session, temporal, signer, case, body.reason)
    return Accepted(case_number=case.case_number, detail="withdrawal received")


@router.post("/cases/{case_number}/appeal", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted,
             summary="Appeal a rejection", responses=refusals(409, 429))
async def appeal(request: Request, case_number: str, body: Appeal, session: SessionDep, temporal: TemporalDep,
                 signer: SignerDep, access_code: AccessCode = None) -> Accepted:
    """Lodges an appeal within the appeal window (refugee rejections): the grounds, at least 10 characters."""
    case = await case_for_applicant(request, session, case_number, access_code)
    await actions.appeal(session, temporal, signer, case, body.grounds)
    return Accepted(case_number=case.case_number, detail="appeal received")


@router.post("/cases/{case_number}/reports", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted,
             summary="File an agency's quarterly placement report", responses=refusals(409, 429))
async def file_placement_report(request: Request, case_number: str, body: PlacementReportIn, session: SessionDep,
                                temporal: TemporalDep, signer: SignerDep, access_code: AccessCode = None) -> Accepted:
    """While its permit is in force, an agency reports each quarter how many citizens it placed
    abroad, by destination country and sector (numbers only; no person is named). Accepted only
    for the quarter that is due (409 otherwise); a retry stores nothing twice."""
    case = await case_for_applicant(request, session, case_number, access_code)
    period = await file_report(session, temporal, signer, case, body)
    return Accepted(case_number=case.case_number, detail=f"report for quarter {period} received")


@router.post("/cases/{case_number}/bank-account", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted,
             summary="Correct the bank account after a failed transfer", responses=refusals(409, 429))
async def correct_bank_account(request: Request, case_number: str, body: BankAccount, session: SessionDep,
                               temporal: TemporalDep, signer: SignerDep,
                               access_code: AccessCode = None) -> Accepted:
    """After a failed transfer, the applicant gives a corrected account; the payment is ordered again."""
    case = await case_for_applicant(request, session, case_number, access_code)
    await actions.correct_bank_account(session, temporal, signer, case, body)
    return Accepted(case_number=case.case_number, detail="bank account updated; the payment will be ordered again")


@router.post("/cases/{case_number}/requests", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted,
             summary="Apply for a renewal or a travel document", responses=refusals(409, 429))
async def request_document(request: Request, case_number: str, body: DocumentRequest, session: SessionDep,
                           temporal: TemporalDep, signer: SignerDep, access_code: AccessCode = None) -> Accepted:
    """While the refugee status holds, the refugee applies online for the certificate's renewal or
    a refugee travel document: a registrar then has it in the inbox on a statutory clock (10
    working days by default). 409 when it is not offered now (already asked, or not due)."""
    case = await case_for_applicant(request, session, case_number, access_code)
    await actions.request_document(session, temporal, signer, case, body.document)
    return Accepted(case_number=case.case_number, detail=f"{body.document} requested")
