"""What an applicant's status look-up reads: the case's state and access-code hash, its public
timeline and its documents. Applicants' most frequent request (a family waiting for news looks
again and again), so it is one statement, built once, with only the columns the answer shows,
run outside a transaction: a look-up is two round trips to PostgreSQL (the pool's check of the
connection, then this statement) instead of six (check, BEGIN, three reads, ROLLBACK), and a
single statement sees one snapshot, so the case, its timeline and its documents always agree.
Through the ORM (whole rows made into objects) the same reads cost a look-up 2.0 ms of CPU
instead of 1.3; as one statement without a transaction, see bench/read_model_scale.py."""

from datetime import datetime, timezone
from typing import Any, NamedTuple

from sqlalchemy import Row, bindparam, func, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Case, CaseTransition, IssuedDocumentRow
from db.session import read_outside_transaction

_cases, _transitions, _documents = Case.__table__, CaseTransition.__table__, IssuedDocumentRow.__table__


class PublicEntry(NamedTuple):
    at: datetime
    state: str
    public_note: str
    note_params: dict[str, Any]


class DocumentLine(NamedTuple):
    number: str
    doc_type: str
    issued_at: datetime
    valid_until: datetime | None
    holder_initials: str


_TIMELINE_JSON = (
    select(func.coalesce(
        func.json_agg(aggregate_order_by(
            func.json_build_object("at", _transitions.c.at, "state", _transitions.c.state,
                                   "note", _transitions.c.public_note, "params", _transitions.c.note_params),
            _transitions.c.seq)),
        func.json_build_array()))
    .where(_transitions.c.case_number == _cases.c.case_number, _transitions.c.public_note != "")
    .scalar_subquery())
_DOCUMENTS_JSON = (
    select(func.coalesce(
        func.json_agg(aggregate_order_by(
            func.json_build_object("number", _documents.c.number, "type", _documents.c.doc_type,
                                   "issued", _documents.c.issued_at, "valid", _documents.c.valid_until,
                                   "initials", _documents.c.holder_initials),
            _documents.c.issued_at, _documents.c.member, _documents.c.number)),
        func.json_build_array()))
    .where(_documents.c.case_number == _cases.c.case_number)
    .scalar_subquery())
_STATUS = select(_cases.c.case_number, _cases.c.procedure, _cases.c.state, _cases.c.awaiting, _cases.c.deadline,
                 _cases.c.last_seq, _cases.c.access_code_hash, _TIMELINE_JSON.label("timeline"),
                 _DOCUMENTS_JSON.label("documents")).where(_cases.c.case_number == bindparam("n"))
_TIMELINE = (select(_transitions.c.at, _transitions.c.state, _transitions.c.public_note, _transitions.c.note_params)
             .where(_transitions.c.case_number == bindparam("n"), _transitions.c.public_note != "")
             .order_by(_transitions.c.seq))


def _parsed(stamp: str | None) -> datetime | None:
    # JSON carries the session's time zone offset; the API answers in UTC as for any other read.
    return None if stamp is None else datetime.fromisoformat(stamp).astimezone(timezone.utc)


async def status_row(session: AsyncSession, case_number: str) -> Row | None:
    """The case as its applicant sees it (with the access-code hash to check), in one statement
    outside a transaction: the session must not have read or written anything before."""
    await read_outside_transaction(session)
    return (await (await session.connection()).execute(_STATUS, {"n": case_number})).first()


def timeline_of(row: Row) -> list[PublicEntry]:
    return [PublicEntry(_parsed(e["at"]), e["state"], e["note"], e["params"] or {}) for e in row.timeline]


def documents_of(row: Row) -> list[DocumentLine]:
    return [DocumentLine(d["number"], d["type"], _parsed(d["issued"]), _parsed(d["valid"]), d["initials"])
            for d in row.documents]


async def public_timeline(session: AsyncSession, case_number: str) -> list[Row]:
    """The notes an applicant reads, in order (for the status page, which reads the case whole)."""
    return list(await (await session.connection()).execute(_TIMELINE, {"n": case_number}))
