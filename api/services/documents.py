"""Issued documents for the people who hold and check them: the public verification (online by
number, offline by the PDF or its QR code's seal) and the download of a case's PDFs."""

from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import ApiError, not_found
from db.models import Case
from db.repositories import documents as registry
from db.repositories.audit import append_audit
from documents.seal import SealedData, SealInvalid, find_seal, open_file, open_seal
from rules import local_today, service_calendar
from schemas.text import DOCUMENT_NUMBER

NUMBER_MAX = 40


@dataclass(frozen=True)
class Verification:
    """What anyone may learn of a document: never the holder's name, only the initials."""

    number: str
    state: str  # valid | expired | revoked | suspended | replaced | unknown
    doc_type: str = ""
    kind: str = ""
    issued_on: date | None = None
    valid_until: date | None = None
    holder_initials: str = ""
    changed_on: date | None = None  # when it was revoked, suspended, expired early or replaced
    ground: str = ""
    replaced_by: str = ""


@dataclass(frozen=True)
class FileCheck:
    """An offline check of a PDF or a seal, then what the registry says of that number today."""

    authentic: bool
    problem: str  # "" when authentic; else no_seal, malformed, unknown_key, bad_signature, altered
    key_id: str = ""
    sealed: SealedData | None = None
    registry: Verification | None = None


def _day(moment: datetime | None) -> date | None:
    return local_today(moment) if moment else None


def _last_day(moment: datetime | None) -> date | None:
    return service_calendar().last_day(moment) if moment else None


async def verify_number(session: AsyncSession, number: str, now: datetime | None = None) -> Verification:
    row = await registry.get(session, number) if DOCUMENT_NUMBER.match(number) else None
    if row is None:
        return Verification(number=number[:NUMBER_MAX] if DOCUMENT_NUMBER.match(number) else "", state="unknown")
    now = now or datetime.now(timezone.utc)
    state = registry.state_at(row, now)
    changed = row.status_at if state in ("revoked", "suspended", "replaced") or row.status == "expired" else None
    return Verification(number=row.number, state=state, doc_type=row.doc_type, kind=row.doc_kind,
                        issued_on=_day(row.issued_at), valid_until=_last_day(row.valid_until),
                        holder_initials=row.holder_initials, changed_on=_day(changed),
                        ground=row.status_ground if state in ("revoked", "suspended", "expired") else "",
                        replaced_by=row.replaced_by or "")


async def check_document(session: AsyncSession, public_keys: dict[str, bytes], *, pdf: bytes | None = None,
                         seal: str | None = None) -> FileCheck:
    """Checks a PDF (nothing altered, signed by a published key) or a QR code's content; the
    registry's answer for its number is added when the signature holds."""
    try:
        if pdf is not None:
            sealed, kid = open_file(pdf, public_keys)
        else:
            found = find_seal(seal or "")
            if found is None:
                raise SealInvalid("malformed")
            sealed, kid = open_seal(found, public_keys)
    except SealInvalid as e:
        return FileCheck(authentic=False, problem=e.code)
    return FileCheck(authentic=True, problem="", key_id=kid, sealed=sealed,
                     registry=await verify_number(session, sealed.number))


async def case_documents(session: AsyncSession, case_number: str) -> list[Verification]:
    rows = await registry.of_case(session, case_number)
    now = datetime.now(timezone.utc)
    return [Verification(number=r.number, state=registry.state_at(r, now), doc_type=r.doc_type, kind=r.doc_kind,
                         issued_on=_day(r.issued_at), valid_until=_last_day(r.valid_until),
                         holder_initials=r.holder_initials, replaced_by=r.replaced_by or "") for r in rows]


async def document_pdf(session: AsyncSession, case: Case, number: str, actor: str, actor_role: str) -> bytes:
    """The PDF of one of the case's documents, for its applicant or staff who may read the case;
    each download is an audit entry (and the bytes are those whose SHA-256 the log holds)."""
    row = await registry.get(session, number) if DOCUMENT_NUMBER.match(number) else None
    if row is None or row.case_number != case.case_number:
        raise not_found("no such document on this case", "no_such_document")
    pdf = await registry.pdf_of(session, number)
    if pdf is None:
        raise ApiError(503, "the document is being prepared; try again in a moment", {"Retry-After": "5"},
                       code="document_being_prepared")
    await append_audit(session, action="document_downloaded", actor=actor, actor_role=actor_role,
                       case_number=case.case_number, detail={"document": number, "sha256": row.sha256})
    return pdf
