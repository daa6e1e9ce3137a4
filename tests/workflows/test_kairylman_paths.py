"""Kairylman status: intake, commission, the 3-year certificate and how it ends."""

from datetime import date, timedelta

from schemas.kairylman import State
from tests.conftest import eventually
from tests.factories import kairylman_application
from tests.workflows.harness import rejected

SESSION = {"session_date": date.today().isoformat(), "protocol_number": "IC-2026-14"}


async def to_active(case) -> None:
    await case.lodge("kairylman")
    await case.decide("intake", "accept_complete", "registrar")
    await case.decide("case_file", "put_on_agenda", "case_officer", data={"security_checks_requested": True})
    result = await case.decide("commission_decision", "grant", "commission", data=SESSION)
    assert result.state == State.ACTIVE


async def test_missing_documents_pause_intake_until_they_arrive_then_the_commission_grants(case):
    await case.lodge("kairylman")
    due = (await case.wait_task("intake")).due_at
    result = await case.decide("intake", "request_documents", "registrar",
                               data={"documents": ["apostilled birth certificate", "notarised translation"]})
    assert result.state == State.DOCS_INCOMPLETE
    assert result.awaiting == "applicant: provide apostilled birth certificate; notarised translation"
    await case.sleep(timedelta(days=7))
    await case.provide_documents(2)
    task = await case.wait_task("intake")
    assert (await case.case()).state == State.SUBMITTED
    assert task.due_at - due >= timedelta(days=5)
    assert (await case.decide("intake", "accept_complete", "registrar")).state == State.DOCS_OK
    await case.decide("case_file", "put_on_agenda", "case_officer", data={"security_checks_requested": True})
    await rejected(case.try_decide("commission_decision", "grant", "commission", data={"protocol_number": "1"}),
                   "InvalidDecision")
    await rejected(case.try_decide("commission_decision", "grant", "registrar", data=SESSION), "Forbidden")
    result = await case.decide("commission_decision", "grant", "commission", data=SESSION)
    assert result.state == State.ACTIVE
    docs = await case.documents()  # the holder's and the child's, who moves with her
    assert [(d.doc_type, d.holder_initials) for d in docs] == [("KC", "A. T."), ("KC", "N. T.")]
    assert docs[0].number.startswith("KC-O-")
    assert docs[0].valid_until - docs[0].issued_at > timedelta(days=3 * 365)
    # The status runs for years: its actions are on the case, not in anyone's inbox.
    assert {t.kind for t in [await case.open_task("citizenship"), await case.open_task("termination")]} == {"action"}


async def test_commission_decision_is_due_in_two_months_with_an_alert_at_75_percent(case):
    await case.lodge("kairylman")
    await case.decide("intake", "accept_complete", "registrar")
    await case.decide("case_file", "put_on_agenda", "case_officer", data={"security_checks_requested": False})
    task = await case.wait_task("commission_decision")
    assert timedelta(days=58) <= task.due_at - task.opened_at <= timedelta(days=68)  # holidays extend it
    await case.sleep_until(task.opened_at + (task.due_at - task.opened_at) * 0.8)
    assert (await case.wait_event("deadline_reminder")) is not None
    await case.sleep_until(task.due_at + timedelta(hours=1))
    await case.wait_event("deadline_breached")
    assert (await case.open_task("commission_decision")).escalated_at is not None
    result = await case.decide("commission_decision", "refuse", "commission", "Ethnicity not proved by the documents.",
                               {**SESSION, "ground": "ethnicity_not_proved"})
    assert result.state == State.REFUSED
    assert (await case.handle.result()).state == State.REFUSED
    refused = next(t for t in await case.transitions() if t.outcome == "refuse")  # the ground, for the applicant
    assert (refused.public_note, refused.note_params) == ("kairylman_refused_on_ground", {
        "ground": "ethnicity_not_proved", "reason": "Ethnicity not proved by the documents."})


async def test_reminders_at_24_and_30_months_then_the_certificate_expires(case):
    await to_active(case)
    certificate = (await case.documents())[0]
    await case.sleep_until(certificate.valid_until - timedelta(days=330))  # past 24 months, before 30

    async def certificate_reminders():
        return [t for t in await case.transitions()
                if t.event == "deadline_reminder" and t.detail.get("clock") == "certificate"]
    first = await eventually(certificate_reminders)
    assert first[0].public_note == "citizenship_reminder"
    await case.sleep_until(certificate.valid_until + timedelta(hours=1))
    assert (await case.handle.result()).state == State.EXPIRED
    assert len(await certificate_reminders()) == 2
    assert await case.open_task_count() == 0


async def test_one_extension_while_citizenship_is_pending_then_citizenship_closes_the_status(case):
    await to_active(case)
    assert await case.open_task("certificate_extension") is None
    # Dates on the case's clock (the time-skipping server's, which earlier tests of the module moved
    # on): a date after it "lies in the future" for the step's check.
    granted_on = (await case.documents())[0].issued_at.date().isoformat()
    await case.decide("citizenship", "record_citizenship_application", "registrar",
                      data={"applied_on": granted_on, "application_number": "CIT-123"})
    await case.wait_task("certificate_extension")
    expiry = (await case.documents())[0].valid_until
    too_early = (expiry - timedelta(days=30)).date().isoformat()
    too_late = (expiry + timedelta(days=400)).date().isoformat()
    ok = (expiry + timedelta(days=180)).date().isoformat()
    await rejected(case.try_decide("certificate_extension", "extend_certificate", "supervisor", "Pending",
                                   {"until": too_early}), "InvalidDecision")
    await rejected(case.try_decide("certificate_extension", "extend_certificate", "supervisor", "Pending",
                                   {"until": too_late}), "InvalidDecision")
    await rejected(case.try_decide("certificate_extension", "extend_certificate", "registrar", "Pending",
                                   {"until": ok}), "Forbidden")
    result = await case.decide("certificate_extension", "extend_certificate", "supervisor",
                               "Citizenship case CIT-123 pending at the registration service", {"until": ok})
    assert result.state == State.CITIZENSHIP_APPLIED
    docs = await case.documents_when(lambda docs: len(docs) == 4)  # the holder's and the child's, each renewed
    for initials in ("A. T.", "N. T."):
        first, renewed = [d for d in docs if d.holder_initials == initials]
        assert renewed.replaces == first.number and first.replaced_by == renewed.number
        assert renewed.valid_until > expiry
    await case.wait_task("citizenship")
    assert await case.open_task("certificate_extension") is None  # only once
    result = await case.decide("citizenship", "record_citizenship_acquired", "registrar",
                               data={"decree": "UP No. 77", "acquired_on": granted_on})
    assert result.state == State.CLOSED_CITIZEN
    assert (await case.handle.result()).state == State.CLOSED_CITIZEN
    assert {d.status for d in await case.documents() if not d.replaced_by} == {"revoked"}  # the child's too


async def test_a_supervisor_terminates_the_status_for_false_information(case):
    await to_active(case)
    await rejected(case.try_decide("termination", "terminate", "supervisor", "", {"ground": "false_information"}),
                   "InvalidDecision")
    result = await case.decide("termination", "terminate", "supervisor", "The birth certificate was forged.",
                               {"ground": "false_information"})
    assert result.state == State.TERMINATED
    assert await case.open_task_count() == 0


async def test_withdrawal_before_the_commission_decides(case):
    await case.lodge("kairylman")
    await case.wait_task("intake")
    await case.withdraw()
    assert (await case.handle.result()).state == "WITHDRAWN"


async def test_the_family_moving_with_the_holder_gets_certificates_unless_the_commission_excludes_them(case):
    two = [kairylman_application()["family_members"][0],
           {"family_name": "Tashiev", "given_names": "Bakyt", "date_of_birth": "1985-01-20", "sex": "M",
            "nationality": "KGZ", "relationship": "spouse"}]
    await case.lodge("kairylman", family_members=two)
    await case.decide("intake", "accept_complete", "registrar")
    await case.decide("case_file", "put_on_agenda", "case_officer", data={"security_checks_requested": True})
    await rejected(case.try_decide("commission_decision", "grant", "commission",
                                   data={**SESSION, "excluded_family_members": [3]}), "InvalidDecision")
    result = await case.decide("commission_decision", "grant", "commission", "The spouse is already a citizen.",
                               data={**SESSION, "excluded_family_members": [2]})
    assert result.state == State.ACTIVE
    docs = await case.documents_when(lambda docs: len(docs) == 2)
    assert sorted((d.doc_type, d.holder_initials) for d in docs) == [("KC", "A. T."), ("KC", "N. T.")]
    assert len({d.number for d in docs}) == 2 and len({d.valid_until.date() for d in docs}) == 1
    granted = next(t for t in await case.transitions() if t.outcome == "grant")  # the family is told
    assert (granted.public_note, granted.note_params) == ("kairylman_granted_leaving_out_family", {"count": "1"})
