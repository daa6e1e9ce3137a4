"""Documents: the public verification (page and JSON, no sign-in) and a case's PDFs for its
applicant or staff."""

from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Path, Request, Response, UploadFile
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from api.deps import LimitsDep, SessionDep, SettingsDep, get_current_staff, oauth2
from api.errors import ApiError
from api.i18n import choose_lang
from api.limits import TOO_MANY_CHECKS, client_of
from api.openapi import refusals
from api.pages.common import render
from api.rejections import localized
from api.routes.applicant import AccessCode
from api.services.applicant import case_for_applicant
from api.services.case_reading import case_for_staff
from api.services.documents import FileCheck, Verification, check_document, document_pdf, verify_number
from api.services.files import pdf_response
from documents.seal import public_spec
from schemas.text import DOCUMENT_NUMBER, typed_document_number
from settings import document_public_keys

router = APIRouter(tags=["documents"])
public = APIRouter(tags=["verification"])
DocumentNumber = Annotated[str, Path(max_length=40, pattern=DOCUMENT_NUMBER.pattern)]
PDF_LIMIT = 5 * 1024 * 1024  # an issued document is well under 1 MB


class VerificationOut(BaseModel):
    number: str
    state: str = Field(description="valid, expired, revoked, suspended, replaced or unknown")
    document_type: str = ""
    kind: str = Field("", description="certificate, decision or letter")
    issued_on: date | None = None
    valid_until: date | None = None
    holder_initials: str = Field("", description="Only the initials: a verification never shows a name")
    changed_on: date | None = Field(None, description="When it was revoked, suspended, expired early or replaced")
    ground: str = ""
    replaced_by: str = ""

    @classmethod
    def of(cls, v: Verification) -> "VerificationOut":
        return cls(number=v.number, state=v.state, document_type=v.doc_type, kind=v.kind, issued_on=v.issued_on,
                   valid_until=v.valid_until, holder_initials=v.holder_initials, changed_on=v.changed_on,
                   ground=v.ground, replaced_by=v.replaced_by)


class FileCheckOut(BaseModel):
    authentic: bool = Field(description="Signed by a published key, and (for a PDF) not a byte changed")
    problem: str = Field("", description="no_seal, malformed, unknown_key, bad_signature or altered")
    key_id: str = ""
    number: str = ""
    document_type: str = ""
    valid_from: str = ""
    valid_until: str = ""
    registry: VerificationOut | None = Field(None, description="What the registry says of this number today")

    @classmethod
    def of(cls, c: FileCheck) -> "FileCheckOut":
        s = c.sealed
        return cls(authentic=c.authentic, problem=c.problem, key_id=c.key_id, number=s.number if s else "",
                   document_type=s.doc_type if s else "", valid_from=s.valid_from if s else "",
                   valid_until=s.valid_until if s else "", registry=VerificationOut.of(c.registry) if c.registry else None)


class PublicKeysOut(BaseModel):
    keys: dict[str, str] = Field(description="key id → Ed25519 public key, base64")
    spec: str = Field(description="The same keys as `aryz verify --keys` takes them")


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return request.query_params.get("format") == "json" or ("application/json" in accept and "text/html" not in accept)


@public.get("/verify/keys", response_model=PublicKeysOut, summary="The public keys that sign documents")
async def verify_keys(settings: SettingsDep) -> PublicKeysOut:
    """Every key that has signed documents, old ones kept after a rotation: enough to check any
    document offline (`aryz verify FILE.pdf --keys …`)."""
    import base64

    keys = document_public_keys(settings)
    return PublicKeysOut(keys={kid: base64.b64encode(k).decode() for kid, k in keys.items()}, spec=public_spec(keys))


@public.get("/verify", include_in_schema=False)
async def verify_form(request: Request, number: str = "") -> Response:
    number = typed_document_number(number[:80])[:40]
    if number:
        return RedirectResponse(f"/verify/{quote(number, safe='')}", status_code=303)
    return render(request, "verify.html", {"result": None, "check": None})


@public.get("/verify/{number}", response_model=VerificationOut, summary="Check a document by its number",
            responses={200: {"content": {"text/html": {}}, "description": "The page, or JSON when asked for"}})
async def verify_document(request: Request, number: Annotated[str, Path(max_length=40)], session: SessionDep,
                          limits: LimitsDep) -> Response | VerificationOut:
    """Valid, expired, revoked, suspended, replaced or unknown, with the document type, its
    validity and the holder's initials only. HTML for a browser; JSON for `Accept:
    application/json` or `?format=json`. Limited per client."""
    limits.hit(limits.verification, TOO_MANY_CHECKS, "verify", client_of(request))
    result = await verify_number(session, typed_document_number(number))
    if _wants_json(request):
        return VerificationOut.of(result)
    return render(request, "verify.html", {"result": result, "check": None})


@public.post("/verify", response_model=FileCheckOut, summary="Check a document's PDF or its QR code offline",
             responses={200: {"content": {"text/html": {}}, "description": "The page, or JSON when asked for"},
                        **refusals(429)},
             openapi_extra={"requestBody": {"content": {"multipart/form-data": {"example": {
                 "seal": "ARYZ1.WyJBQy1HQi0yMDI2LTAwMDAwMSIsIkFDIl0.k2026.c2lnbmF0dXJl"}}}}})
async def verify_upload(request: Request, session: SessionDep, settings: SettingsDep, limits: LimitsDep,
                        file: Annotated[UploadFile | None, File(description="The document's PDF")] = None,
                        seal: Annotated[str, Form(max_length=2000, description="What the QR code holds")] = "",
                        ) -> Response | FileCheckOut:
    """The signature over the document's data and over every byte of the PDF, checked with the
    published keys (no call to anyone), then the registry's answer for that number."""
    limits.hit(limits.verification, TOO_MANY_CHECKS, "verify", client_of(request))
    pdf = await file.read(PDF_LIMIT + 1) if file is not None and file.filename else None
    refusal = None
    if pdf is not None and len(pdf) > PDF_LIMIT:
        refusal = ApiError(413, "this file is larger than any document aryz issues", code="not_our_document_size")
    elif pdf is None and not seal.strip():
        refusal = ApiError(422, "send the document's PDF (field 'file') or what its QR code holds (field 'seal')",
                           code="nothing_to_verify")
    if refusal is not None and _wants_json(request):
        raise refusal
    if refusal is not None:  # a person at the form: told beside it, the form still there
        return render(request, "verify.html", {"result": None, "check": None, "seal": seal,
                                               "error": localized(refusal.extra["code"], {}, choose_lang(request))},
                      refusal.status_code)
    check = await check_document(session, document_public_keys(settings), pdf=pdf, seal=None if pdf else seal)
    if _wants_json(request):
        return FileCheckOut.of(check)
    return render(request, "verify.html", {"result": check.registry, "check": check})


@router.get("/cases/{case_number}/documents/{number}", response_class=Response,
            summary="Download one of the case's documents (PDF)",
            responses={200: {"content": {"application/pdf": {}}, "description": "The signed PDF"}})
async def download_document(request: Request, case_number: str, number: DocumentNumber, session: SessionDep,
                            settings: SettingsDep, token: Annotated[str | None, Depends(oauth2)] = None,
                            access_code: AccessCode = None) -> Response:
    """For the applicant (header `X-Access-Code`) or staff who may read the case (bearer token);
    each download is an audit entry."""
    if access_code is not None:
        case = await case_for_applicant(request, session, case_number, access_code)
        actor, role = "applicant", "applicant"
    else:
        staff = await get_current_staff(request, session, settings, token)
        case = await case_for_staff(session, staff, case_number)
        actor, role = staff.username, ",".join(staff.roles)
    pdf = await document_pdf(session, case, number, actor, role)
    await session.commit()  # the download is audited before the bytes leave
    return pdf_response(pdf, number)

