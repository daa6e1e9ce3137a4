"""Journeys after a decision and away from home, in a real browser: a consular officer pays a claim
at the mission in Russian; a recognised refugee applies online from a phone in Kyrgyz."""

import uuid
from datetime import datetime, timedelta, timezone

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_journeys import _state_is, apply, decide, open_case_on_phone, sign_in, submit
from tests.browser.test_pages import open_case_when_task_is_open
from tests.conftest import eventually
from tests.factories import refugee_application, repatriation_application


async def test_a_consular_officer_checks_and_pays_a_claim_at_the_mission_in_russian(page, live_url):
    body = repatriation_application(mission="RUS", bank_account=None)
    body["deceased"]["personal_number"] = "2" + uuid.uuid4().int.__str__()[:13]
    n = await submit(live_url, "repatriation", body)
    await sign_in(page, live_url, "consular_officer", "ru", "/staff/inbox")
    await open_case_when_task_is_open(page, live_url, n, "mission_document_check")
    dossier = await page.inner_text("main")
    assert "Дипломатическое представительство" in dossier and "Россия" in dossier
    await page.click("#task-mission_document_check summary:has-text('Документы в порядке')")
    await page.click("#task-mission_document_check form[data-outcome=documents_ok] button[type=submit]")
    await page.wait_for_url(f"{live_url}/staff/inbox?saved={n}")
    await decide(live_url, n, "approval", "approve", "finance_officer")
    await open_case_when_task_is_open(page, live_url, n, "mission_payment")
    await page.click("#task-mission_payment summary:has-text('Выплачено')")
    await page.select_option("#confirm_paid-method", "cash")
    await page.fill("#confirm_paid-bank_reference", "МОСКВА-КАССА-7")
    await page.fill("#confirm_paid-paid_amount", "98000")
    await page.fill("#confirm_paid-paid_currency", "RUB")
    await page.screenshot(path=str(SCREENSHOTS / "consular-mission-payment-ru.png"), full_page=True)
    await page.click("#task-mission_payment form[data-outcome=confirm_paid] button[type=submit]")
    await page.wait_for_url(f"{live_url}/staff/inbox?saved={n}")
    await eventually(lambda: _state_is(page, live_url, n, "МОСКВА-КАССА-7"), timeout=20)


async def test_a_recognised_refugee_applies_online_for_a_travel_document_from_a_phone_in_kyrgyz(browser, live_url):
    case = await apply(live_url, "refugee", refugee_application())
    n = case["case_number"]
    at = (datetime.now(timezone.utc) + timedelta(days=2)).isoformat(timespec="minutes")
    for step, outcome, user, reason, data in [
            ("registration", "register", "registrar", "", None),
            ("interview", "schedule_interview", "case_officer", "", {"interview_at": at, "place": "Office"}),
            ("interview", "record_interview", "case_officer", "",
             {"held_at": datetime.now(timezone.utc).isoformat(timespec="minutes"), "summary": "Consistent."}),
            ("verification", "complete_verification", "case_officer", "",
             {"identity_established": True, "security_checks_done": True}),
            ("conclusion", "recommend_recognition", "case_officer", "Well-founded fear.", None),
            ("decision", "recognise", "supervisor", "Agreed.", None)]:
        await decide(live_url, n, step, outcome, user, reason, data)
    context, phone = await open_case_on_phone(browser, live_url, case, "ky")

    async def offered():
        await phone.reload()
        return await phone.locator("button[data-request=travel_document]").count() == 1
    await eventually(offered, timeout=30)
    await phone.click("button[data-request=travel_document]")
    await phone.wait_for_url(f"{live_url}/status?done=requested&asked=travel_document")
    assert "Жол жүрүү документи боюнча арызыңыз каралууда" in await phone.inner_text("#requests")
    await phone.screenshot(path=str(SCREENSHOTS / "phone-refugee-request-ky.png"), full_page=True)
    assert await phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    await context.close()
