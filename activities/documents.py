"""Document registry activities."""

from sqlalchemy.ext.asyncio import async_sessionmaker
from temporalio import activity

from db.repositories import documents
from db.repositories.cases import get_case
from schemas.messages import ExtendDocumentInput, IssuedDocument, IssueDocumentInput
from schemas.people import Person
from schemas.procedures import PROCEDURES


class DocumentActivities:
    """Issues numbered documents (certificates) to a case's applicant.

    Activity `issue_document`: allocates the next number of its type, region and year and stores
    the document record; the same `issue_key` always returns the first document, so a retried
    or replayed activity never allocates a second number.
    Activity `extend_document`: sets a document's new expiry (setting it twice changes nothing).
    """

    def __init__(self, sessions: async_sessionmaker) -> None:
        self.sessions = sessions

    @activity.defn
    async def issue_document(self, req: IssueDocumentInput) -> IssuedDocument:
        async with self.sessions.begin() as session:
            case = await get_case(session, req.case_number)
            if case is None:
                raise ValueError(f"unknown case {req.case_number}")
            holder = case.application[PROCEDURES[case.procedure].holder]
            initials = Person.model_validate(holder).initials()
            row = await documents.issue(session, issue_key=req.issue_key, case_number=req.case_number,
                                        doc_type=req.doc_type, region=req.region, issued_at=req.valid_from,
                                        valid_until=req.valid_until, holder_initials=initials)
            return IssuedDocument(row.number, row.doc_type, row.valid_until)

    @activity.defn
    async def extend_document(self, req: ExtendDocumentInput) -> None:
        async with self.sessions.begin() as session:
            await documents.extend(session, req.number, req.valid_until)
