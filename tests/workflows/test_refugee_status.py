"""A refugee's life after recognition, on the time-skipping server: the asylum-seeker certificate
renewed while undecided, the refugee certificate renewed in a new run (continue-as-new), the
travel document, a lapse after the grace period, and each ending with a legal officer's sign-off."""

from collections import Counter
from datetime import timedelta

import pytest

from api.i18n import BISHKEK_TZ
from schemas.refugee import State
from stack.histories import case_runs
from tests.conftest import eventually
from tests.workflows.harness import rejected, through_to_decision


async def recognised(case) -> None:
    await case.lodge()
    await through_to_decision(case)
    await case.decide("decision", "recognise", "supervisor", reason="Well-founded fear.")
    await case.wait_state(State.STATUS_ACTIVE)


async def documents_of(case, doc_type: str, holder: str = "D. K."):
    """The applicant's documents of a type (the child named in the application has its own)."""
    return [d for d in await case.documents() if d.doc_type == doc_type and d.holder_initials == holder]


async def reminded_of_renewal(case, certificate) -> None:
    """Skip to past the renewal reminder (a month before the certificate runs out; either date
    moves to the next working day when it falls on a holiday) and well before the expiry."""
    await case.sleep_until(certificate.valid_until - timedelta(days=20))


async def reminders_of(case, clock: str):
    return [t for t in await case.transitions() if t.event == "deadline_reminder" and t.detail.get("clock") == clock]


async def test_the_refugee_certificate_is_renewed_in_a_new_run_that_carries_the_status(case):
    await recognised(case)
    certificate, = await documents_of(case, "RC")
    await reminded_of_renewal(case, certificate)
    reminder, = await eventually(lambda: reminders_of(case, "refugee_certificate"))
    assert reminder.public_note == "refugee_renewal_reminder"
    # The reminder names the certificate's last day.
    last_day = (certificate.valid_until.astimezone(BISHKEK_TZ) - timedelta(seconds=1)).date()
    assert reminder.note_params == {"until": last_day.isoformat()}
    result = await case.decide("certificate_renewal", "renew_certificate", "registrar")
    assert result.state == State.STATUS_ACTIVE

    async def renewed():
        runs = await case_runs(case.client, case.case_number)
        return runs if len(runs) == 3 and (await case.case()).last_seq > reminder.seq + 3 else None
    runs = await eventually(renewed)
    assert [r.events[0].workflow_execution_started_event_attributes.workflow_type.name for r in runs] == \
        ["RefugeeRecognitionWorkflow", "RefugeeStatusWorkflow", "RefugeeStatusWorkflow"]
    first, second = await documents_of(case, "RC")
    assert first.replaced_by == second.number and second.replaces == first.number
    assert second.valid_until - first.valid_until > timedelta(days=300)
    seqs = [t.seq for t in await case.transitions()]
    assert seqs == list(range(1, len(seqs) + 1))  # one numbering across the runs: nothing lost or doubled
    c = await case.wait_state(State.STATUS_ACTIVE)
    assert c.deadline is not None and abs(c.deadline - second.valid_until) < timedelta(days=1)


async def test_a_certificate_not_renewed_lets_the_status_lapse_after_the_grace_period(case):
    await recognised(case)
    certificate, = await documents_of(case, "RC")
    await case.sleep_until(certificate.valid_until + timedelta(hours=1))
    grace = await case.wait_state(State.CERT_EXPIRED)
    certificate, = await documents_of(case, "RC")
    assert certificate.status == "expired"
    assert "travel_document" not in {t.step for t in await case.open_tasks()}
    await case.sleep_until(grace.deadline + timedelta(hours=1))
    assert (await case.handle.result()).state == State.STATUS_LAPSED
    assert await case.open_task_count() == 0


async def test_a_certificate_renewed_within_the_grace_period_keeps_the_status(case):
    await recognised(case)
    certificate, = await documents_of(case, "RC")
    await case.sleep_until(certificate.valid_until + timedelta(hours=1))
    await case.wait_state(State.CERT_EXPIRED)
    await case.decide("certificate_renewal", "renew_certificate", "registrar")

    async def renewed():
        certificates = await documents_of(case, "RC")
        return certificates if len(certificates) == 2 and certificates[1].status == "valid" else None
    await eventually(renewed)
    await case.wait_state(State.STATUS_ACTIVE)


async def test_the_travel_document_is_issued_for_as_long_as_the_certificate(case):
    await recognised(case)
    await case.decide("travel_document", "issue_travel_document", "registrar")
    travel, = await eventually(lambda: documents_of(case, "RTD"))
    certificate, = await documents_of(case, "RC")
    assert travel.valid_until == certificate.valid_until and travel.holder_initials == "D. K."

    async def closed():
        return "travel_document" not in {t.step for t in await case.open_tasks()}
    await eventually(closed)


@pytest.mark.parametrize("outcome,data,state,ground", [
    ("cease", {"ground": "voluntary_re_establishment"}, State.CEASED, "cessation"),
    ("deprive", {"ground": "false_information"}, State.DEPRIVED, "deprivation"),
    ("naturalise", {"decree": "UP-77", "granted_on": "2026-01-10"}, State.NATURALISED, "naturalisation"),
])
async def test_each_ending_needs_a_legal_officers_signoff_and_revokes_the_documents(case, outcome, data, state, ground):
    await recognised(case)
    await case.decide("travel_document", "issue_travel_document", "registrar")
    await eventually(lambda: documents_of(case, "RTD"))
    await case.decide("status_ending", outcome, "supervisor", "The file shows it.", data)
    await case.wait_state(State.ENDING_PROPOSED)
    await case.wait_task("status_ending_signoff")
    # Whoever proposed the ending may not sign it off, even holding the legal officer's role.
    await rejected(case.try_decide("status_ending_signoff", "confirm_ending", "supervisor", "Fine.",
                                   roles=["legal_officer"]), "Forbidden")
    await rejected(case.try_decide("status_ending_signoff", "confirm_ending", "registrar", "Fine."), "Forbidden")
    result = await case.decide("status_ending_signoff", "confirm_ending", "legal_officer", "Checked against the file.")
    assert result.state == state
    assert (await case.handle.result()).state == state
    docs = {(d.doc_type, d.holder_initials): d for d in await case.documents()}
    revoked = [docs["RC", "D. K."], docs["RC", "T. K."], docs["RTD", "D. K."]]  # the family's too
    assert {d.status for d in revoked} == {"revoked"} and {d.status_ground for d in revoked} == {ground}
    docs = {d.doc_type: d for d in await case.documents()}
    assert docs["TML"].doc_kind == "letter"


async def test_a_returned_ending_leaves_the_status_in_force(case):
    await recognised(case)
    await case.decide("status_ending", "cease", "supervisor", "Travelled home twice.",
                      {"ground": "re_availment_of_protection"})
    await case.decide("status_ending_signoff", "return_ending", "legal_officer", "Visits to a sick parent are no re-availment.")
    c = await case.wait_state(State.STATUS_ACTIVE)
    assert c.state == State.STATUS_ACTIVE
    await case.wait_task("status_ending")
    certificate, = await documents_of(case, "RC")
    assert certificate.status == "valid"


async def test_the_asylum_seeker_certificate_is_renewed_while_the_case_is_undecided_even_in_appeal(case):
    await case.lodge()
    await case.decide("registration", "register", "registrar")
    first, = await eventually(lambda: _at_least(case, "AC", 1))
    await case.sleep_until(first.valid_until - timedelta(days=20))  # reminded a month before, give or take a holiday
    reminder, = await eventually(lambda: reminders_of(case, "asylum_certificate"))
    assert reminder.public_note == "asylum_certificate_renewal_reminder"
    await case.sleep_until(first.valid_until + timedelta(hours=1))
    first, second = await eventually(lambda: _at_least(case, "AC", 2))
    assert first.replaced_by == second.number
    # Rejected, then appealed: the certificate is still renewed while the appeal is pending.
    at = (await case.env.get_current_time() + timedelta(days=3)).isoformat()
    await case.decide("interview", "schedule_interview", "case_officer", data={"interview_at": at, "place": "Office"})
    held = (await case.env.get_current_time() - timedelta(hours=1)).isoformat()
    await case.decide("interview", "record_interview", "case_officer", data={"held_at": held, "summary": "Heard."})
    await case.decide("verification", "complete_verification", "case_officer",
                      data={"identity_established": True, "security_checks_done": True})
    await case.decide("conclusion", "recommend_rejection", "case_officer", "Not credible.", {"ground": "not_credible"})
    await case.decide("decision", "reject", "supervisor", "Not credible.", {"ground": "not_credible"})
    await case.wait_state(State.APPEAL_WINDOW)
    await case.appeal()
    await case.wait_state(State.IN_APPEAL)
    await case.sleep_until(second.valid_until + timedelta(hours=1))  # past the renewed certificate's three months
    certificates = await eventually(lambda: _at_least(case, "AC", 3))
    assert certificates[1].replaced_by == certificates[2].number
    await case.decide("appeal_review", "uphold", "legal_officer", "The account stays inconsistent.")
    await case.wait_task("exit_assistance")  # the final refusal ends the renewals and the certificate
    latest = (await documents_of(case, "AC"))[-1]
    assert latest.status == "revoked" and latest.status_ground == "final_rejection"
    assert len(await documents_of(case, "AC")) == len(certificates)


async def _at_least(case, doc_type: str, n: int):
    found = await documents_of(case, doc_type)
    return found if len(found) >= n else None


async def test_the_family_is_recognised_with_the_applicant_unless_excluded_and_renewed_together(case):
    await case.lodge()
    await through_to_decision(case)
    await rejected(case.try_decide("decision", "recognise", "supervisor", "Well founded.",
                                   {"excluded_family_members": [2]}), "InvalidDecision")  # only one is named
    await case.decide("decision", "recognise", "supervisor", "Well founded.")
    await case.wait_state(State.STATUS_ACTIVE)
    child, = await documents_of(case, "RC", "T. K.")
    assert child.valid_until == (await documents_of(case, "RC"))[0].valid_until
    await case.decide("certificate_renewal", "renew_certificate", "registrar")
    renewed = await eventually(lambda: _at_least_of(case, "RC", "T. K.", 2))
    assert renewed[0].replaced_by == renewed[1].number
    # The holder's certificate and the child's are issued side by side (one workflow task schedules
    # both), at recognition and at renewal; the asylum-seeker certificate alone, at registration.
    runs = await case_runs(case.client, case.handle.id)
    assert [issue_batches(run) for run in runs[:2]] == [[1, 2], [2]]
    assert [d.holder_initials for d in await case.documents() if d.doc_type == "RC"][:2] == ["D. K.", "T. K."]


def issue_batches(history) -> list[int]:
    """How many documents each workflow task of a run asked for, for those that asked for any."""
    batches = Counter(e.activity_task_scheduled_event_attributes.workflow_task_completed_event_id
                      for e in history.events if e.HasField("activity_task_scheduled_event_attributes")
                      and e.activity_task_scheduled_event_attributes.activity_type.name == "issue_document")
    return sorted(batches.values())


async def test_a_recorded_decision_excludes_a_family_member(case):
    await case.lodge()
    await through_to_decision(case)
    await case.decide("decision", "recognise", "supervisor", "Well founded for the applicant; the child holds "
                      "another nationality's protection.", {"excluded_family_members": [1]})
    await case.wait_state(State.STATUS_ACTIVE)
    assert [d.holder_initials for d in await case.documents() if d.doc_type == "RC"] == ["D. K."]
    recognised = next(t for t in await case.transitions() if t.outcome == "recognise")  # the family is told
    assert (recognised.public_note, recognised.note_params) == ("recognised_leaving_out_family", {"count": "1"})


async def _at_least_of(case, doc_type: str, holder: str, n: int):
    found = await documents_of(case, doc_type, holder)
    return found if len(found) >= n else None


async def test_a_request_made_online_puts_the_step_in_the_inbox_on_a_clock_and_survives_a_renewal(case):
    from schemas.messages import StatusDocumentRequest
    await recognised(case)
    assert (await case.wait_task("travel_document")).kind == "action"  # offered, but nobody's work yet
    forged = StatusDocumentRequest("travel_document")
    await case.handle.signal("request_document", forged)  # no proof: ignored
    await case.handle.signal("request_document", await case.signed("request_document",
                                                                     StatusDocumentRequest("travel_document")))
    await case.handle.signal("request_document", await case.signed("request_document",
                                                                     StatusDocumentRequest("anything_else")))

    async def queued():
        task = await case.open_task("travel_document")
        return task if task is not None and task.kind == "task" else None
    task = await eventually(queued)
    assert task.due_at is not None and task.due_at - task.opened_at >= timedelta(days=13)  # 10 working days
    asked = [t for t in await case.transitions() if t.event == "document_requested"]
    assert [(t.actor, t.public_note) for t in asked] == [("applicant", "travel_document_requested")]
    # The certificate is renewed first: the request goes on in the next run, on its first clock.
    await case.decide("certificate_renewal", "renew_certificate", "registrar")
    await eventually(lambda: _runs(case, 3))
    carried = await eventually(queued)
    assert carried.due_at == task.due_at
    await case.decide("travel_document", "issue_travel_document", "registrar")
    await eventually(lambda: documents_of(case, "RTD"))
    # Answered: off the inbox, and not offered again while the travel document is as long as the certificate.
    assert await eventually(lambda: _no_open(case, "travel_document"))
    assert (await case.open_task("certificate_renewal")).kind == "action"
    # Asked for while it is not offered (a stale page): ignored, no clock runs for it.
    await case.handle.signal("request_document", await case.signed("request_document",
                                                                     StatusDocumentRequest("travel_document")))
    await case.handle.signal("request_document", await case.signed("request_document",
                                                                     StatusDocumentRequest("certificate_renewal")))
    assert (await case.handle.query("__stack_trace")) is not None  # both signals handled
    assert [t.detail["step"] for t in await case.transitions() if t.event == "document_requested"] == \
        ["travel_document"]
    assert await case.open_task("travel_document") is None


async def _runs(case, n: int):
    runs = await case_runs(case.client, case.case_number)
    return runs if len(runs) == n else None


async def _no_open(case, step: str) -> bool:
    return await case.open_task(step) is None


async def test_renewal_is_asked_online_only_once_reminded_and_a_request_may_be_declined(case):
    from schemas.messages import StatusDocumentRequest

    async def ask(document: str) -> None:
        await case.handle.signal("request_document", await case.signed("request_document",
                                                                         StatusDocumentRequest(document)))
    await recognised(case)
    await ask("certificate_renewal")  # eleven months early: ignored
    await ask("travel_document")
    task = await eventually(lambda: _queued(case, "travel_document"))
    assert (await case.wait_task("certificate_renewal")).kind == "action"
    await rejected(case.try_decide("certificate_renewal", "decline_request", "registrar", "Too early."),
                   "InvalidDecision")  # nothing was asked
    await rejected(case.try_decide("travel_document", "decline_request", "registrar", ""), "InvalidDecision")
    result = await case.decide("travel_document", "decline_request", "registrar",
                               "Bring the exit visa application to the office.")
    assert result.state == State.STATUS_ACTIVE
    declined = await eventually(lambda: _events(case, "decided", "travel_document"))
    assert declined[-1].public_note == "request_declined" and declined[-1].note_params["reason"].startswith("Bring")
    assert (await eventually(lambda: _offered(case, "travel_document"))).task_id != task.task_id
    assert [t.detail["step"] for t in await case.transitions() if t.event == "document_requested"] == \
        ["travel_document"]
    await reminded_of_renewal(case, (await documents_of(case, "RC"))[0])  # now renewal may be asked online
    await eventually(lambda: reminders_of(case, "refugee_certificate"))
    await ask("certificate_renewal")
    assert (await eventually(lambda: _queued(case, "certificate_renewal"))).due_at is not None


async def _queued(case, step: str):
    task = await case.open_task(step)
    return task if task is not None and task.kind == "task" else None


async def _offered(case, step: str):
    task = await case.open_task(step)
    return task if task is not None and task.kind == "action" else None


async def _events(case, event: str, step: str):
    return [t for t in await case.transitions() if t.event == event and t.step == step] or None
