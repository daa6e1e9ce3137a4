"""HTML pages over HTTP: languages, status by form, staff sign-in, decisions by form, CSRF."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from api.i18n import BISHKEK_TZ, local_time
from db.models import AuditEntry
from tests.api.helpers import Browser, submit, wait_task
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def fresh_cookies(api):
    """The session's client keeps cookies; each page test starts as a new visitor."""
    api.cookies.clear()
    yield
    api.cookies.clear()


async def staff_client(api, username: str) -> Browser:
    browser = Browser(api)
    r = await browser.sign_in(username, PASSWORD)
    assert r.status_code == 303 and r.headers["location"] == "/staff/", r.text
    return browser


async def test_home_speaks_kyrgyz_russian_and_english(api):
    ky = (await api.get("/")).text
    ru = (await api.get("/?lang=ru")).text
    api.cookies.clear()
    en = (await api.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})).text
    assert "Арызымдын абалын текшерүү" in ky and 'lang="ky"' in ky
    assert "Проверить статус заявления" in ru
    assert "Check my application" in en


async def test_status_page_by_form_and_the_same_404_for_a_wrong_code(api, tokens):
    case = await submit(api)
    await wait_task(api, tokens, case["case_number"], "registration", "registrar")
    visitor = Browser(api)
    await visitor.get("/")
    opened = await visitor.post("/status?lang=en", {"case_number": case["case_number"], "access_code": case["access_code"]})
    assert opened.status_code == 303 and opened.headers["location"] == "/status"
    r = await visitor.get("/status?lang=en")
    assert r.status_code == 200 and "Lodged" in r.text and "Registrar: Register the application" in r.text
    assert r.headers["cache-control"] == "no-store"
    wrong = await visitor.post("/status?lang=en", {"case_number": case["case_number"], "access_code": "X"})
    assert wrong.status_code == 404 and "No case with this number and access code" in wrong.text
    assert case["access_code"] not in wrong.text
    # The number as a person types it off a letter: lower case, spaces or dots, no dashes.
    prefix, year, seq = case["case_number"].split("-")
    for typed in (f"{prefix.lower()} {year} {seq}", f"{prefix}{year}{seq}", f" {prefix}.{year}.{seq} "):
        again = Browser(api)
        await again.get("/")
        found = await again.post("/status", {"case_number": typed, "access_code": case["access_code"].lower()})
        assert found.status_code == 303, typed


async def test_staff_pages_need_sign_in_and_refuse_cross_site_posts(api, tokens):
    r = await api.get("/staff/inbox")
    assert r.status_code == 303 and r.headers["location"] == "/staff/login?next=/staff/inbox"
    visitor = Browser(api)
    await visitor.get("/staff/login?lang=en")
    bad = await visitor.post("/staff/login?lang=en", {"username": "registrar", "password": "nope"})
    assert bad.status_code == 401 and "Incorrect username or password" in bad.text
    case = await submit(api)
    n = case["case_number"]
    await wait_task(api, tokens, n, "registration", "registrar")
    registrar = await staff_client(api, "registrar")
    decision = {"step": "registration", "outcome": "register"}
    forged = await registrar.post(f"/staff/cases/{n}/decisions", decision, origin="https://evil.example")
    assert forged.status_code == 403
    no_token = await registrar.post(f"/staff/cases/{n}/decisions", decision, with_token=False, origin=None)
    assert no_token.status_code == 403
    admin = await staff_client(api, "admin")
    refused = await admin.get(f"/staff/cases/{n}?lang=ru")
    assert refused.status_code == 403 and "Ваши роли не дают доступа к делам этой процедуры" in refused.text


async def test_a_registrar_registers_by_form_and_the_view_is_audited(api, tokens, sessions):
    case = await submit(api)
    n = case["case_number"]
    await wait_task(api, tokens, n, "registration", "registrar")
    registrar = await staff_client(api, "registrar")
    inbox = await registrar.get(f"/staff/inbox?lang=en&case={n}")
    assert n in inbox.text and "Register the application" in inbox.text
    page = await registrar.get(f"/staff/cases/{n}?lang=ru")
    assert "Зарегистрировать" in page.text and "Karimova" in page.text
    refused = await registrar.post(f"/staff/cases/{n}/decisions?lang=en",
                                   {"step": "registration", "outcome": "refuse_registration", "reason": "",
                                    "data.ground": "serious_crime_conviction_in_kr"})
    assert refused.status_code == 422 and "needs a reason" in refused.text
    in_russian = await registrar.post(f"/staff/cases/{n}/decisions?lang=ru",
                                      {"step": "registration", "outcome": "refuse_registration", "reason": "",
                                       "data.ground": "serious_crime_conviction_in_kr"})
    assert "Для этого решения укажите причину" in in_russian.text and "needs a reason" not in in_russian.text
    unknown_ground = await registrar.post(f"/staff/cases/{n}/decisions?lang=ru",
                                          {"step": "registration", "outcome": "refuse_registration", "reason": "R",
                                           "data.ground": "no_such_ground"})
    assert unknown_ground.status_code == 422 and "значение не указано или неверно" in unknown_ground.text
    done = await registrar.post(f"/staff/cases/{n}/decisions", {"step": "registration", "outcome": "register",
                                                                "reason": ""})
    assert done.status_code == 303 and done.headers["location"] == f"/staff/inbox?saved={n}"
    await wait_task(api, tokens, n, "interview", "case_officer")
    officer = await staff_client(api, "case_officer")
    today = datetime.now(BISHKEK_TZ).replace(hour=10, minute=30, second=0, microsecond=0)
    yesterday, when = today - timedelta(days=1), today + timedelta(days=3)
    past = await officer.post(f"/staff/cases/{n}/decisions?lang=ru", {  # an invitation to a day gone by
        "step": "interview", "outcome": "schedule_interview", "data.interview_at": yesterday.strftime("%Y-%m-%dT%H:%M"),
        "data.place": "Bishkek, room 4", "data.interpreter_language": ""})
    assert past.status_code == 422 and "уже прошло: выберите время в будущем" in past.text
    scheduled = await officer.post(f"/staff/cases/{n}/decisions", {
        "step": "interview", "outcome": "schedule_interview", "data.interview_at": when.strftime("%Y-%m-%dT%H:%M"),
        "data.place": "Bishkek, room 4", "data.interpreter_language": ""})
    assert scheduled.status_code == 303, scheduled.text
    detail = (await api.get(f"/api/v1/cases/{n}", headers=await tokens("auditor"))).json()
    interview = [t for t in detail["transitions"] if t["outcome"] == "schedule_interview"]
    assert interview and interview[0]["note_key"] == "interview_scheduled_for"
    # The applicant reads when and where to come, in their language and Bishkek time.
    told = (await api.get(f"/api/v1/cases/{n}/status", headers={"X-Access-Code": case["access_code"],
                                                                  "Accept-Language": "ru"})).json()
    assert f"Назначено собеседование: {local_time(when, 'ru')}, Bishkek, room 4" in [
        e["note"] for e in told["timeline"]], told["timeline"]
    async with sessions() as s:
        viewers = set(await s.scalars(select(AuditEntry.actor).where(AuditEntry.case_number == n,
                                                                      AuditEntry.action == "case_viewed")))
    assert {"registrar"} <= viewers


async def test_browsers_get_error_pages_in_their_language_and_the_api_keeps_json(api):
    page = {"Accept": "text/html,application/xhtml+xml", "Accept-Language": "ru"}
    missing = await api.get("/staff/no-such-page", headers=page)
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"] and "Не найдено" in missing.text
    browser = Browser(api)
    await browser.get("/")
    forged = await api.post("/status?lang=ru", headers={**page, "Cookie": f"aryz_csrf={browser.cookies['aryz_csrf']}"},
                            data={"case_number": "REF-2026-000001", "access_code": "x"})
    assert forged.status_code == 403 and "text/html" in forged.headers["content-type"]
    assert (await api.get("/api/v1/no-such-route", headers=page)).headers["content-type"] == "application/json"
