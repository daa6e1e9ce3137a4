"""Work permits: the quota unit reserved, consumed and released on every path."""

import random
from datetime import timedelta

from temporalio.client import WorkflowUpdateFailedError

from api.rejections import localized
from db.models import QuotaBucket, QuotaUnit
from db.repositories.quota import set_size
from schemas.work_permit import State
from tests.workflows.harness import CaseDriver, rejected

ISSUE_DATA = {}


async def bucket(sessions, size: int) -> dict:
    """A fresh bucket of its own for one test (a year no other test uses)."""
    key = {"year": random.randint(2030, 2099), "region": random.choice(["B", "J", "N", "T", "Y"]),
           "sector": random.choice(["mining", "energy", "transport", "finance"])}
    async with sessions.begin() as s:
        await set_size(s, **key, size=size, legal_act="Cabinet order No. 1 (test)", actor="admin")
    return key


async def counts(sessions, key: dict) -> tuple[int, int]:
    async with sessions() as s:
        b = await s.get(QuotaBucket, (key["year"], key["region"], key["sector"]))
        return b.reserved, b.consumed


async def lodge(case, key: dict, **employer) -> None:
    from tests.factories import work_permit_application
    emp = {**work_permit_application()["employer"], **employer}
    await case.lodge("work-permit", quota_year=key["year"], region=key["region"], sector=key["sector"], employer=emp)


async def test_issued_for_60_then_360_days_consuming_the_unit_then_released_at_expiry(case, sessions):
    key = await bucket(sessions, 2)
    await lodge(case, key)
    await case.wait_task("review")
    assert await counts(sessions, key) == (1, 0)
    result = await case.decide("review", "issue", "case_officer")
    assert result.state == State.ISSUED_60D
    assert await counts(sessions, key) == (0, 1)
    # Each period ends on a working day (a permit lapsing on a holiday runs to the next one), so
    # the test moves by the dates on the documents, not by fixed numbers of days.
    [first] = await case.documents()
    await case.sleep_until(first.valid_until + timedelta(hours=1))
    await case.wait_state(State.ACTIVE_360D)
    permit = next(d for d in await case.documents() if d.doc_type == "WPL")
    assert permit.valid_until - first.valid_until >= timedelta(days=360)
    await case.sleep_until(permit.valid_until - timedelta(days=20))  # reminded 30 days before, give or take a holiday
    reminder = await case.wait_event("deadline_reminder")
    assert reminder.public_note == "work_permit_renewal_reminder"
    await case.sleep_until(permit.valid_until + timedelta(hours=1))
    assert (await case.handle.result()).state == State.EXPIRED
    assert await counts(sessions, key) == (0, 0)
    assert [d.doc_type for d in await case.documents()] == ["WPT", "WPL"]


async def refusal_letter_text(case, sessions) -> str:
    from tests.activities.test_documents import pdf_text, stored_pdf

    [letter] = await case.documents()
    assert letter.doc_type == "RFL"
    return " ".join(pdf_text(await stored_pdf(sessions, letter.number)).split())


async def test_no_quota_allocated_refuses_at_once_and_says_so(case, sessions):
    key = await bucket(sessions, 0)
    await lodge(case, key)
    assert (await case.handle.result()).state == State.REJECTED
    refused = await case.wait_event("quota_refused")
    assert (refused.public_note, refused.note_params) == ("quota_not_allocated", {"year": str(key["year"])})
    letter = await refusal_letter_text(case, sessions)  # the ground in both languages of the letter
    assert "бөлүнгөн эмес" in letter and "не выделена" in letter, letter


async def test_a_quota_used_up_refuses_at_once_and_says_so(case, sessions):
    key = await bucket(sessions, 1)
    await lodge(case, key)  # another employer's worker takes the only unit
    await case.wait_task("review")
    late = CaseDriver(case.client, sessions, case.task_queue, case.env)
    await lodge(late, key)
    assert (await late.handle.result()).state == State.REJECTED
    refused = await late.wait_event("quota_refused")
    assert refused.public_note == "quota_exhausted"
    letter = await refusal_letter_text(late, sessions)
    assert "калган жок" in letter and "исчерпана" in letter, letter
    assert await counts(sessions, key) == (1, 0)  # the refusal took nothing from the bucket


async def test_rejection_releases_the_reserved_unit(case, sessions):
    key = await bucket(sessions, 1)
    await lodge(case, key)
    await case.wait_task("review")
    assert await counts(sessions, key) == (1, 0)
    result = await case.decide("review", "reject", "case_officer", "Qualified local engineers are available.",
                               {"ground": "qualified_locals_available"})
    assert result.state == State.REJECTED
    assert await counts(sessions, key) == (0, 0)
    refused = next(t for t in await case.transitions() if t.outcome == "reject")  # the ground, for the employer
    assert (refused.public_note, refused.note_params["ground"]) == ("application_rejected_on_ground", "qualified_locals_available")


async def test_cancellation_releases_the_consumed_unit(case, sessions):
    key = await bucket(sessions, 1)
    await lodge(case, key)
    await case.decide("review", "issue", "case_officer")
    await rejected(case.try_decide("cancellation", "cancel", "case_officer", "x", {"ground": "employment_ended"}),
                   "Forbidden")
    result = await case.decide("cancellation", "cancel", "supervisor", "The contract ended early.",
                               {"ground": "employment_ended"})
    assert result.state == State.CANCELLED
    assert await counts(sessions, key) == (0, 0)
    async with case.sessions() as s:
        assert (await s.get(QuotaUnit, case.case_number)).status == "released"


async def test_withdrawal_before_review_releases_the_unit(case, sessions):
    key = await bucket(sessions, 1)
    await lodge(case, key)
    await case.wait_task("review")
    await case.withdraw()
    assert (await case.handle.result()).state == State.WITHDRAWN
    assert await counts(sessions, key) == (0, 0)


async def test_over_the_20_percent_cap_the_permit_needs_the_multiple_fee(case, sessions):
    key = await bucket(sessions, 1)
    await lodge(case, key, foreign_staff=9, local_staff=30)
    msg = await rejected(case.decide("review", "issue", "case_officer"), "InvalidDecision")
    assert "cap" in msg and "multiple state fee" in msg
    # The refusal carries its code, so that the officer's page says it in their language.
    try:
        await case.decide("review", "issue", "case_officer")
    except WorkflowUpdateFailedError as err:
        why = err.cause.details[0]
    assert why == {"code": "cap_needs_multiple_fee", "params": {"share": "25", "cap": "20"}}, why
    assert localized(why["code"], why["params"], "ky").startswith("Чет элдик кызматкерлер штаттын 25 % түзөт — 20 %")
    assert localized(why["code"], why["params"], "en").startswith("Foreign staff would be 25% of the headcount, over the 20% cap")
    result = await case.decide("review", "reject", "case_officer", "Over the cap without the fee.",
                               {"ground": "foreign_staff_cap_exceeded"})
    assert result.state == State.REJECTED
