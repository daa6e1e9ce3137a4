"""Family: the family members named in an application, to whom a positive decision extends.

Each included member gets a document of their own (their own number, sealed with their own name)
beside the applicant's, renewed or replaced with it; a decision may exclude members, by their
number in the application, and the validator refuses a number the application does not have.
Revoking or expiring "the documents in force" (Paperwork.set_status) covers theirs too.
"""

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.messages import DecisionInput, IssuedDocument
    from schemas.steps import InvalidDecision
    from workflows.steps.paperwork import Paperwork


class Family:
    def __init__(self, papers: Paperwork, size: int) -> None:
        self.papers = papers
        self.size = size  # members named in the application

    def check_exclusions(self, d: DecisionInput) -> None:
        """For update validators: the excluded members must be named in the application."""
        unknown = [m for m in d.data.get("excluded_family_members", []) if m > self.size]
        if unknown:
            raise InvalidDecision(f"the application names {self.size} family member(s); no member {unknown[0]}")

    async def issue(self, doc_type: str, validity: str | None, excluded=(), until: datetime | None = None
                    ) -> list[IssuedDocument]:
        """A document of `doc_type` for each member not `excluded`."""
        return [await self.papers.issue(doc_type, validity, member=m, until=until)
                for m in range(1, self.size + 1) if m not in set(excluded)]

    async def replace(self, documents: list[IssuedDocument], doc_type: str, validity: str | None,
                      until: datetime | None = None) -> list[IssuedDocument]:
        """Each member's document renewed with the applicant's (a new one replacing it)."""
        return [await self.papers.issue(doc_type, validity, replaces=doc, member=doc.member, until=until)
                for doc in documents]
