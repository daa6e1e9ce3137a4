"""Cases, their transitions and uploaded files."""

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Case, CaseFile, CaseTransition, IssuedDocumentRow, Task

PAGE_SIZE = 50


async def get_case(session: AsyncSession, case_number: str) -> Case | None:
    return await session.get(Case, case_number)


async def workflow_pending(session: AsyncSession, limit: int, after: tuple[datetime, str] | None = None) -> list[Case]:
    """The oldest cases whose workflows Temporal may not have yet (lodged after `after`, a page's last)."""
    query = select(Case).where(Case.workflow_started.is_(False))
    if after is not None:
        query = query.where(tuple_(Case.lodged_at, Case.case_number) > after)
    return list(await session.scalars(query.order_by(Case.lodged_at, Case.case_number).limit(limit)))


async def mark_workflow_started(session: AsyncSession, case_numbers: list[str]) -> None:
    await session.execute(update(Case).where(Case.case_number.in_(case_numbers)).values(workflow_started=True))


async def find_by_dedupe(session: AsyncSession, procedure: str, dedupe_key: str) -> Case | None:
    return await session.scalar(select(Case).where(Case.procedure == procedure, Case.dedupe_key == dedupe_key))


async def transitions(session: AsyncSession, case_number: str) -> list[CaseTransition]:
    return list(await session.scalars(select(CaseTransition).where(CaseTransition.case_number == case_number)
                                      .order_by(CaseTransition.seq)))


async def open_tasks(session: AsyncSession, case_number: str) -> list[Task]:
    return list(await session.scalars(
        select(Task).where(Task.case_number == case_number, Task.closed_at.is_(None)).order_by(Task.opened_at)))


async def documents(session: AsyncSession, case_number: str) -> list[IssuedDocumentRow]:
    return list(await session.scalars(
        select(IssuedDocumentRow).where(IssuedDocumentRow.case_number == case_number)
        .order_by(IssuedDocumentRow.issued_at, IssuedDocumentRow.member, IssuedDocumentRow.number)))


async def files(session: AsyncSession, case_number: str) -> list[CaseFile]:
    return list(await session.scalars(
        select(CaseFile).where(CaseFile.case_number == case_number).order_by(CaseFile.uploaded_at)))


@dataclass
class SearchPage:
    items: list[Case]
    total: int  # at most COUNT_CAP: past it, "more than"
    page: int
    page_size: int

    @property
    def total_capped(self) -> bool:
        return self.total >= COUNT_CAP


COUNT_CAP = 1000
_NUMBER_PREFIX = re.compile(r"^[A-Z]{3}-[0-9-]*$")


def _lodged(procedure: str, missions: frozenset[str | None]):
    at = [Case.mission.in_([m for m in missions if m])] if any(missions) else []
    if None in missions:
        at.append(Case.mission.is_(None))
    return and_(Case.procedure == procedure, or_(*at))


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


SORTS = {"deadline": (Case.deadline.asc().nulls_last(), Case.case_number),
         "lodged": (Case.lodged_at.desc(), Case.case_number),
         "number": (Case.case_number,)}


async def search(session: AsyncSession, *, procedures: dict[str, frozenset[str | None] | None], state: str | None,
                 q: str | None, page: int, region: str | None = None, due_before: datetime | None = None,
                 sort: str = "deadline") -> SearchPage:
    """By case number (prefix), part of a name (trigram index) or document number (exact, any
    spacing); each on an index of its own, so a million cases answer in milliseconds.
    `procedures` maps each procedure searched to where its cases were lodged (None: anywhere;
    else mission codes, None among them for cases lodged at home)."""
    anywhere = [p for p, where in procedures.items() if where is None]
    lodged = [_lodged(p, where) for p, where in procedures.items() if where is not None]
    query = select(Case).where(or_(*([Case.procedure.in_(anywhere)] if anywhere else []), *lodged))
    if state:
        query = query.where(Case.state == state)
    if region:
        query = query.where(Case.region == region)
    if due_before:
        query = query.where(Case.deadline < due_before)
    term = (q or "").strip()
    if term:
        if _NUMBER_PREFIX.match(term.upper()):
            query = query.where(Case.case_number.like(_like(term.upper()) + "%"))
        else:
            found = [func.lower(Case.applicant_name).like("%" + _like(term.lower()) + "%")]
            key = "".join(ch for ch in term.upper() if ch.isascii() and ch.isalnum())
            if len(key) >= 4:
                found.append(Case.document_key == key)
            query = query.where(or_(*found))
    total = await session.scalar(select(func.count()).select_from(query.limit(COUNT_CAP).subquery()))
    rows = await session.scalars(query.order_by(*SORTS.get(sort, SORTS["deadline"]))
                                 .offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE))
    return SearchPage(list(rows), total or 0, page, PAGE_SIZE)
