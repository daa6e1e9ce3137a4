"""What an applicant may do on their case, for the JSON API and the status page alike: provide
the documents asked for, withdraw, appeal within the window, correct the bank account after a
failed transfer. Each is allowed only in the states the procedure allows it; what is stored
commits before the workflow hears of it, and no connection waits on the engine."""

from datetime import datetime, timezone

from fastapi import UploadFile
from sqlalchemy.ext.asyncio import AsyncSession
from temporalio.client import Client

from api.errors import ApiError, conflict
from api.services.applicant import store_files
from api.services.case_actions import signal_case
from db.models import Case
from db.repositories import cases as case_repo
from db.repositories.audit import append_audit
from db.sealing import session_sealer
from rules import procedure_rules
from schemas.calendar import Calendar
from schemas.messages import AccountCorrected, AppealInput, DocumentsProvided, StatusDocumentRequest, WithdrawalInput
from schemas.procedures import PROCEDURES
from schemas.refugee import State as RefugeeState
from schemas.refugee_status import RENEWAL, REQUESTABLE, renewal_opens
from schemas.repatriation import BankAccount
from schemas.repatriation import State as RepatriationState
from stack.proofs import MessageSigner

ASKED_PREFIX = "applicant: provide "


def asked_documents(case: Case) -> str:
    """What the officer asked for, as they wrote it ('' when nothing is asked)."""
    mine = [part for part in case.awaiting.split("; ") if part.startswith(ASKED_PREFIX)]
    return mine[0].removeprefix(ASKED_PREFIX) if mine else ""


def allowed(case: Case) -> set[str]:
    """The actions the case allows now, and no others."""
    procedure = PROCEDURES[case.procedure]
    if case.state in procedure.final:
        return set()
    found = set()
    if asked_documents(case):
        found.add("documents")
    if case.state in procedure.withdrawable:
        found.add("withdraw")
    if case.state in procedure.appealable:
        found.add("appeal")
    if case.state == RepatriationState.AWAITING_ACCOUNT:
        found.add("bank_account")
    return found


async def provide_documents(session: AsyncSession, temporal: Client, signer: MessageSigner, case: Case,
                            files: list[UploadFile], note: str, max_bytes: int) -> int:
    if case.state in PROCEDURES[case.procedure].final:
        raise conflict(f"case {case.case_number} is closed ({case.state}); documents are no longer taken",
                       code="case_closed")
    if "\x00" in note:
        raise ApiError(422, "note must not contain NUL characters", code="nul_character")
    refs = await store_files(session, case, files, max_bytes)
    await session.commit()  # files are safe before the workflow hears of them
    await signal_case(temporal, signer, case, "provide_documents", DocumentsProvided(refs, note))
    return len(refs)


async def withdraw(session: AsyncSession, temporal: Client, signer: MessageSigner, case: Case, reason: str) -> None:
    if "withdraw" not in allowed(case):
        raise conflict(f"the application can no longer be withdrawn (state {case.state})", code="not_withdrawable")
    await session.commit()  # no connection is held while the engine answers
    await signal_case(temporal, signer, case, "withdraw", WithdrawalInput(reason))


async def appeal(session: AsyncSession, temporal: Client, signer: MessageSigner, case: Case, grounds: str) -> None:
    if "appeal" not in allowed(case):
        raise conflict(f"no appeal can be lodged in state {case.state} (the appeal window opens after a rejection)",
                       code="not_appealable")
    await session.commit()
    await signal_case(temporal, signer, case, "appeal", AppealInput(grounds))


async def correct_bank_account(session: AsyncSession, temporal: Client, signer: MessageSigner, case: Case,
                               account: BankAccount) -> None:
    """After a failed transfer: the new account is stored (sealed) before the payment is ordered again."""
    if "bank_account" not in allowed(case):
        raise conflict(f"no bank account correction is awaited on this case (state {case.state})",
                       code="no_account_awaited")
    sealed = session_sealer(session).seal(account.model_dump(), f"{case.case_number}|application.bank_account")
    case.application = {**case.application, "bank_account": sealed}
    await append_audit(session, action="bank_account_corrected", actor="applicant", actor_role="applicant",
                       case_number=case.case_number)
    await session.commit()
    await signal_case(temporal, signer, case, "correct_bank_account", AccountCorrected())


async def requestable(session: AsyncSession, case: Case) -> dict[str, str]:
    """What a recognised refugee may ask for online now, by step: "open" (they may ask) or
    "asked" (a registrar has it on a clock). Read from the steps the workflow offers; a renewal
    only from when the holder is reminded of it (the workflow ignores an earlier one)."""
    if case.procedure != "refugee":
        return {}
    found = {t.step: "open" if t.kind == "action" else "asked"
             for t in await case_repo.open_tasks(session, case.case_number) if t.step in REQUESTABLE}
    if found.get(RENEWAL.name) == "open" and case.state != RefugeeState.CERT_EXPIRED:
        certificates = [d for d in await case_repo.documents(session, case.case_number) if d.doc_type == "RC"]
        rules = procedure_rules("refugee")
        if not certificates or datetime.now(timezone.utc) < renewal_opens(Calendar(rules.calendar), rules,
                                                                           certificates[-1].issued_at):
            del found[RENEWAL.name]
    return found


async def request_document(session: AsyncSession, temporal: Client, signer: MessageSigner, case: Case,
                           document: str) -> None:
    if (await requestable(session, case)).get(document) != "open":
        raise conflict(f"'{document[:40]}' cannot be asked for on this case now", code="not_requestable")
    await append_audit(session, action="document_requested", actor="applicant", actor_role="applicant",
                       case_number=case.case_number, detail={"document": document})
    await session.commit()
    await signal_case(temporal, signer, case, "request_document", StatusDocumentRequest(document))
