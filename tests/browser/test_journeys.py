"""Each role's main journey through the pages in a real browser, in Kyrgyz, Russian or English."""

import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_pages import open_case_when_task_is_open
from tests.conftest import PASSWORD, eventually
from tests.factories import kairylman_application, refugee_application, repatriation_application, service_today


async def apply(live_url: str, slug: str, body: dict) -> dict:
    """The case number and access code of a new application."""
    async with httpx.AsyncClient(base_url=live_url) as client:
        r = await client.post(f"/api/v1/applications/{slug}", json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
        assert r.status_code == 201, r.text
        return r.json()


async def submit(live_url: str, slug: str, body: dict) -> str:
    return (await apply(live_url, slug, body))["case_number"]


async def decide(live_url: str, n: str, step: str, outcome: str, username: str, reason: str = "", data=None) -> None:
    async with httpx.AsyncClient(base_url=live_url) as client:
        token = (await client.post("/api/v1/auth/token", data={"username": username, "password": PASSWORD})).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}

        async def open_step():
            r = await client.get("/api/v1/tasks", params={"case": n}, headers=headers)
            return any(t["step"] == step for t in r.json())
        await eventually(open_step, timeout=30)
        r = await client.post(f"/api/v1/cases/{n}/decisions", headers=headers,
                              json={"step": step, "outcome": outcome, "reason": reason, "data": data or {}})
        assert r.status_code == 200, r.text


async def transfer_failed(live_url: str) -> dict:
    """A repatriation claim whose transfer failed: the family must give a corrected account."""
    from tests.api.test_repatriation import claim

    case = await apply(live_url, "repatriation", claim())
    n = case["case_number"]
    await decide(live_url, n, "document_check", "documents_ok", "registrar")
    await decide(live_url, n, "approval", "approve", "finance_officer")
    await decide(live_url, n, "payment", "payment_failed", "finance_officer", "Account not found",
                 {"problem": "account_not_found"})
    return case


async def open_case_on_phone(browser, live_url: str, case: dict, lang: str):
    """A phone 360 pixels wide on which the applicant opened the case with its number and code."""
    context = await browser.new_context(viewport={"width": 360, "height": 780}, accept_downloads=True)
    phone = await context.new_page()
    await phone.goto(f"{live_url}/?lang={lang}")
    await phone.fill("#case_number", case["case_number"])
    await phone.fill("#access_code", case["access_code"])
    await phone.click("button[type=submit]")
    await phone.wait_for_url(f"{live_url}/status")
    return context, phone


async def sign_in(page, live_url: str, username: str, lang: str, landing: str, password: str = PASSWORD) -> None:
    await page.goto(f"{live_url}/staff/login?lang={lang}")
    await page.fill("#username", username)
    await page.fill("#password", password)
    await page.click("button[type=submit]")
    await page.wait_for_url(f"{live_url}{landing}")


async def sign_out(page) -> None:
    await page.click("form[action='/staff/logout'] button")


async def test_a_supervisor_sees_why_not_and_another_recognises_in_kyrgyz(page, live_url):
    n = await submit(live_url, "refugee", refugee_application())
    await decide(live_url, n, "registration", "register", "registrar")
    held = (datetime.now(timezone.utc) - timedelta(hours=2)).isoformat()
    await decide(live_url, n, "interview", "record_interview", "senior", data={"held_at": held, "summary": "Consistent."})
    await decide(live_url, n, "verification", "complete_verification", "senior",
                 data={"identity_established": True, "security_checks_done": True})
    await decide(live_url, n, "conclusion", "recommend_recognition", "senior", "Well-founded fear.")
    await sign_in(page, live_url, "senior", "ky", "/staff/inbox")
    await open_case_when_task_is_open(page, live_url, n, "decision")
    assert "башка кызматкер чечет" in await page.inner_text("#task-decision .barred")
    assert await page.locator("#task-decision form[data-outcome]").count() == 0
    await sign_out(page)
    await sign_in(page, live_url, "supervisor2", "ky", "/staff/inbox")
    await open_case_when_task_is_open(page, live_url, n, "decision")
    await page.click("#task-decision details[name] summary >> nth=0")
    outcome = await page.get_attribute("#task-decision details[open] form", "data-outcome")
    assert outcome == "recognise"
    await page.fill("#decision-recognise-reason", "Корутунду менен макулмун.")
    await page.click("#task-decision details[open] form button[type=submit]")
    await page.wait_for_url(f"{live_url}/staff/inbox?saved={n}")
    await page.goto(f"{live_url}/staff/cases/{n}")
    await eventually(lambda: _state_is(page, live_url, n, "Качкын катары таанылды"), timeout=20)


async def _state_is(page, live_url, n, words) -> bool:
    await page.goto(f"{live_url}/staff/cases/{n}")
    return words in await page.inner_text("#state") or words in await page.inner_text("#events")


async def test_a_finance_officer_approves_and_records_the_payment_in_russian(page, live_url):
    n = await submit(live_url, "repatriation", repatriation_application())
    await decide(live_url, n, "document_check", "documents_ok", "registrar")
    await sign_in(page, live_url, "finance_officer", "ru", "/staff/inbox")
    await open_case_when_task_is_open(page, live_url, n, "approval")
    dossier = await page.inner_text("main")
    assert "Умерший" in dossier and "Банковский счёт" in dossier  # what the payment is for, and where it goes
    await page.click("#task-approval summary:has-text('Одобрить')")
    await page.click("#task-approval form[data-outcome=approve] button[type=submit]")
    await page.wait_for_url(f"{live_url}/staff/inbox?saved={n}")
    await open_case_when_task_is_open(page, live_url, n, "payment")
    await page.click("#task-payment summary:has-text('Выплачено')")
    await page.fill("#confirm_paid-bank_reference", "KICB-2026-118")
    await page.click("#task-payment form[data-outcome=confirm_paid] button[type=submit]")
    await page.wait_for_url(f"{live_url}/staff/inbox?saved={n}")
    await eventually(lambda: _state_is(page, live_url, n, "KICB-2026-118"), timeout=20)


async def test_the_commission_grants_kairylman_status_in_english(page, live_url):
    n = await submit(live_url, "kairylman", kairylman_application())
    await decide(live_url, n, "intake", "accept_complete", "registrar")
    await decide(live_url, n, "case_file", "put_on_agenda", "case_officer", data={"security_checks_requested": True})
    await sign_in(page, live_url, "commission", "en", "/staff/inbox")
    await open_case_when_task_is_open(page, live_url, n, "commission_decision")
    await page.click("#task-commission_decision summary:has-text('Grant')")
    tomorrow = (service_today() + timedelta(days=1)).isoformat()
    await page.fill("#grant-session_date", tomorrow)  # a session that has not happened yet is refused
    await page.fill("#grant-protocol_number", "IC-21")
    # The family member the status does not extend to is ticked by name, by clicking the name.
    await page.click("#grant-excluded_family_members label:has-text('1. Tashiev Nurlan')")
    await page.click("#task-commission_decision form[data-outcome=grant] button[type=submit]")
    assert "session_date" in await page.inner_text("#error-summary") or "future" in await page.inner_text("#error-summary")
    assert await page.input_value("#grant-protocol_number") == "IC-21"  # what was typed is kept
    assert await page.is_checked("input[name='data.excluded_family_members.1']")  # and what was ticked
    await page.fill("#grant-session_date", service_today().isoformat())
    await page.click("#task-commission_decision form[data-outcome=grant] button[type=submit]")
    await page.wait_for_url(f"{live_url}/staff/inbox?saved={n}")
    await page.goto(f"{live_url}/staff/cases/{n}")
    assert "1. Tashiev Nurlan" in await page.inner_text("#events")  # the decision names whom it leaves out


async def test_the_auditor_replays_a_case_and_verifies_the_log_in_russian(page, live_url):
    n = await submit(live_url, "refugee", refugee_application())
    await decide(live_url, n, "registration", "register", "registrar", "Документы в порядке")
    await sign_in(page, live_url, "auditor", "ru", "/staff/audit")
    await page.fill("#a-case", n)
    await page.click("form[action='/staff/audit'] button")
    await page.wait_for_url(f"{live_url}/staff/audit/cases/{n}")
    assert "Документы в порядке" in await page.inner_text("#timeline")
    await page.click(f"form[action='/staff/audit/cases/{n}/replay'] button")
    assert await page.get_attribute("#replay", "data-reproduced") == "true"
    assert "Текущий код даёт тот же результат" in await page.inner_text("#replay")
    await page.goto(f"{live_url}/staff/audit")
    await page.click("form[action='/staff/audit/verify'] button")
    assert "Журнал цел" in await page.inner_text("#verification")


async def test_an_admin_creates_an_officer_and_amends_a_quota_in_kyrgyz(page, live_url):
    await sign_in(page, live_url, "admin", "ky", "/staff/admin/users")
    username = f"nurlan.{uuid.uuid4().hex[:6]}"
    await page.fill("#new-username", username)
    await page.fill("#new-full-name", "Нурлан Абдыкадыров")
    await page.check("input[name=roles][value=case_officer]")
    await page.click("#new-user button")
    password = await page.inner_text("#one-time-password .secret")
    assert len(password) >= 20
    # A consular officer serves one mission, chosen among the countries named in Kyrgyz.
    consul = f"consul.{uuid.uuid4().hex[:6]}"
    await page.goto(f"{live_url}/staff/admin/users")
    await page.fill("#new-username", consul)
    await page.fill("#new-full-name", "Айгерим Токтосунова")
    await page.check("input[name=roles][value=consular_officer]")
    await page.select_option("#mission", "TUR")
    await page.click("#new-user button")
    await page.goto(f"{live_url}/staff/admin/users")
    assert "Түркия" in await page.inner_text(f"tr[data-user='{consul}']")
    await page.screenshot(path=str(SCREENSHOTS / "admin-users-consular-ky.png"), full_page=True)
    await page.goto(f"{live_url}/staff/admin/quota?year=2032")
    await page.select_option("#q-region", "O")
    await page.select_option("#q-sector", "construction")
    await page.fill("#q-size", "120")
    await page.fill("#q-act", "Министрлер Кабинетинин 2032-жылдын 10-январындагы №3 токтому")
    await page.click("#set-bucket button")
    await page.wait_for_url(f"{live_url}/staff/admin/quota?year=2032&saved=1")
    assert "120" in await page.inner_text("tr[data-bucket='O-construction']")
    await sign_out(page)
    await sign_in(page, live_url, username, "ky", "/staff/inbox", password)


WIDER_THAN_THE_SCREEN = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className).slice(0, 8)"""


async def test_the_workspace_fits_a_phone_390_pixels_wide(browser, live_url):
    context = await browser.new_context(viewport={"width": 390, "height": 844})
    phone = await context.new_page()
    n = await submit(live_url, "refugee", refugee_application())
    await sign_in(phone, live_url, "registrar", "ru", "/staff/inbox")
    await open_case_when_task_is_open(phone, live_url, n, "registration")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for path, name in ((f"/staff/inbox?case={n}", "phone-inbox"), (f"/staff/cases/{n}", "phone-case"),
                       ("/staff/search?procedure=refugee", "phone-search")):
        await phone.goto(f"{live_url}{path}")
        await phone.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        wide = await phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wide <= 0, (path, wide, await phone.evaluate(WIDER_THAN_THE_SCREEN))
    await context.close()


async def test_a_supervisor_follows_a_backlog_figure_to_its_list_and_searches_in_kyrgyz(page, live_url):
    n = await submit(live_url, "refugee", refugee_application())
    await sign_in(page, live_url, "supervisor", "ky", "/staff/inbox")
    await page.goto(f"{live_url}/staff/backlog")
    link = page.locator("tr[data-procedure='refugee'][data-step='registration'] td.num a").first
    await link.click()
    await page.wait_for_url(f"{live_url}/staff/inbox?scope=all&procedure=refugee&step=registration")
    assert await page.locator("tr[data-case]").count() >= 1
    # The new case is the least urgent of many in the suite's database: narrowed to it, it is there.
    await page.goto(f"{live_url}/staff/inbox?scope=all&procedure=refugee&step=registration&case={n}")
    assert await page.locator(f"tr[data-case='{n}']").count() == 1
    await page.goto(f"{live_url}/staff/search")
    await page.fill("#s-q", n)
    await page.click("form[role=search] button")
    assert await page.locator(f"#results tr[data-case='{n}']").count() == 1
    assert page.url == f"{live_url}/staff/search?sort=deadline&terms=1"  # the terms posted, not in the address
    await page.click(f"#results tr[data-case='{n}'] a")
    await page.wait_for_url(f"{live_url}/staff/cases/{n}")
    await page.go_back()  # back to the results, as with any list (no "resubmit the form?")
    assert await page.locator(f"#results tr[data-case='{n}']").count() == 1


async def test_a_family_corrects_the_bank_account_from_a_phone_in_russian(browser, live_url):
    case = await transfer_failed(live_url)
    n = case["case_number"]
    context, phone = await open_case_on_phone(browser, live_url, case, "ru")
    assert n not in phone.url and case["access_code"] not in phone.url
    await phone.fill("#field-holder", "Асанова Гульнара")
    await phone.fill("#field-bank", "KICB")
    await phone.fill("#field-bic", "KICB")  # too short: the form comes back with the field marked
    await phone.fill("#field-account", "1280000000000042")
    await phone.click("#bank-account button")
    assert await phone.locator("#error-summary a[href='#field-bic']").count() == 1
    assert await phone.input_value("#field-holder") == "Асанова Гульнара"
    await phone.click("a[lang=en]")  # the language switch after a POST
    await phone.wait_for_url(f"{live_url}/status?lang=en")
    await phone.click("a[lang=ru]")
    await phone.fill("#field-holder", "Асанова Гульнара")
    await phone.fill("#field-bank", "KICB")
    await phone.fill("#field-bic", "KICBKG22")
    await phone.fill("#field-account", "1280000000000042")
    await phone.click("#bank-account button")
    await phone.wait_for_url(f"{live_url}/status?done=bank_account")
    assert "Новый счёт сохранён" in await phone.inner_text("#done")
    assert await phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    await phone.screenshot(path=str(SCREENSHOTS / "phone-applicant-bank-account.png"), full_page=True)
    await context.close()


async def test_an_asylum_seeker_downloads_the_certificate_and_a_police_officer_checks_it_in_kyrgyz(browser, live_url):
    case = await apply(live_url, "refugee", refugee_application())
    n = case["case_number"]
    await decide(live_url, n, "registration", "register", "registrar")
    context, phone = await open_case_on_phone(browser, live_url, case, "ky")

    async def certificate_listed():
        await phone.reload()
        return await phone.locator("#documents a.download").count() == 1
    await eventually(certificate_listed)
    async with phone.expect_download() as download:
        await phone.click("#documents a.download")
    pdf = Path(await (await download.value).path()).read_bytes()
    from documents.seal import open_file
    from tests.conftest import DOCUMENT_SIGNER

    sealed, _ = open_file(pdf, DOCUMENT_SIGNER.public_keys())
    assert sealed.doc_type == "AC" and sealed.holder.startswith("KARIMOVA")
    assert await phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    await phone.screenshot(path=str(SCREENSHOTS / "phone-applicant-documents-ky.png"), full_page=True)
    # Someone checking the paper types its number (or scans the QR code, which opens this page).
    await phone.goto(f"{live_url}/verify?lang=ky")
    await phone.fill("#number", sealed.number)
    await phone.click("form[action='/verify'][method=get] button")
    await phone.wait_for_url(f"{live_url}/verify/{sealed.number}")
    assert "Документ жарактуу" in await phone.inner_text("#verdict")
    assert await phone.inner_text("#initials") == "D. K." and "KARIMOVA" not in await phone.content()
    assert await phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    await phone.screenshot(path=str(SCREENSHOTS / "phone-verify-ky.png"), full_page=True)
    await phone.set_input_files("#file", files=[{"name": "c.pdf", "mimeType": "application/pdf", "buffer": pdf}])
    await phone.click("form[action='/verify'][method=post] button")
    assert "Кол тамга туура" in await phone.inner_text("#authenticity")
    await phone.screenshot(path=str(SCREENSHOTS / "phone-verify-file-ky.png"), full_page=True)
    await context.close()
