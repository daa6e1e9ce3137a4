"""Every procedure's first officer step has its statutory deadline: a reminder, then escalation to
the supervisors when it passes, and the case still waits for the officer."""

from datetime import timedelta

import pytest

from tests.workflows.test_work_permit_paths import bucket

FIRST_STEPS = {
    # (step, at least, at most): working days plus weekends and, at New Year, a week of holidays
    "refugee": ("registration", timedelta(days=3), timedelta(days=14)),         # 3 working days
    "kairylman": ("intake", timedelta(days=5), timedelta(days=17)),             # 5 working days
    "repatriation": ("document_check", timedelta(days=3), timedelta(days=14)),  # 3 working days
    "work-permit": ("review", timedelta(days=7), timedelta(days=20)),           # 7 working days
    "agency-permit": ("doc_check", timedelta(days=10), timedelta(days=25)),     # 10 working days [D]
}


@pytest.mark.parametrize("procedure", FIRST_STEPS)
async def test_the_first_step_reminds_then_escalates(case, sessions, procedure):
    step, at_least, at_most = FIRST_STEPS[procedure]
    extra = {}
    if procedure == "work-permit":
        key = await bucket(sessions, 1)
        extra = {"quota_year": key["year"], "region": key["region"], "sector": key["sector"]}
    # The time-skipping server's clock runs ahead of the wall clock once earlier tests skipped time.
    await case.lodge(procedure, lodged_at=await case.env.get_current_time(), **extra)
    task = await case.wait_task(step)
    assert at_least <= task.due_at - task.opened_at <= at_most
    await case.sleep(task.due_at - await case.env.get_current_time() + timedelta(hours=1))

    async def escalated():
        t = await case.open_task(step)
        return t if t is not None and t.escalated_at is not None else None
    from tests.conftest import eventually
    t = await eventually(escalated)
    assert t.reminded_at is not None and t.reminded_at < t.escalated_at
