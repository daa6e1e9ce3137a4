"""Private employment agency permits: approval pending the deposit, the permit's year, suspension."""

from datetime import date, timedelta

from rules import procedure_rules, service_calendar
from schemas.agency_permit import State
from tests.conftest import eventually
from tests.workflows.harness import rejected

SESSION = {"session_date": date.today().isoformat(), "protocol_number": "PA-7"}
RECEIPT = {"deposit_som": 50000, "fee_som": 4000, "payment_reference": "TRX-99"}


async def to_active(case) -> None:
    await case.lodge("agency-permit")
    await case.decide("doc_check", "documents_ok", "registrar")
    assert (await case.decide("commission_decision", "approve", "commission", data=SESSION)).state \
        == State.APPROVED_PENDING_DEPOSIT
    assert (await case.decide("deposit", "confirm_deposit", "finance_officer", data=RECEIPT)).state == State.ACTIVE


async def test_approved_then_active_once_the_deposit_is_confirmed_then_expires_after_a_reminder(case):
    await to_active(case)
    docs = await case.documents()
    assert [d.doc_type for d in docs] == ["AGP"] and docs[0].holder_initials == "IJL"  # the agency holds it
    issued = [t for t in await case.transitions() if t.event == "document_issued"]
    assert issued[0].detail["destination_countries"] == ["DEU", "KOR"]
    # Reminded about a month before the permit runs out (either date moves past a holiday).
    await case.sleep_until(docs[0].valid_until - timedelta(days=20))

    async def extension_reminder():
        return [t for t in await case.transitions()
                if t.event == "deadline_reminder" and t.detail.get("clock", "").startswith("permit_")]
    reminder, = await eventually(extension_reminder)
    assert reminder.public_note == "permit_extension_reminder"
    await case.sleep_until(docs[0].valid_until + timedelta(hours=1))
    assert (await case.handle.result()).state == State.EXPIRED


async def test_an_unpaid_deposit_lets_the_approval_lapse(case):
    await case.lodge("agency-permit")
    await case.decide("doc_check", "documents_ok", "registrar")
    await case.decide("commission_decision", "approve", "commission", data=SESSION)
    deposit = await case.wait_task("deposit")
    msg = await rejected(case.try_decide("deposit", "confirm_deposit", "finance_officer",
                                         data={**RECEIPT, "deposit_som": 5000}), "InvalidDecision")
    assert "50000 som" in msg
    await case.sleep_until(deposit.due_at + timedelta(hours=1))
    assert (await case.handle.result()).state == State.REJECTED


async def test_suspended_then_resumed_then_extended_by_the_commission(case):
    await to_active(case)
    await rejected(case.try_decide("suspension", "suspend", "registrar", "x", {"ground": "migrant_complaints"}),
                   "Forbidden")
    result = await case.decide("suspension", "suspend", "supervisor", "False data on the Korean partner.",
                               {"ground": "false_cooperation_data"})
    assert result.state == State.SUSPENDED
    await case.documents_when(lambda docs: docs[0].status == "suspended")  # /verify says so meanwhile
    await case.sleep(timedelta(days=10))
    assert (await case.decide("resumption", "resume", "supervisor", "Partner agreement verified.")).state \
        == State.ACTIVE
    permit = (await case.documents_when(lambda docs: docs[0].status == "valid"))[0]
    result = await case.decide("permit_commission", "extend_permit", "commission", "Good record.", SESSION)
    assert result.state == State.ACTIVE
    first, renewed = await case.documents_when(lambda docs: len(docs) == 2)
    assert renewed.replaces == permit.number and first.replaced_by == renewed.number  # a new document, named
    assert renewed.doc_type == "AGP" and renewed.valid_until - permit.valid_until > timedelta(days=360)


async def test_a_suspension_not_remedied_in_30_days_cancels_the_permit(case):
    await to_active(case)
    await case.decide("suspension", "suspend", "supervisor", "Complaints from migrants in Germany.",
                      {"ground": "migrant_complaints"})
    remedy = await case.wait_task("resumption")
    # The window has no task deadline (resuming is an action offered, not a duty): count it as the
    # workflow does, from the rules' calendar.
    window = service_calendar().due(remedy.opened_at, procedure_rules("agency_permit").period("remedy_window"))
    await case.sleep_until(window + timedelta(hours=1))
    assert (await case.handle.result()).state == State.CANCELLED


async def test_refused_by_the_commission_with_reasons(case):
    await case.lodge("agency-permit")
    await case.decide("doc_check", "documents_ok", "registrar")
    await rejected(case.try_decide("commission_decision", "refuse", "commission", "",
                                   {**SESSION, "ground": "false_information"}), "InvalidDecision")
    result = await case.decide("commission_decision", "refuse", "commission", "Founders' data do not match.",
                               {**SESSION, "ground": "false_information"})
    assert result.state == State.REJECTED
    refused = next(t for t in await case.transitions() if t.outcome == "refuse")  # the ground, for the applicant
    assert (refused.public_note, refused.note_params["ground"]) == ("agency_permit_refused_on_ground", "false_information")


async def test_the_agency_reports_each_quarter_and_a_missed_report_grounds_a_suspension(case):
    from schemas.messages import PlacementLine, PlacementReportInput

    await to_active(case)
    await case.sleep(timedelta(days=93))  # the first quarter is over: its report falls due
    due = await case.wait_event("report_due")
    assert due.detail["period"] == 1 and due.public_note == "placement_report_due"
    report = PlacementReportInput(1, [PlacementLine("KOR", "manufacturing", 12), PlacementLine("DEU", "health", 3)])
    await case.handle.signal("file_report", await case.signed("file_report", report))
    filed = await case.wait_event("report_filed")
    assert filed.detail == {"period": 1, "placed": 15}
    # A report without the API's proof, or for another period, changes nothing.
    await case.handle.signal("file_report", PlacementReportInput(2, report.lines))
    await case.sleep(timedelta(days=110))  # the second quarter's report is not filed
    missed = await case.wait_event("report_missed")
    assert missed.detail == {"period": 2} and missed.public_note == "placement_report_missed"
    reminders = [t for t in await case.transitions()
                 if t.event == "deadline_reminder" and t.detail.get("clock") == "placement_report"]
    assert [t.public_note for t in reminders] == ["placement_report_reminder"]  # the first came in time
    result = await case.decide("suspension", "suspend", "supervisor", "No report for the second quarter.",
                               {"ground": "placement_report_not_filed"})
    assert result.state == State.SUSPENDED
