"""Family: the family members named in an application, to whom a positive decision extends.

Each included member gets a document of their own (their own number, sealed with their own name)
beside the applicant's, renewed or replaced with it; a decision may exclude members, by their
number in the application, and the validator refuses a number the application does not have.
Revoking or expiring "the documents in force" (Paperwork.set_status) covers theirs too.
"""

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from schemas.messages import DecisionInput, IssuedDocument
    from schemas.steps import InvalidDecision
    from workflows.steps.paperwork import Paperwork

# The holder's document and the family's are issued side by side: the officer whose decision issues
# them waits for the slowest render, not for their sum (with a worker rendering in two processes or
# more; the read model lists them holder first, by the `member` each carries). Cases begun before
# replay them one after another, as their histories say.
TOGETHER = "family-documents-together"

HolderDocument = Callable[[], Awaitable[IssuedDocument]]


class Family:
    def __init__(self, papers: Paperwork, size: int) -> None:
        self.papers = papers
        self.size = size  # members named in the application

    def check_exclusions(self, d: DecisionInput) -> None:
        """For update validators: the excluded members must be named in the application."""
        unknown = [m for m in d.data.get("excluded_family_members", []) if m > self.size]
        if unknown:
            raise InvalidDecision(f"the application names {self.size} family member(s); no member {unknown[0]}",
                                  "no_such_member", size=str(self.size), member=str(unknown[0]))

    async def issue(self, doc_type: str, validity: str | None, excluded=(), until: datetime | None = None
                    ) -> list[IssuedDocument]:
        """A document of `doc_type` for each member not `excluded`, one after another."""
        return [await self.papers.issue(doc_type, validity, member=m, until=until)
                for m in range(1, self.size + 1) if m not in set(excluded)]

    async def issue_with(self, holder: HolderDocument, doc_type: str, validity: str | None, excluded=(),
                         until: datetime | None = None) -> tuple[IssuedDocument, list[IssuedDocument]]:
        """The holder's document (`holder` issues it) and one of `doc_type` for each member not `excluded`."""
        members = [m for m in range(1, self.size + 1) if m not in set(excluded)]
        return await self._together(holder, [
            lambda m=m: self.papers.issue(doc_type, validity, member=m, until=until) for m in members])

    async def replace_with(self, holder: HolderDocument, documents: list[IssuedDocument], doc_type: str,
                           validity: str | None, until: datetime | None = None
                           ) -> tuple[IssuedDocument, list[IssuedDocument]]:
        """The holder's document renewed (`holder` issues it) and each member's with it."""
        return await self._together(holder, [
            lambda doc=doc: self.papers.issue(doc_type, validity, replaces=doc, member=doc.member, until=until)
            for doc in documents])

    @staticmethod
    async def _together(holder: HolderDocument, members: list[HolderDocument]
                        ) -> tuple[IssuedDocument, list[IssuedDocument]]:
        if not workflow.patched(TOGETHER):
            first = await holder()
            return first, [await issue() for issue in members]
        # Started in this order, so each document's issue key (Paperwork._key) is the same on replay.
        first, *rest = await asyncio.gather(holder(), *(issue() for issue in members))
        return first, rest
