"""What an applicant may do with the case number and access code."""

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request, UploadFile
from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api import i18n, security
from api.errors import ApiError, not_found
from api.i18n.notes import note_text
from api.limits import TOO_MANY_LOOKUPS, RateLimits, client_of
from api.payloads import CaseStatus, DocumentOut, TimelineEntry
from api.status_cache import KeptStatus, StatusCache
from db.models import Case, CaseFile
from db.repositories import applicant_status
from db.repositories.cases import get_case
from db.sealing import session_sealer
from schemas.messages import FileRef
from schemas.text import CASE_NUMBER

NO_SUCH_CASE = "no case with this number and access code"
# Content sniffing: the declared type must match the file's first bytes.
_SIGNATURES = {"application/pdf": (b"%PDF-",), "image/png": (b"\x89PNG\r\n\x1a\n",),
               "image/jpeg": (b"\xff\xd8\xff",)}
MAX_FILES = 10
FILE_REFUSALS = ("no_files", "too_many_files", "file_too_large", "file_empty", "file_kind")


async def case_for_applicant(request: Request, session: AsyncSession, case_number: str, code: str | None) -> Case:
    """The case, if the code opens it; otherwise the same 404 whether the case exists or not.
    Guessing is limited per client and, for failures, per case number (then 429 for a while)."""
    return await _opened(request, case_number, code, lambda: get_case(session, case_number))


async def status_for_applicant(request: Request, sessions: async_sessionmaker, case_number: str, code: str | None,
                               lang: str) -> bytes:
    """As case_for_applicant, answering the status as JSON in `lang`: from the answers this process
    keeps (api/status_cache.py) when the case has not changed since, else read in one statement
    outside a transaction (db/repositories/applicant_status.py) and kept. Opens a session only then."""
    cache: StatusCache = request.app.state.status_cache
    generation = cache.generation()  # before the read: see api/status_cache.py

    async def kept_or_read():
        kept = cache.get(case_number, lang)
        if kept is not None:
            return kept
        async with sessions() as session:
            return await applicant_status.status_row(session, case_number)

    found = await _opened(request, case_number, code, kept_or_read)
    if isinstance(found, KeptStatus):
        return found.body
    body = status_answer(found, lang).model_dump_json().encode()
    cache.keep(generation, case_number, lang, found.access_code_hash, body)
    return body


def status_answer(case: Row, lang: str) -> CaseStatus:
    return CaseStatus(
        case_number=case.case_number, procedure=case.procedure, state=case.state,
        state_text=i18n.state_label(case.state, lang), awaiting_text=i18n.awaiting_label(case.awaiting, lang),
        processing_started=case.last_seq > 0, awaiting=case.awaiting, deadline=case.deadline,
        timeline=[TimelineEntry(at=t.at, state=t.state, note=note_text(t.public_note, t.note_params, lang),
                                note_key=t.public_note, params=t.note_params) for t in applicant_status.timeline_of(case)],
        documents=[DocumentOut(number=d.number, doc_type=d.doc_type, title=i18n.doc_label(d.doc_type, lang),
                               issued_at=d.issued_at, valid_until=d.valid_until, holder_initials=d.holder_initials)
                   for d in applicant_status.documents_of(case)])


async def _opened(request: Request, case_number: str, code: str | None, load: Callable[[], Awaitable[Any]]):
    limits: RateLimits = request.app.state.limits
    client = client_of(request)
    limits.hit(limits.access_code, TOO_MANY_LOOKUPS, "access-code", client)
    target = case_number[:32]
    limits.refuse_if_spent(limits.access_code_failures, TOO_MANY_LOOKUPS, "access-code-failures", target)
    case = await load() if CASE_NUMBER.match(case_number) and code and len(code) <= 64 else None
    secret = request.app.state.settings.secret_key.get_secret_value()
    if not security.code_matches(case.access_code_hash if case else None, code or "", secret):
        limits.count(limits.access_code_failures, "access-code-failures", target)
        raise not_found(NO_SUCH_CASE, "no_case_with_code")
    return case


async def store_files(session: AsyncSession, case: Case, uploads: list[UploadFile], max_bytes: int) -> list[FileRef]:
    if not uploads:
        raise ApiError(422, "attach at least one file (field 'files')", code="no_files")
    if len(uploads) > MAX_FILES:
        raise ApiError(422, f"at most {MAX_FILES} files at a time", code="too_many_files", params={"most": MAX_FILES})
    refs = []
    for upload in uploads:
        content = await upload.read(max_bytes + 1)
        # Keep the name readable but harmless: no control characters, no directories.
        name = "".join(ch for ch in (upload.filename or "document") if ch.isprintable()).rsplit("/", 1)[-1][-200:]
        name = name or "document"
        if len(content) > max_bytes:
            raise ApiError(413, f"{name}: larger than {max_bytes} bytes", code="file_too_large",
                           params={"name": name, "each": max(1, max_bytes // 2**20)})
        if not content:
            raise ApiError(422, f"{name}: the file is empty", code="file_empty", params={"name": name})
        kind = next((t for t, sigs in _SIGNATURES.items() if content.startswith(sigs)), None)
        if kind is None:
            raise ApiError(415, f"{name}: only PDF, PNG and JPEG files are accepted", code="file_kind",
                           params={"name": name})
        digest = hashlib.sha256(content).hexdigest()
        # The same file sent again (a retried upload) is stored once.
        row = await session.scalar(select(CaseFile).where(CaseFile.case_number == case.case_number,
                                                          CaseFile.sha256 == digest))
        if row is None:
            file_id = str(uuid.uuid4())
            sealed = session_sealer(session).seal_bytes(content, f"{case.case_number}|file.{file_id}")
            row = CaseFile(file_id=file_id, case_number=case.case_number, filename=name, content_type=kind,
                           size=len(content), sha256=digest, content=sealed)
            session.add(row)
        refs.append(FileRef(row.file_id, row.filename, digest))
    await session.flush()
    return refs
