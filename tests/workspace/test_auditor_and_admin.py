"""The auditor's desk and the administrators' pages, signed in with the session cookie."""

import re

from sqlalchemy import select

from db.models import AuditEntry
from db.repositories.audit import NewEntry, append_entries
from tests.api.helpers import decide, submit, to_conclusion, wait_task
from tests.conftest import PASSWORD
from tests.workspace.conftest import signed_in


async def test_the_auditor_reads_the_timeline_replays_verifies_and_sees_who_viewed(api, tokens, sessions):
    n = (await submit(api))["case_number"]
    await decide(api, tokens, n, "registration", "register", "registrar", reason="Complete file")
    await wait_task(api, tokens, n, "interview", "case_officer")
    officer = await signed_in(api, "case_officer")
    await officer.get(f"/staff/cases/{n}")  # a view the auditor must see
    auditor = await signed_in(api, "auditor")
    found = await auditor.get(f"/staff/audit?case={n}")
    assert found.status_code == 303 and found.headers["location"] == f"/staff/audit/cases/{n}"
    desk = await auditor.get(f"/staff/audit/cases/{n}?lang=ru")
    assert desk.status_code == 200
    assert "Complete file" in desk.text and "Регистрация заявления" in desk.text and "Решение принято движком" in desk.text
    from tests.workspace.test_every_page import english_words
    for lang in ("ky", "ru"):
        shown = (await auditor.get(f"/staff/audit/cases/{n}?lang={lang}")).text
        assert not english_words(shown, {"complete", "file"}), english_words(shown, set())  # "Complete file": a reason typed
    views = desk.text.split('id="views"')[1]
    assert "case_officer" in views and "Дело просмотрено" in views
    done = desk.text.split('id="timeline"')[1].split('id="views"')[0]  # what was done, views apart
    assert "Регистрация заявления" in done and "Дело просмотрено" not in done and "case_officer" not in done
    # Each engine timer names its clock and what it waits for (the summary the worker gave it,
    # decoded with the payload keys), set and fired alike; a step's deadline reads as its last day.
    assert 'data-timer="registration: reminder"' in done
    assert "Таймер установлен: <span" in done and "Срок регистрации — напоминание</span>" in done
    assert "Таймер сработал" not in done or "Таймер сработал: <span" in done
    due_lines = re.findall(r"Срок: ([^<]+)</span>", done)
    assert due_lines and all("UTC" not in d and "00:00" not in d for d in due_lines), due_lines
    csv = await auditor.get(f"/staff/audit/cases/{n}/timeline.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv") and "Complete file" in csv.text
    history = await auditor.get(f"/staff/audit/cases/{n}/history.json")
    assert history.status_code == 200 and '"events"' in history.text
    replayed = await auditor.post(f"/staff/audit/cases/{n}/replay?lang=en", {})
    assert replayed.status_code == 200 and 'data-reproduced="true"' in replayed.text
    verified = await auditor.post("/staff/audit/verify?lang=ky", {})
    assert verified.status_code == 200 and 'data-ok="true"' in verified.text and "Журнал бүтүн" in verified.text
    # With no checkpoint yet, "intact" cannot rule out a cut end, and the page says so.
    assert ('id="no-checkpoint"' in verified.text) == (": 0</p>" in verified.text.split('data-ok="true"')[1])
    async with sessions() as s:
        actions = set(await s.scalars(select(AuditEntry.action).where(AuditEntry.actor == "auditor",
                                                                      AuditEntry.case_number == n)))
    assert {"history_viewed", "history_exported", "case_replayed"} <= actions
    for role in ("registrar", "supervisor", "admin"):
        other = await signed_in(api, role)
        assert (await other.get(f"/staff/audit/cases/{n}")).status_code == 403, role
        assert (await other.post("/staff/audit/verify", {})).status_code == 403, role
    async with sessions() as s:  # a refused look at the auditor's desk is itself audited
        refused = await s.scalar(select(AuditEntry).where(AuditEntry.action == "access_refused",
                                                          AuditEntry.actor == "registrar").order_by(AuditEntry.id.desc()))
    assert refused is not None and refused.detail["route"].startswith("/staff/audit")
    # The auditor reads why access was refused in their language, not as the API's English.
    shown = (await auditor.get(f"/staff/audit/cases/{n}?lang=ru")).text.split('id="timeline"')[1]
    from api.rejections import localized
    assert localized("for_auditors", {}, "ru") in shown and "this is for auditors" not in shown
    missing = await auditor.get("/staff/audit/cases/REF-2099-999999?lang=ru")
    assert missing.status_code == 404 and 'lang="ru"' in missing.text


async def test_an_admin_creates_changes_and_deactivates_an_account_never_deleting_it(api):
    admin = await signed_in(api, "admin")
    bad = await admin.post("/staff/admin/users?lang=ru", {"username": "Not Valid!", "full_name": "X", "roles": "registrar"})
    assert bad.status_code == 422 and "Имя пользователя: 3–64 знака" in bad.text and "Not Valid!" in bad.text
    created = await admin.post("/staff/admin/users?lang=en", {"username": "aibek.t", "full_name": "Aibek Toktogulov",
                                                              "roles": "registrar"})
    assert created.status_code == 200, created.text
    password = re.search(r'<strong class="secret">([^<]+)</strong>', created.text)[1]
    again = await admin.post("/staff/admin/users?lang=en", {"username": "aibek.t", "full_name": "Someone else",
                                                            "roles": "registrar"})
    assert again.status_code == 409 and "never reused" in again.text
    newcomer = await signed_in(api, "aibek.t", password)
    assert (await newcomer.get("/staff/inbox")).status_code == 200
    changed = await admin.post("/staff/admin/users/aibek.t", {"action": "roles", "roles": "case_officer"})
    assert changed.status_code == 200 and 'value="case_officer" checked' in changed.text
    reset = await admin.post("/staff/admin/users/aibek.t", {"action": "reset_password"})
    new_password = re.search(r'<strong class="secret">([^<]+)</strong>', reset.text)[1]
    assert new_password != password
    assert (await newcomer.get("/staff/inbox")).status_code == 303  # the reset ended the old session
    assert (await (await signed_in(api, "aibek.t", new_password)).get("/staff/inbox")).status_code == 200
    off = await admin.post("/staff/admin/users/aibek.t?lang=ky", {"action": "deactivate"})
    assert off.status_code == 200 and 'id="account-state">өчүрүлгөн' in off.text
    from tests.api.helpers import Browser
    assert (await Browser(api).sign_in("aibek.t", new_password)).status_code == 401
    assert "aibek.t" in (await admin.get("/staff/admin/users")).text  # still listed: the audit log names it
    own = await admin.post("/staff/admin/users/admin?lang=en", {"action": "deactivate"})
    assert own.status_code == 409 and "your own account" in own.text
    registrar = await signed_in(api, "registrar")
    assert (await registrar.get("/staff/admin/users")).status_code == 403
    escalate = await registrar.post("/staff/admin/users", {"username": "x.y.z", "full_name": "X", "roles": "admin"})
    assert escalate.status_code == 403


async def test_an_admin_sets_and_amends_a_quota_under_a_named_legal_act(api):
    admin = await signed_in(api, "admin")
    no_act = await admin.post("/staff/admin/quota?lang=ru", {"year": "2031", "region": "C", "sector": "mining",
                                                             "size": "40", "legal_act": ""})
    assert no_act.status_code == 422 and "Укажите правовой акт" in no_act.text and 'value="40"' in no_act.text
    first = await admin.post("/staff/admin/quota", {"year": "2031", "region": "C", "sector": "mining", "size": "40",
                                                    "legal_act": "Resolution No. 12 of 15 January 2031"})
    assert first.status_code == 303 and first.headers["location"] == "/staff/admin/quota?year=2031&saved=1"
    await admin.post("/staff/admin/quota", {"year": "2031", "region": "C", "sector": "mining", "size": "55",
                                            "legal_act": "Resolution No. 40 of 1 March 2031"})
    page = await admin.get("/staff/admin/quota?year=2031&lang=ky")
    row = re.search(r'<tr data-bucket="C-mining">(.*?)</tr>', page.text, re.S)[1]
    assert ">55<" in row and "Resolution No. 40" in row and "Чүй облусу" in row and "Тоо-кен" in row
    amendments = page.text.split('id="amendments"')[1]
    assert "0 → 40" in amendments and "40 → 55" in amendments
    nonsense = await admin.post("/staff/admin/quota", {"year": "2031", "region": "ZZ", "sector": "mining", "size": "-1",
                                                       "legal_act": "Resolution"})
    assert nonsense.status_code == 422


async def test_signing_out_everywhere_ends_every_session_of_the_account(api, sessions):
    from api.security import hash_password
    from db.repositories.users import ensure_user
    from tests.conftest import PASSWORD

    async with sessions.begin() as s:  # an account of its own: the shared ones keep their sessions
        await ensure_user(s, "travelling.officer", "Travelling officer", ["legal_officer"], hash_password(PASSWORD))
    laptop = await signed_in(api, "travelling.officer")
    phone = await signed_in(api, "travelling.officer")
    r = await api.post("/api/v1/auth/token", data={"username": "travelling.officer", "password": PASSWORD})
    bearer = {"Authorization": f"Bearer {r.json()['access_token']}"}
    assert (await api.get("/api/v1/tasks", headers=bearer)).status_code == 200
    r = await laptop.post("/staff/logout-everywhere", {})
    assert r.status_code == 303
    assert (await phone.get("/staff/inbox")).status_code == 303
    assert (await api.get("/api/v1/tasks", headers=bearer)).status_code == 401
    again = await signed_in(api, "travelling.officer")
    assert (await again.get("/staff/inbox")).status_code == 200


async def test_a_signed_out_token_or_cookie_opens_nothing_again(api, sessions):
    from api.pages.staff_session import COOKIE
    from api.security import hash_password
    from db.repositories.users import ensure_user

    async with sessions.begin() as s:  # an account of its own: the shared ones keep their sessions
        await ensure_user(s, "leaving.officer", "Leaving officer", ["registrar"], hash_password(PASSWORD))
    r = await api.post("/api/v1/auth/token", data={"username": "leaving.officer", "password": PASSWORD})
    bearer = {"Authorization": f"Bearer {r.json()['access_token']}"}
    assert (await api.get("/api/v1/tasks", headers=bearer)).status_code == 200
    assert (await api.post("/api/v1/auth/revoke", headers=bearer)).status_code == 204
    refused = await api.get("/api/v1/tasks", headers=bearer)
    assert refused.status_code == 401 and "signed out" in refused.json()["detail"]

    browser = await signed_in(api, "leaving.officer")
    kept = browser.cookies[COOKIE]  # what a copied cookie would still hold after signing out
    assert (await browser.post("/staff/logout", {})).status_code == 303
    browser.cookies[COOKIE] = kept
    assert (await browser.get("/staff/inbox")).status_code == 303  # back to the sign-in page


async def test_a_case_viewed_hundreds_of_times_keeps_its_decisions_in_sight(api, sessions):
    """The auditor's timeline is what was done to the case; the views list the latest 200 and
    say how many there are (the CSV keeps every view)."""
    n = (await submit(api))["case_number"]
    async with sessions.begin() as s:
        await append_entries(s, [NewEntry("case_viewed", "case_officer", "case_officer", n) for _ in range(230)])
    auditor = await signed_in(api, "auditor")
    desk = (await auditor.get(f"/staff/audit/cases/{n}?lang=en")).text
    done = desk.split('id="timeline"')[1].split('id="views"')[0]
    assert done.count("<tr data-source") < 10 and "Application received" in done
    assert desk.split('id="views"')[1].count("<tr><td") == 200
    assert "The latest 200 of 231 views" in desk  # the auditor's own look at the history counts too
    csv = (await auditor.get(f"/staff/audit/cases/{n}/timeline.csv")).text
    assert csv.count(",case_viewed,") == 230


async def test_the_auditor_reads_the_ground_of_a_refusal_and_its_deadlines_in_words(api, tokens):
    """To show that a refusal followed the law, the desk gives each decision's data (the ground
    recommended, the ground decided) as the case page does, and every due date in the reader's format."""
    n = (await submit(api))["case_number"]
    await to_conclusion(api, tokens, n, summary="Dates of the events differ between accounts.")
    await decide(api, tokens, n, "conclusion", "recommend_rejection", "case_officer", reason="Contradictions.",
                 data={"ground": "not_credible"})
    await decide(api, tokens, n, "decision", "reject", "supervisor", reason="Contradictions on dates.",
                 data={"ground": "not_credible"})
    auditor = await signed_in(api, "auditor")
    desk = (await auditor.get(f"/staff/audit/cases/{n}?lang=ru")).text
    done = desk.split('id="timeline"')[1].split('id="views"')[0]
    refusal = next(row for row in done.split("<tr")[1:] if "Contradictions on dates." in row)
    assert "<dt>Основание</dt><dd>Недостоверные показания</dd>" in refusal
    decided = "".join(row for row in done.split("<tr")[1:] if 'data-source="outbox"' not in row)
    assert decided.count("Недостоверные показания") == 2  # recommended, then decided
    told = [row for row in done.split("<tr")[1:] if 'data-source="outbox"' in row]
    assert any("Недостоверные показания" in row for row in told)  # the news the applicant is to be told of
    assert "Dates of the events differ between accounts." in done
    assert "+00:00" not in done and "Срок" in done  # every due date as the reader writes it
    csv = (await auditor.get(f"/staff/audit/cases/{n}/timeline.csv")).text
    assert '"{""ground"": ""not_credible""}"' in csv


async def test_the_auditor_reads_the_amount_a_claim_was_given_and_the_act_that_sets_it(api, tokens):
    """Proving a reimbursement followed the rules: the amount (as money, in the reader's format),
    the legal act it comes from, whether the claim came late and the rules' version."""
    import uuid

    from tests.api.test_repatriation import URL, claim
    from tests.conftest import eventually

    n = (await api.post(URL, json=claim(), headers={"Idempotency-Key": str(uuid.uuid4())})).json()["case_number"]
    await wait_task(api, tokens, n, "document_check", "registrar")
    auditor = await signed_in(api, "auditor")

    async def desk():
        page = (await auditor.get(f"/staff/audit/cases/{n}?lang=ru")).text
        return page if 'class="data rules-facts"' in page else None
    facts = (await eventually(desk)).split('class="data rules-facts"')[1].split("</dl>")[0]
    assert "<dt>Сумма</dt>" in facts and "<dt>Правовой акт</dt><dd>Постановление № 169, приложение 2: предварительная" in facts
    assert "<dt>Подано после срока</dt><dd>нет</dd>" in facts and "<dt>Версия правил</dt>" in facts
    amount = facts.split("<dt>Сумма</dt><dd>")[1].split("</dd>")[0]
    assert any(ch.isdigit() for ch in amount) and "," in amount  # "150 000,00 сом": money as the reader writes it


async def test_the_auditor_sees_when_and_how_the_applicant_was_told_of_their_news(api, tokens, sessions):
    """The appeal runs from a decision the applicant learnt of: the desk shows each piece of news
    waiting, then told by text (or mail, or why not), with what it was."""
    import uuid

    from smpplib import smpp
    from smpplib.client import SimpleSequenceGenerator

    from activities.notifications import NotificationRelay
    from activities.sms import SmsCentre as CentreSettings
    from activities.sms_receipts import ReceiptListener, receipt_of
    from tests.activities.smpp_centre import SmsCentre
    from tests.conftest import PUBLIC_URL
    from tests.factories import refugee_application

    data = refugee_application()
    data["contact"] = {"address": "Osh, Kurmanjan Datka 3", "phone": "0555 987 654"}
    n = (await api.post("/api/v1/applications/refugee", json=data,
                        headers={"Idempotency-Key": str(uuid.uuid4()), "Accept-Language": "ru"})).json()["case_number"]
    await decide(api, tokens, n, "registration", "register", "registrar")
    auditor = await signed_in(api, "auditor")

    def told(page: str) -> list[str]:
        done = page.split('id="timeline"')[1].split('id="views"')[0]
        return [row for row in done.split("<tr")[1:] if 'data-source="outbox"' in row]
    waiting = told((await auditor.get(f"/staff/audit/cases/{n}?lang=ru")).text)
    assert waiting and all("Новости для заявителя ждут отправки" in row for row in waiting)
    assert any("Заявление зарегистрировано" in row for row in waiting)
    centre = SmsCentre()
    await centre.start()
    try:
        sms = CentreSettings("127.0.0.1", centre.port, "aryz", centre.password, "MIGRATION", timeout=5, receipts=True)
        await NotificationRelay(sessions, None, PUBLIC_URL, sms=sms).send_pending(100_000)
        receipts = ReceiptListener(sessions, sms)
        for receipt in [receipt_of(smpp.parse_pdu(raw, client=SimpleSequenceGenerator()))
                        for raw in centre.unacknowledged.values()]:
            await receipts.record(receipt)  # as the worker's listener does
    finally:
        await centre.stop()
    assert [number for _, number, text in centre.texts if n in text] == ["996555987654"]
    rows = told((await auditor.get(f"/staff/audit/cases/{n}?lang=ru")).text)
    sent = [row for row in rows if "Заявителю сообщено SMS-сообщением, что есть новости" in row]
    delivered = [row for row in rows if "SMS-сообщение доставлено на телефон заявителя (отчёт оператора)" in row]
    assert len(sent) == len(delivered) == len(waiting) == len(rows) // 2
    registered = next(row for row in rows if "Заявление зарегистрировано" in row)
    assert "исходящие №" in registered
    exported = (await auditor.get(f"/staff/audit/cases/{n}/timeline.csv")).text
    assert "applicant_told_sms" in exported and "text_delivered" in exported and "application_registered" in exported
