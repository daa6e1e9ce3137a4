"""People using the pages in a real browser: an applicant checks a case, officers decide steps."""

from datetime import datetime, timedelta

import httpx

from tests.conftest import PASSWORD, eventually
from tests.factories import refugee_application


async def submit(live_url: str) -> dict:
    async with httpx.AsyncClient(base_url=live_url) as client:
        r = await client.post("/api/v1/applications/refugee", json=refugee_application())
        assert r.status_code == 201
        return r.json()


async def sign_in(page, live_url: str, username: str, lang: str = "en") -> None:
    await page.goto(f"{live_url}/staff/login?lang={lang}")
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{live_url}/staff/inbox")


async def open_case_when_task_is_open(page, live_url: str, case_number: str, step: str) -> None:
    async def listed():
        await page.goto(f"{live_url}/staff/inbox?case={case_number}")
        return await page.locator(f"tr[data-case='{case_number}'][data-step='{step}']").count()
    await eventually(listed, timeout=30, interval=0.3)
    await page.click(f"tr[data-case='{case_number}'][data-step='{step}'] a")


async def test_an_applicant_reads_the_status_in_kyrgyz_and_russian(page, live_url):
    case = await submit(live_url)
    await page.goto(f"{live_url}/?lang=ky")
    await page.fill("#case_number", case["case_number"])
    await page.fill("#access_code", case["access_code"])
    await page.click("button[type=submit]")
    assert await page.inner_text("h1") == case["case_number"]
    assert await page.inner_text("#state") == "Арыз берилди"
    assert case["access_code"] not in page.url and case["case_number"] not in page.url
    await page.goto(f"{live_url}/?lang=ru")
    await page.fill("#case_number", case["case_number"])
    await page.fill("#access_code", "WRONG-CODE")
    await page.click("button[type=submit]")
    assert "Дело с таким номером и кодом не найдено" in await page.inner_text("[role=alert]")


async def test_officers_take_a_case_from_registration_to_interview_in_the_browser(page, live_url):
    case = await submit(live_url)
    n = case["case_number"]
    await sign_in(page, live_url, "registrar", "ru")
    await open_case_when_task_is_open(page, live_url, n, "registration")
    assert "Регистрация заявления" in await page.inner_text("#task-registration h2")
    # A refusal needs a reason: the browser will not send the form without one.
    await page.click("#task-registration summary:has-text('Отказать в регистрации')")
    await page.click("form[data-outcome=refuse_registration] button")
    assert await page.locator("#registration-refuse_registration-reason:invalid").count() == 1
    await page.click("#task-registration summary:has-text('Зарегистрировать')")
    await page.click("form[data-outcome=register] button")
    await page.wait_for_url(f"{live_url}/staff/inbox?saved={n}")
    assert n in await page.inner_text("[role=status]")
    await page.click("form[action='/staff/logout'] button")

    await sign_in(page, live_url, "case_officer", "en")
    await open_case_when_task_is_open(page, live_url, n, "interview")
    await page.click("#task-interview summary:has-text('Schedule the interview')")
    when = (datetime.now() + timedelta(days=3)).strftime("%Y-%m-%dT10:30")
    await page.fill("#schedule_interview-interview_at", when)
    await page.fill("#schedule_interview-place", "Bishkek, room 4")
    await page.click("form[data-outcome=schedule_interview] button")
    await page.wait_for_url(f"{live_url}/staff/inbox?saved={n}")
    await page.goto(f"{live_url}/staff/cases/{n}")
    assert "Registered" in await page.inner_text("#state")
    assert "schedule_interview" in await page.inner_text("#events") or "Schedule the interview" in await page.inner_text("#events")
    # The interview took place: the case officer records it (an interview "held" in the future is refused).
    await page.click("#task-interview summary:has-text('Record the interview')")
    await page.fill("#record_interview-held_at", (datetime.now() + timedelta(days=1)).strftime("%Y-%m-%dT09:00"))
    await page.fill("#record_interview-summary", "Consistent account of events; documents match.")
    await page.click("form[data-outcome=record_interview] button")
    assert await page.locator("#error-summary").count() == 1
    assert await page.input_value("#record_interview-summary") == "Consistent account of events; documents match."
    await page.fill("#record_interview-held_at", (datetime.now() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    await page.click("form[data-outcome=record_interview] button")
    await page.wait_for_url(f"{live_url}/staff/inbox?saved={n}")
    await page.goto(f"{live_url}/staff/cases/{n}")
    assert "Consistent account of events" in await page.inner_text("#events")


# How far each checkbox's words begin from the box's left edge, in CSS pixels, and the box's height.
# (The box's own width is no measure: Chromium paints a checkbox stretched wide as a small square
# in the middle of its width.)
CHECKBOX_GAPS = """() => [...document.querySelectorAll('label > input[type=checkbox]')].map(box => {
  const words = [...box.parentElement.childNodes].find(n => n.nodeType === 3 && n.textContent.trim());
  const range = document.createRange(); range.selectNodeContents(words);
  const square = box.getBoundingClientRect();
  return [box.name, range.getBoundingClientRect().left - square.left, square.height];
})"""


async def test_a_checkbox_sits_next_to_its_words_on_a_desk_and_on_a_phone(browser, live_url):
    """The inbox's "only mine" once sat in the middle of a field's width, an inch from its words."""
    for width in (1100, 390):
        context = await browser.new_context(viewport={"width": width, "height": 900})
        screen = await context.new_page()
        await sign_in(screen, live_url, "registrar", "ky")
        gaps = await screen.evaluate(CHECKBOX_GAPS)
        assert [name for name, *_ in gaps] == ["mine"]
        assert all(height <= reach <= height + 16 for _, reach, height in gaps), (width, gaps)
        await context.close()
