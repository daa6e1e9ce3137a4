"""The registry of issued documents: one number per issue key, allocated exactly once; each
document's seal, its PDF (sealed at rest) and its life (replaced, suspended, revoked, expired)."""

import hashlib
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import DocumentFile, IssuedDocumentRow
from db.repositories.audit import append_audit
from db.repositories.sequences import next_number
from db.sealing import session_sealer
from rules import document_rules, local_today

# From which states each change applies: a replaced document or a letter never changes again.
STATUS_FROM = {"suspended": ("valid",), "valid": ("suspended",), "revoked": ("valid", "suspended"),
               "expired": ("valid", "suspended")}


async def issue(session: AsyncSession, *, issue_key: str, case_number: str, doc_type: str, region: str,
                issued_at: datetime, valid_until: datetime | None, holder_initials: str, replaces: str,
                seal_for: Callable[[str], str], member: int = 0) -> IssuedDocumentRow:
    """The document of this key: the one issued before, or a new one with the next number of its
    series, its seal (made by `seal_for` from the number) and the replaced document marked."""
    existing = await session.scalar(select(IssuedDocumentRow).where(IssuedDocumentRow.issue_key == issue_key))
    if existing is not None:
        return existing
    rules = document_rules()
    year = local_today(issued_at).year
    seq = await next_number(session, rules.series(doc_type, region, year))
    number = rules.number(doc_type, region, year, seq)
    row = IssuedDocumentRow(number=number, issue_key=issue_key, case_number=case_number, doc_type=doc_type,
                            doc_kind=rules.kind(doc_type), issued_at=issued_at, valid_until=valid_until,
                            holder_initials=holder_initials, member=member, replaces=replaces or None, status="valid",
                            status_ground="", seal=seal_for(number), sha256="")
    session.add(row)
    await session.flush()
    if replaces:
        await session.execute(update(IssuedDocumentRow).where(IssuedDocumentRow.number == replaces,
                                                              IssuedDocumentRow.case_number == case_number)
                              .values(replaced_by=number, status_at=issued_at))
    return row


async def store_file(session: AsyncSession, number: str, pdf: bytes) -> str:
    """Keeps the first PDF made for a document (a retried activity renders again; the first one
    stands) and records its SHA-256 in the registry and the audit log. Returns the SHA-256 kept."""
    digest = hashlib.sha256(pdf).hexdigest()
    sealed = session_sealer(session).seal_bytes(pdf, f"document|{number}")
    inserted = await session.scalar(insert(DocumentFile).values(number=number, content=sealed, size=len(pdf))
                                    .on_conflict_do_nothing().returning(DocumentFile.number))
    row = await session.get(IssuedDocumentRow, number, with_for_update=True)
    if inserted is None:
        return row.sha256
    row.sha256 = digest
    await append_audit(session, action="document_stored", actor="system", case_number=row.case_number,
                       detail={"document": number, "type": row.doc_type, "sha256": digest, "size": len(pdf)},
                       idempotency_key=f"document-stored:{number}")
    return digest


async def get(session: AsyncSession, number: str) -> IssuedDocumentRow | None:
    return await session.get(IssuedDocumentRow, number)


async def of_case(session: AsyncSession, case_number: str) -> list[IssuedDocumentRow]:
    return list(await session.scalars(select(IssuedDocumentRow).where(IssuedDocumentRow.case_number == case_number)
                                      .order_by(IssuedDocumentRow.issued_at, IssuedDocumentRow.member,
                                                IssuedDocumentRow.number)))


async def pdf_of(session: AsyncSession, number: str) -> bytes | None:
    row = await session.get(DocumentFile, number)
    return None if row is None else session_sealer(session).open_bytes(row.content, f"document|{number}")


async def set_status(session: AsyncSession, case_number: str, status: str, ground: str, at: datetime) -> list[str]:
    """Changes the case's documents in force (certificates and permits, not replaced) to `status`;
    returns their numbers. Done twice, the second time changes nothing."""
    changed = await session.scalars(
        update(IssuedDocumentRow)
        .where(IssuedDocumentRow.case_number == case_number, IssuedDocumentRow.doc_kind == "certificate",
               IssuedDocumentRow.replaced_by.is_(None), IssuedDocumentRow.status.in_(STATUS_FROM[status]))
        .values(status=status, status_ground=ground, status_at=at).returning(IssuedDocumentRow.number))
    return list(changed)


def state_at(row: IssuedDocumentRow, now: datetime) -> str:
    """What /verify says of a document: replaced, revoked, suspended, expired or valid."""
    if row.replaced_by:
        return "replaced"
    if row.status in ("revoked", "suspended", "expired"):
        return row.status
    if row.valid_until is not None and row.valid_until < now:
        return "expired"
    return "valid"
