"""Document activities: numbered, signed PDFs, and their life afterwards."""

import asyncio
from collections.abc import Awaitable
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy.ext.asyncio import async_sessionmaker
from temporalio import activity

from db.models import Case, IssuedDocumentRow
from db.repositories import documents
from db.repositories.cases import get_case
from documents.pool import RenderPool
from documents.render import DocumentContent, Letter
from documents.seal import DocumentSigner, SealedData
from rules import document_rules, local_today, service_calendar
from schemas.messages import DocumentStatusInput, IssuedDocument, IssueDocumentInput
from schemas.people import FamilyMember, Person
from schemas.procedures import PROCEDURES

T = TypeVar("T")


HEARTBEAT_EVERY_S = 1.0


async def heartbeating(work: Awaitable[T], every: float = HEARTBEAT_EVERY_S) -> T:
    """`work`'s result, heartbeating every `every` seconds meanwhile (inside an activity). The work is
    awaited in the activity's own task, so whatever it raises reaches the activity as it is."""
    if not activity.in_activity():
        return await work

    async def beat() -> None:
        while True:
            await asyncio.sleep(every)
            activity.heartbeat()

    beating = asyncio.create_task(beat())
    try:
        return await work
    finally:
        beating.cancel()


class DocumentActivities:
    """Issues a case's documents and keeps their state for /verify.

    Activity `issue_document`: allocates the next number of the document's series, signs its
    canonical data (the seal), renders the PDF with the seal in its QR code, signs the file and
    stores it sealed; the SHA-256 goes to the audit log. The same `issue_key` always returns the
    first document, so a retried activity, or one whose worker died mid-way, never allocates a
    second number; a PDF rendered twice is stored once. The holder's data are read from the
    case in the database, so no name enters the engine's history. It heartbeats each second while
    it works, so a render lost with its worker is retried within the heartbeat timeout.
    Activity `set_document_status`: suspends, reinstates, revokes or expires the case's documents
    in force (doing it twice changes nothing).
    """

    def __init__(self, sessions: async_sessionmaker, signer: DocumentSigner, public_url: str,
                 renderer: RenderPool | None = None) -> None:
        self.sessions = sessions
        self.signer = signer
        self.public_url = public_url.rstrip("/")
        self.renderer = renderer or RenderPool()

    @activity.defn
    async def issue_document(self, req: IssueDocumentInput) -> IssuedDocument:
        # Heartbeats while it works: a worker that dies mid-render is noticed by the engine within
        # the heartbeat timeout (workflows/steps/paperwork.py), not after the whole start-to-close.
        return await heartbeating(self._issue(req))

    async def _issue(self, req: IssueDocumentInput) -> IssuedDocument:
        async with self.sessions.begin() as session:
            case = await get_case(session, req.case_number)
            if case is None:
                raise ValueError(f"unknown case {req.case_number}")
            holder = Holder.of(case, req.member)
            issuer = document_rules().procedures[case.procedure]["issuer"]

            def seal_for(number: str) -> str:
                return self.signer.seal(SealedData(
                    number, req.doc_type, holder.name, holder.birth_date, local_today(req.valid_from).isoformat(),
                    _last_day(req.valid_until).isoformat() if req.valid_until else "", issuer, req.replaces))

            row = await documents.issue(session, issue_key=req.issue_key, case_number=req.case_number,
                                        doc_type=req.doc_type, region=req.region, issued_at=req.valid_from,
                                        valid_until=req.valid_until, holder_initials=holder.initials,
                                        replaces=req.replaces, seal_for=seal_for, member=req.member)
            content = self._content(case, holder, row, req)
        sha256 = row.sha256
        if not sha256:
            # Rendering takes a fraction of a second of CPU: off the event loop, outside a transaction.
            pdf = await self.renderer.render(content, row.issued_at)
            async with self.sessions.begin() as session:
                sha256 = await documents.store_file(session, row.number, self.signer.seal_file(pdf, row.seal))
        return IssuedDocument(row.number, row.doc_type, row.valid_until, sha256, req.member)

    @activity.defn
    async def set_document_status(self, req: DocumentStatusInput) -> list[str]:
        async with self.sessions.begin() as session:
            return await documents.set_status(session, req.case_number, req.status, req.ground, req.at)

    def _content(self, case: Case, holder: "Holder", row: IssuedDocumentRow, req: IssueDocumentInput) -> DocumentContent:
        letter = None
        if req.letter is not None:
            until = req.letter.appeal_until
            letter = Letter(req.letter.outcome, req.letter.ground, req.letter.reasons,
                            _last_day(until) if until else None)
        return DocumentContent(
            number=row.number, doc_type=row.doc_type, procedure=case.procedure, case_number=case.case_number,
            holder=holder.name, birth_date=holder.birth, valid_from=local_today(row.issued_at),
            valid_until=_last_day(row.valid_until) if row.valid_until else None,
            seal=row.seal, verify_url=f"{self.public_url}/verify/{row.number}", replaces=row.replaces or "",
            is_person=holder.is_person, details=_details(case, row.doc_type, req.details, req.member), letter=letter)


class Holder:
    """Whose document it is, as printed: a person's full name and birth date, or an organisation."""

    def __init__(self, name: str, birth, initials: str, is_person: bool) -> None:
        self.name, self.birth, self.initials, self.is_person = name, birth, initials, is_person
        self.birth_date = birth.isoformat() if birth else ""

    @classmethod
    def of(cls, case: Case, member: int = 0) -> "Holder":
        """The applicant, or (`member` ≥ 1) a family member named in the application."""
        application = case.application
        if case.procedure == "agency-permit":
            name = application["agency_name"]
            return cls(name, None, "".join(w[:1] for w in name.split()[:3]).upper(), False)
        if member:
            person = FamilyMember.model_validate(application["family_members"][member - 1])
        else:
            person = Person.model_validate(application[PROCEDURES[case.procedure].holder])
        name = " ".join(filter(None, (person.family_name.upper(), person.given_names, person.patronymic)))
        return cls(name, person.date_of_birth, person.initials(), True)


def _details(case: Case, doc_type: str, given: dict[str, str], member: int = 0) -> list[tuple[str, str]]:
    """The lines a document prints besides holder and validity, per procedure."""
    from api.i18n import country_label, region_label, text

    def country(code: str) -> str:  # names in both languages (once where they are the same), and the ICAO code
        return f"{' / '.join(dict.fromkeys(country_label(code, lang) for lang in ('ky', 'ru')))} ({code})"

    a = case.application
    region = a.get("region", "")
    region_both = f"{region_label(region, 'ky')} / {region_label(region, 'ru')}" if region else ""
    if case.procedure in ("refugee", "kairylman") and member:  # a family member's own certificate
        relative = a["family_members"][member - 1]
        return [("nationality", country(relative["nationality"])),
                ("family_of", f"{Holder.of(case).initials} · {text('choice', relative['relationship'], 'ky')} / "
                              f"{text('choice', relative['relationship'], 'ru')}")]
    if case.procedure in ("refugee", "kairylman"):
        return [("nationality", country(a["applicant"]["nationality"]))]
    if case.procedure == "work-permit":
        return [("nationality", country(a["worker"]["nationality"])), ("employer", a["employer"]["name"]),
                ("position", a["position"]), ("region", region_both)]
    if case.procedure == "agency-permit":
        return [("tax_id", a["tax_id"]), ("destinations", "; ".join(country(c) for c in sorted(a["destination_countries"]))),
                ("region", region_both)]
    if case.procedure == "repatriation" and doc_type == "RDD":
        d = a["deceased"]
        return [("deceased", f"{d['family_name'].upper()} {d['given_names']}"),
                ("date_of_death", datetime.fromisoformat(d["date_of_death"]).strftime("%d.%m.%Y")),
                ("amount", given.get("amount", ""))]
    return []


def _last_day(due_at: datetime) -> date:
    """A validity that runs out at `due_at` (the end of a local day) is valid until that day."""
    return service_calendar().last_day(due_at)
