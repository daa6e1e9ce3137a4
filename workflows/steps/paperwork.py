"""Paperwork: the documents of one case, for every procedure.

Certificates and permits (valid for a rules period, or until a given moment, replacing an
earlier one when renewed or extended), decisions in the applicant's favour, and letters that
refuse or end a status with their ground, reasons and the last day to appeal. When a status
ends the documents in force are revoked, expired, suspended or reinstated, and /verify says so
from that moment. Activities: `issue_document`, `set_document_status` (DocumentActivities).
"""

from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.documents import DocumentActivities
    from schemas.calendar import Calendar
    from schemas.messages import DocumentStatusInput, IssuedDocument, IssueDocumentInput, LetterFacts
    from schemas.rules import ProcedureRules
    from workflows.steps.recorder import RECORD_RETRY, CaseRecorder

REFUSAL_LETTER = "RFL"
TERMINATION_LETTER = "TML"
# The activity heartbeats each second: a render lost with its worker is retried within seconds.
DOCUMENTS = {"start_to_close_timeout": timedelta(seconds=60), "heartbeat_timeout": timedelta(seconds=5),
             "retry_policy": RECORD_RETRY}


class Paperwork:
    def __init__(self, case: CaseRecorder, calendar: Calendar, rules: ProcedureRules, region: str) -> None:
        self.case = case
        self.calendar = calendar
        self.rules = rules
        self.region = region
        self.issued: dict[str, int] = {}  # documents issued per type: the next issue key's count

    def _key(self, doc_type: str, member: int = 0) -> str:
        """Deterministic per case, type and holder, so a retried or replayed activity finds its document."""
        series = f"{doc_type}.m{member}" if member else doc_type
        self.issued[series] = self.issued.get(series, 0) + 1
        return f"{self.case.case_number}:{series}:{self.issued[series]}"

    async def _issue(self, doc_type: str, valid_until: datetime | None, *, replaces: IssuedDocument | None = None,
                     letter: LetterFacts | None = None, details: dict[str, str] | None = None,
                     note: str, until: datetime | None = None, detail: dict | None = None,
                     member: int = 0) -> IssuedDocument:
        doc = await workflow.execute_activity_method(
            DocumentActivities.issue_document,
            IssueDocumentInput(self.case.case_number, doc_type, self._key(doc_type, member), self.region, workflow.now(),
                               valid_until, replaces.number if replaces else "", letter, details or {}, member),
            **DOCUMENTS)
        params = {"number": doc.number} if note == "letter_issued" else {"number": doc.number, "document": doc_type}
        if until is not None:
            params["until"] = self.calendar.last_day(until).isoformat()
        await self.case.record("document_issued", public_note=note, note_params=params,
                               detail={"document": doc.number, "type": doc_type, "sha256": doc.sha256,
                                       "replaces": replaces.number if replaces else "", "member": member,
                                       **(detail or {})},
                               notify_applicant=True)
        return doc

    async def issue(self, doc_type: str, validity: str | None, *, contents: dict | None = None,
                    replaces: IssuedDocument | None = None, until: datetime | None = None,
                    member: int = 0) -> IssuedDocument:
        """A certificate or permit, valid for the rules' `validity` period from now or `until` a
        moment; for the applicant, or (`member` ≥ 1) a family member of their own."""
        valid_until = until or self.calendar.due(workflow.now(), self.rules.period(validity))
        return await self._issue(doc_type, valid_until, replaces=replaces, note="document_issued_until",
                                 until=valid_until, detail=contents, member=member)

    async def decision(self, doc_type: str, details: dict[str, str]) -> IssuedDocument:
        """A decision in the applicant's favour (it does not expire)."""
        return await self._issue(doc_type, None, details=details, note="document_issued")

    async def letter(self, doc_type: str, outcome: str, ground: str, reasons: str, *,
                     appeal_until: datetime | None = None) -> IssuedDocument:
        """A refusal or termination letter; the appeal runs to `appeal_until`, or for the rules'
        `appeal_window` from now."""
        if appeal_until is None and "appeal_window" in self.rules.periods:
            appeal_until = self.calendar.due(workflow.now(), self.rules.period("appeal_window"))
        return await self._issue(doc_type, None, letter=LetterFacts(outcome, ground, reasons, appeal_until),
                                 note="letter_issued")

    async def set_status(self, status: str, ground: str) -> None:
        """Suspends, reinstates, revokes or expires the documents in force, from now."""
        changed = await workflow.execute_activity_method(
            DocumentActivities.set_document_status,
            DocumentStatusInput(self.case.case_number, status, ground, workflow.now()), **DOCUMENTS)
        if changed:
            await self.case.record("documents_status", detail={"documents": changed, "status": status, "ground": ground})
