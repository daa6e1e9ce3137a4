"""The registry of issued documents: one number per issue key, allocated exactly once."""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import IssuedDocumentRow
from db.repositories.sequences import next_number


async def issue(session: AsyncSession, *, issue_key: str, case_number: str, doc_type: str, region: str,
                issued_at: datetime, valid_until: datetime | None, holder_initials: str) -> IssuedDocumentRow:
    existing = await session.scalar(select(IssuedDocumentRow).where(IssuedDocumentRow.issue_key == issue_key))
    if existing is not None:
        return existing
    year = issued_at.year
    # Numbering [D] {type}-{region}-{yyyy}-{seq} (domain.md §1), counted per type, region and year.
    seq = await next_number(session, f"{doc_type}-{region}-{year}")
    row = IssuedDocumentRow(number=f"{doc_type}-{region}-{year}-{seq:06d}", issue_key=issue_key,
                            case_number=case_number, doc_type=doc_type, issued_at=issued_at,
                            valid_until=valid_until, holder_initials=holder_initials)
    session.add(row)
    await session.flush()
    return row


async def extend(session: AsyncSession, number: str, valid_until: datetime) -> None:
    await session.execute(update(IssuedDocumentRow).where(IssuedDocumentRow.number == number)
                          .values(valid_until=valid_until))
