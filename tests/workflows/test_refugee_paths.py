"""Every path through refugee recognition, on the time-skipping server with real activities."""

from datetime import timedelta

from schemas.refugee import State
from tests.workflows.harness import rejected, through_to_decision


async def test_recognition_issues_both_certificates_once(case):
    await case.lodge()
    await through_to_decision(case)
    result = await case.decide("decision", "recognise", "supervisor", reason="Conclusion is well founded.")
    assert result.state == State.CERT_ISSUED and result.awaiting == ""
    # The case goes on as the refugee's status, in a new run of the same workflow ID.
    c = await case.wait_state(State.STATUS_ACTIVE)
    assert c.awaiting == "" and c.deadline is not None
    docs = await case.documents()
    assert [d.doc_type for d in docs] == ["AC", "RC", "RC"]
    assert docs[0].number.startswith("AC-GB-") and docs[1].number.startswith("RC-GB-")
    assert docs[1].holder_initials == "D. K." and docs[0].status == "valid" and docs[0].replaced_by == docs[1].number
    # Recognition extends to the child named in the application: a certificate of its own.
    assert docs[2].holder_initials == "T. K." and docs[2].number != docs[1].number
    assert {t.step for t in await case.open_tasks()} == {"certificate_renewal", "travel_document", "status_ending"}
    events = await case.events()
    assert events[0] == "lodged" and events[-3:] == ["certificate_issued", "status_active", "task_opened"]
    assert events.count("document_issued") == 3
    assert (await case.handle.describe()).raw_description.workflow_execution_info.type.name == "RefugeeStatusWorkflow"


async def test_late_filing_is_flagged_not_refused(case):
    from datetime import date
    await case.lodge(date_of_entry=(date.today() - timedelta(days=40)).isoformat())
    lodged = await case.wait_event("lodged")
    assert lodged.detail["late_filing"] is True and lodged.detail["days_since_entry"] >= 40
    await case.wait_task("registration")


async def test_refusal_to_register_needs_another_persons_signoff(case):
    await case.lodge()
    refusal = {"ground": "earlier_refusal_without_new_circumstances"}
    # One person holding both roles may propose the refusal but not sign it off.
    both = ["registrar", "supervisor"]
    result = await case.decide("registration", "refuse_registration", "regsup", "Refused in 2025, nothing new.",
                               refusal, roles=both)
    assert result.state == State.LODGED
    await case.wait_task("registration_refusal_signoff")
    msg = await rejected(case.try_decide("registration_refusal_signoff", "confirm_refusal", "regsup", roles=both),
                         "Forbidden")
    assert "four eyes" in msg
    result = await case.decide("registration_refusal_signoff", "confirm_refusal", "supervisor")
    assert result.state == State.REGISTRATION_REFUSED
    assert (await case.handle.result()).state == State.REGISTRATION_REFUSED
    async with case.sessions() as s:
        from db.repositories.applicant_status import public_timeline
        notes = [(t.public_note, t.note_params) for t in await public_timeline(s, case.case_number)]
    assert ("registration_refused_on_ground", {"ground": "earlier_refusal_without_new_circumstances",
                                               "reason": "Refused in 2025, nothing new."}) in notes
    # No certificate; the refusal letter, with the registrar's ground and reasons.
    letter, = await case.documents()
    assert letter.doc_type == "RFL" and letter.doc_kind == "letter" and letter.sha256 and letter.valid_until is None


async def test_refusal_returned_by_supervisor_goes_back_to_registrar(case):
    await case.lodge()
    await case.decide("registration", "refuse_registration", "registrar", "Conviction",
                      {"ground": "serious_crime_conviction_in_kr"})
    msg = await rejected(case.try_decide("registration_refusal_signoff", "return_for_registration", "supervisor"),
                         "InvalidDecision")
    assert "needs a reason" in msg
    await case.decide("registration_refusal_signoff", "return_for_registration", "supervisor",
                      "The conviction was quashed on appeal.")
    result = await case.decide("registration", "register", "registrar")
    assert result.state == State.REGISTERED
    assert result.awaiting == "case_officer: Invite the applicant and record the interview"


async def test_registration_deadline_reminds_then_escalates_but_never_decides(case):
    await case.lodge()
    task = await case.wait_task("registration")
    await case.sleep(task.due_at - await case.env.get_current_time() + timedelta(hours=1))
    await case.wait_event("deadline_breached")
    events = await case.events()
    assert events.index("deadline_reminder") < events.index("deadline_breached")
    task = await case.open_task("registration")
    assert task.reminded_at is not None and task.escalated_at is not None
    assert (await case.case()).state == State.LODGED
    result = await case.decide("registration", "register", "registrar")
    assert result.state == State.REGISTERED


async def test_document_request_stops_the_clock_until_the_applicant_answers(case):
    await case.lodge()
    await case.decide("registration", "register", "registrar")
    due_before = (await case.wait_task("interview")).due_at
    result = await case.decide("interview", "record_interview", "case_officer",
                               data={"held_at": "2026-01-01T10:00:00+06:00", "summary": "Held at intake."})
    assert result.state == State.INTERVIEWED
    result = await case.decide("verification", "request_documents", "case_officer",
                               data={"documents": ["passport copy", "birth certificate of the child"]})
    assert result.awaiting.startswith("applicant: provide passport copy")
    assert await case.open_task("verification") is None
    await case.sleep(timedelta(days=10))
    await case.provide_documents(2)
    task = await case.wait_task("verification")
    assert task.due_at - due_before >= timedelta(days=9)  # the ten days waited are given back
    assert "documents_provided" in await case.events()


async def test_unanswered_document_request_returns_the_task_to_the_officer(case):
    await case.lodge()
    await case.decide("registration", "request_documents", "registrar", data={"documents": ["entry stamp"]})
    await case.sleep(timedelta(days=30))
    await case.wait_event("documents_not_received")
    task = await case.wait_task("registration")
    assert task.role == "registrar"
    assert (await case.case()).state == State.LODGED


async def test_decision_deadline_extends_once_with_reason_within_the_limit(case):
    await case.lodge()
    await through_to_decision(case)
    task = await case.wait_task("decision")
    base = task.due_at.date()
    await rejected(case.extend((base + timedelta(days=30)).isoformat(), "Security check pending", actor="case_officer"),
                   "Forbidden")
    await rejected(case.extend((base + timedelta(days=30)).isoformat(), "  "), "InvalidDecision")
    await rejected(case.extend((base + timedelta(days=400)).isoformat(), "Too long"), "InvalidDecision")
    await rejected(case.extend(base.isoformat(), "Not later"), "InvalidDecision")
    result = await case.extend((base + timedelta(days=60)).isoformat(), "Security check by other agencies pending")
    assert result.due_at > task.due_at
    assert (await case.open_task("decision")).due_at == result.due_at
    await rejected(case.extend((base + timedelta(days=90)).isoformat(), "Again"), "StepNotOpen")


async def test_rejection_becomes_final_when_the_appeal_window_lapses(case):
    await case.lodge()
    await through_to_decision(case, conclusion="recommend_rejection")
    msg = await rejected(case.try_decide("decision", "reject", "supervisor", data={"ground": "not_credible"}),
                         "InvalidDecision")
    assert "needs a reason" in msg
    result = await case.decide("decision", "reject", "supervisor", "Inconsistent account of events.",
                               {"ground": "not_credible"})
    assert result.state == State.APPEAL_WINDOW and result.awaiting == "applicant: may appeal"
    window = await case.case()
    await case.sleep(window.deadline - await case.env.get_current_time() + timedelta(hours=1))
    await case.wait_state(State.FINAL_REJECTED)
    # A window that lapses is the law deciding, not an officer's deadline: nobody is reminded.
    events = await case.events()
    assert "deadline_reminder" not in events[events.index("appeal_window_opened"):]
    result = await case.decide("exit_assistance", "record_exit_assistance", "case_officer",
                               data={"exit_visa_issued": True})
    assert result.state == State.EXIT_ASSISTED
    assert (await case.handle.result()).state == State.EXIT_ASSISTED
    certificate, letter = await case.documents()
    # The rejection's letter gave the appeal route; the final rejection ended the asylum-seeker certificate.
    assert (certificate.doc_type, letter.doc_type) == ("AC", "RFL")
    assert certificate.status == "revoked" and certificate.status_ground == "final_rejection"


async def test_appeal_overturned_by_another_officer_leads_to_the_certificate(case):
    await case.lodge()
    await through_to_decision(case, conclusion="recommend_rejection")
    await case.decide("decision", "reject", "supervisor", "Not credible.", {"ground": "not_credible"})
    await case.wait_state(State.APPEAL_WINDOW)
    await case.sleep(timedelta(days=10))
    await case.appeal()
    await case.wait_state(State.IN_APPEAL)
    await case.wait_task("appeal_review")
    # Whoever decided the case may not review the appeal, even holding the legal officer's role.
    await rejected(case.try_decide("appeal_review", "overturn", "supervisor", "x", roles=["legal_officer"]),
                   "Forbidden")
    result = await case.decide("appeal_review", "overturn", "legal_officer", "Country reports support the claim.")
    assert result.state == State.CERT_ISSUED
    assert State.OVERTURNED in [t.state for t in await case.transitions()]
    await case.wait_state(State.STATUS_ACTIVE)
    asylum, letter, refugee, child = await case.documents()
    assert [d.doc_type for d in (asylum, letter, refugee, child)] == ["AC", "RFL", "RC", "RC"]
    assert child.holder_initials == "T. K."  # recognised on appeal, the family with the applicant
    assert asylum.replaced_by == refugee.number and refugee.replaces == asylum.number  # /verify: replaced


async def test_appeal_upheld_is_final(case):
    await case.lodge()
    await through_to_decision(case, conclusion="recommend_rejection")
    await case.decide("decision", "reject", "supervisor", "Not credible.", {"ground": "not_credible"})
    await case.wait_state(State.APPEAL_WINDOW)
    await case.appeal()
    result = await case.decide("appeal_review", "uphold", "legal_officer", "The decision stands.")
    assert result.state == State.FINAL_REJECTED
    await case.wait_task("exit_assistance")


async def test_missed_interview_abandons_the_case_after_the_statutory_wait(case):
    await case.lodge()
    await case.decide("registration", "register", "registrar")
    now = await case.env.get_current_time()
    await case.decide("interview", "schedule_interview", "case_officer",
                      data={"interview_at": (now + timedelta(days=7)).isoformat(), "place": "Bishkek office"})
    await case.wait_task("interview")
    await case.sleep(timedelta(days=7 + 31))
    assert (await case.handle.result()).state == State.ABANDONED
    assert await case.open_task_count() == 0


async def test_rescheduled_interview_keeps_the_case_open(case):
    await case.lodge()
    await case.decide("registration", "register", "registrar")
    now = await case.env.get_current_time()
    await case.decide("interview", "schedule_interview", "case_officer",
                      data={"interview_at": (now + timedelta(days=2)).isoformat(), "place": "Office 1"})
    await case.sleep(timedelta(days=20))
    await case.decide("interview", "schedule_interview", "case_officer",
                      data={"interview_at": (now + timedelta(days=25)).isoformat(), "place": "Office 1"})
    await case.sleep(timedelta(days=20))
    result = await case.decide("interview", "record_interview", "case_officer",
                               data={"held_at": (now + timedelta(days=25)).isoformat(), "summary": "Held."})
    assert result.state == State.INTERVIEWED


async def test_withdrawal_closes_every_open_task(case):
    await case.lodge()
    await case.decide("registration", "register", "registrar")
    await case.wait_task("interview")
    await case.withdraw()
    assert (await case.handle.result()).state == State.WITHDRAWN
    assert await case.open_task_count() == 0
    assert (await case.case()).awaiting == ""


async def test_the_conclusion_author_may_not_decide(case):
    await case.lodge()
    await case.decide("registration", "register", "registrar")
    await case.decide("interview", "record_interview", "senior",
                      data={"held_at": "2026-01-01T10:00:00+06:00", "summary": "Held at intake."})
    await case.decide("verification", "complete_verification", "senior",
                      data={"identity_established": True, "security_checks_done": True})
    await case.decide("conclusion", "recommend_recognition", "senior", "Credible.")
    await case.wait_task("decision")
    msg = await rejected(case.try_decide("decision", "recognise", "senior", "Agree."), "Forbidden")
    assert "senior" in msg and "conclusion" in msg
    await rejected(case.try_decide("decision", "recognise", "case_officer", "Agree."), "Forbidden")
    await rejected(case.try_decide("conclusion", "recommend_recognition", "senior", "Again"), "StepNotOpen")
    await rejected(case.try_decide("decision", "grant", "supervisor", "Agree."), "InvalidDecision")
    await rejected(case.try_decide("decision", "reject", "supervisor", "No", {"ground": "bogus"}), "InvalidDecision")
    result = await case.decide("decision", "recognise", "supervisor", "Agree with the conclusion.")
    assert result.state == State.CERT_ISSUED


async def test_rejected_decisions_leave_no_trace_in_history(case):
    await case.lodge()
    await case.wait_task("registration")
    await rejected(case.try_decide("decision", "recognise", "supervisor", "x"), "StepNotOpen")
    await rejected(case.try_decide("registration", "register", "case_officer"), "Forbidden")
    await rejected(case.try_decide("registration", "refuse_registration", "registrar", "",
                                   {"ground": "serious_crime_conviction_in_kr"}), "InvalidDecision")
    await case.decide("registration", "register", "registrar")
    await case.wait_task("interview")
    history = await case.handle.fetch_history()
    kinds = [e.WhichOneof("attributes") for e in history.events]
    assert kinds.count("workflow_execution_update_accepted_event_attributes") == 1
    assert "workflow_execution_update_rejected_event_attributes" not in kinds
