"""Repatriation reimbursement: document check, approval by another person, exactly one payment."""

import random
from datetime import date, timedelta

from sqlalchemy import select

from db.models import Payment
from schemas.repatriation import State
from tests.workflows.harness import rejected

PAID = {"bank_reference": "OPT-2026-000123"}


def pin() -> str:
    return "2" + "".join(random.choice("0123456789") for _ in range(13))


async def ledger(case) -> list[Payment]:
    async with case.sessions() as s:
        return list(await s.scalars(select(Payment).where(Payment.case_number == case.case_number)
                                    .order_by(Payment.attempt)))


def deceased(**kw) -> dict:
    from tests.factories import repatriation_application
    return {**repatriation_application()["deceased"], **kw}


async def test_checked_approved_paid_once_and_closed(case):
    await case.lodge("repatriation", deceased=deceased(personal_number=pin()))
    submitted = await case.wait_event("submitted")
    assert submitted.detail["amount"] == 100000 and submitted.detail["currency"] == "RUB"
    assert submitted.detail["late"] is False
    await case.decide("document_check", "documents_ok", "registrar")
    await rejected(case.try_decide("approval", "approve", "registrar"), "Forbidden")
    result = await case.decide("approval", "approve", "finance_officer")
    assert result.state == State.PAYMENT_ORDERED
    await rejected(case.try_decide("payment", "confirm_paid", "finance_officer", data={}), "InvalidDecision")
    result = await case.decide("payment", "confirm_paid", "finance_officer", data=PAID)
    assert result.state == State.CLOSED
    rows = await ledger(case)
    assert [(r.attempt, r.status, r.amount, r.currency, r.bank_reference) for r in rows] == [
        (1, "paid", 100000, "RUB", "OPT-2026-000123")]


async def test_the_checker_may_not_approve_even_holding_the_finance_role(case):
    await case.lodge("repatriation", deceased=deceased(personal_number=pin()))
    both = ["registrar", "finance_officer"]
    await case.decide("document_check", "documents_ok", "dual", roles=both)
    await case.wait_task("approval")
    msg = await rejected(case.try_decide("approval", "approve", "dual", roles=both), "Forbidden")
    assert "four eyes" in msg


async def test_a_failed_transfer_goes_back_to_the_applicant_and_is_paid_once_after_correction(case):
    await case.lodge("repatriation", deceased=deceased(personal_number=pin()))
    await case.decide("document_check", "documents_ok", "registrar")
    await case.decide("approval", "approve", "finance_officer")
    result = await case.decide("payment", "payment_failed", "finance_officer", "Account closed by the bank",
                               {"problem": "account_closed"})
    assert result.state == State.AWAITING_ACCOUNT
    assert result.awaiting == "applicant: correct the bank account"
    from schemas.messages import AccountCorrected
    await case.handle.signal("correct_bank_account",
                             await case.signed("correct_bank_account", AccountCorrected("new account")))
    await case.wait_task("payment")
    result = await case.decide("payment", "confirm_paid", "finance_officer", data=PAID)
    assert result.state == State.CLOSED
    assert [(r.attempt, r.status) for r in await ledger(case)] == [(1, "failed"), (2, "paid")]


async def test_a_second_claim_for_the_same_death_is_refused_whoever_applies(case, ts_env, sessions):
    from tests.workflows.harness import CaseDriver
    same = pin()
    await case.lodge("repatriation", deceased=deceased(personal_number=same))
    await case.decide("document_check", "documents_ok", "registrar")
    await case.decide("approval", "approve", "finance_officer")
    other = CaseDriver(case.client, sessions, case.task_queue, ts_env)
    await other.lodge("repatriation", deceased=deceased(personal_number=same),
                      applicant={"family_name": "Asanov", "given_names": "Ermek", "date_of_birth": "1999-01-01",
                                 "sex": "M", "nationality": "KGZ"}, relationship="child")
    await other.decide("document_check", "documents_ok", "registrar")
    result = await other.decide("approval", "approve", "finance_officer")
    assert result.state == State.REJECTED
    assert await ledger(other) == []
    # Refused before any decision to reimburse was issued: the family holds one letter, the refusal.
    issued = await other.documents_when(lambda docs: len(docs) >= 1)
    assert [d.doc_type for d in issued] == ["RFL"], [d.doc_type for d in issued]
    # ...and never read that it was approved, nor was the case ever in that state.
    told = [(t.state, t.public_note) for t in await other.transitions()]
    assert not [n for s, n in told if s == State.APPROVED or n == "reimbursement_approved"], told
    # The first claim was told of its approval once its payment was reserved.
    reserved = await case.wait_event("payment_reserved")
    assert (reserved.state, reserved.public_note, reserved.note_params["amount"]) == (
        State.APPROVED, "reimbursement_approved", "100000")
    await case.decide("payment", "confirm_paid", "finance_officer", data=PAID)
    assert "RDD" in [d.doc_type for d in await case.documents()]


async def test_a_late_claim_is_flagged_and_refused_with_its_ground(case):
    await case.lodge("repatriation", deceased=deceased(personal_number=pin(),
                                                       date_of_death=(date.today() - timedelta(days=250)).isoformat()))
    assert (await case.wait_event("submitted")).detail["late"] is True
    result = await case.decide("document_check", "refuse", "registrar", "Applied 8 months after the death.",
                               {"ground": "deadline_missed"})
    assert result.state == State.REJECTED
    assert (await case.handle.result()).state == State.REJECTED
    refused = next(t for t in await case.transitions() if t.outcome == "refuse")  # the ground, for the family
    assert (refused.public_note, refused.note_params["ground"]) == ("application_refused_on_ground", "deadline_missed")


async def test_missing_documents_put_the_claim_on_hold(case):
    await case.lodge("repatriation", deceased=deceased(personal_number=pin()))
    result = await case.decide("document_check", "request_documents", "registrar",
                               data={"documents": ["notarised copy of the death certificate"]})
    assert result.state == State.AWAITING_DOCS
    await case.provide_documents()
    await case.wait_task("document_check")
    assert (await case.case()).state == State.DOCS_CHECK


# ---- the consular route: lodged, checked and paid at a diplomatic mission --------------------------

CONSUL = {"roles": ["consular_officer"], "mission": "RUS"}
CASH = {"method": "cash", "bank_reference": "MOSCOW-KASSA-0042", "paid_amount": 100000, "paid_currency": "RUB"}


async def test_a_claim_lodged_at_a_mission_is_checked_and_paid_there_only(case):
    await case.lodge("repatriation", deceased=deceased(personal_number=pin()), mission="RUS", bank_account=None)
    assert (await case.wait_event("submitted")).detail["mission"] == "RUS"
    await case.wait_task("mission_document_check")
    assert (await case.open_task("mission_document_check")).role == "consular_officer"
    msg = await rejected(case.try_decide("mission_document_check", "documents_ok", "registrar"), "Forbidden")
    assert "consular_officer" in msg
    msg = await rejected(case.try_decide("mission_document_check", "documents_ok", "consul.kz",
                                         roles=["consular_officer"], mission="KAZ"), "Forbidden")
    assert "mission" in msg
    await rejected(case.try_decide("mission_document_check", "documents_ok", "consul.nowhere",
                                   roles=["consular_officer"]), "Forbidden")
    await case.decide("mission_document_check", "documents_ok", "consul.ru", **CONSUL)
    await rejected(case.try_decide("approval", "approve", "consul.ru", roles=["consular_officer", "finance_officer"],
                                   mission="RUS"), "Forbidden")  # four eyes across the two routes' steps
    result = await case.decide("approval", "approve", "finance_officer")
    assert result.state == State.PAYMENT_ORDERED
    ordered = await case.wait_event("payment_ordered")
    assert ordered.public_note == "payment_ordered_at_mission" and ordered.note_params == {"mission": "RUS"}
    await rejected(case.try_decide("mission_payment", "confirm_paid", "finance_officer", data=CASH), "Forbidden")
    await rejected(case.try_decide("mission_payment", "confirm_paid", "consul.ru", data={**CASH, "method": "barter"},
                                   **CONSUL), "InvalidDecision")
    result = await case.decide("mission_payment", "confirm_paid", "consul.ru", data=CASH, **CONSUL)
    assert result.state == State.CLOSED
    assert [(r.attempt, r.status, r.amount, r.bank_reference) for r in await ledger(case)] == [
        (1, "paid", 100000, "MOSCOW-KASSA-0042")]


async def test_one_death_is_paid_once_across_the_home_and_the_consular_route(case, ts_env, sessions):
    from tests.workflows.harness import CaseDriver
    same = pin()
    await case.lodge("repatriation", deceased=deceased(personal_number=same), mission="RUS", bank_account=None)
    await case.decide("mission_document_check", "documents_ok", "consul.ru", **CONSUL)
    await case.decide("approval", "approve", "finance_officer")
    await case.decide("mission_payment", "confirm_paid", "consul.ru", data=CASH, **CONSUL)
    home = CaseDriver(case.client, sessions, case.task_queue, ts_env)
    await home.lodge("repatriation", deceased=deceased(personal_number=same), relationship="child",
                     applicant={"family_name": "Asanov", "given_names": "Ermek", "date_of_birth": "1999-01-01",
                                "sex": "M", "nationality": "KGZ"})
    await home.decide("document_check", "documents_ok", "registrar")
    result = await home.decide("approval", "approve", "finance_officer")
    assert result.state == State.REJECTED
    assert await ledger(home) == []
    assert (await home.wait_event("refused_already_paid")).public_note == "already_reimbursed"
