"""The consular route over HTTP: a claim lodged at a diplomatic mission is checked and paid there by
that mission's consular officer, seen by no other mission, and paid once whichever route is taken."""

import random
import re
import uuid

from sqlalchemy import select

from db.models import Payment
from tests.api.helpers import Browser, decide, wait_task
from tests.conftest import PASSWORD
from tests.factories import repatriation_application

URL = "/api/v1/applications/repatriation"
CASH = {"method": "cash", "bank_reference": "MOSCOW-KASSA-0042", "paid_amount": 98000, "paid_currency": "RUB"}


def pin() -> str:
    return "2" + "".join(random.choice("0123456789") for _ in range(13))


async def lodge(api, mission: str | None, **extra) -> dict:
    data = repatriation_application(mission=mission, **extra)
    data["deceased"]["personal_number"] = extra.pop("personal_number", None) or pin()
    if mission:
        data["bank_account"] = None  # paid in cash at the mission
    r = await api.post(URL, json=data, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201, r.text
    return r.json()


async def tasks_of(api, tokens, user: str) -> set[str]:
    r = await api.get("/api/v1/tasks", params={"page": 1}, headers=await tokens(user))
    assert r.status_code == 200, r.text
    return {t["case_number"] for t in r.json()}


async def test_each_mission_sees_and_decides_only_its_own_claims(api, tokens, sessions):
    moscow, ankara, home = await lodge(api, "RUS"), await lodge(api, "TUR"), await lodge(api, None)
    m, a, h = moscow["case_number"], ankara["case_number"], home["case_number"]
    task = await wait_task(api, tokens, m, "mission_document_check", "consular_officer")
    await wait_task(api, tokens, a, "mission_document_check", "consul.tr")
    await wait_task(api, tokens, h, "document_check", "registrar")

    ru, tr = await tokens("consular_officer"), await tokens("consul.tr")
    assert (await api.get(f"/api/v1/cases/{m}", headers=ru)).status_code == 200
    for other in (a, h):
        assert (await api.get(f"/api/v1/cases/{other}", headers=ru)).status_code == 403
    assert (await api.get(f"/api/v1/cases/{m}", headers=tr)).status_code == 403
    # The registrar at home keeps the domestic claims; finance and the auditor see every route.
    assert (await api.get(f"/api/v1/cases/{m}", headers=await tokens("registrar"))).status_code == 403
    for user in ("finance_officer", "supervisor", "auditor"):
        assert (await api.get(f"/api/v1/cases/{m}", headers=await tokens(user))).status_code == 200, user

    mine = await tasks_of(api, tokens, "consular_officer")
    assert m in mine and a not in mine and h not in mine
    theirs = await tasks_of(api, tokens, "consul.tr")
    assert a in theirs and m not in theirs
    assert not {m, a} & await tasks_of(api, tokens, "registrar")

    found = (await api.post("/api/v1/cases/search", json={"procedure": "repatriation", "q": "Asanova"}, headers=ru)).json()
    numbers = {c["case_number"] for c in found["items"]}
    assert m in numbers and not {a, h} & numbers
    found = (await api.post("/api/v1/cases/search", json={"q": a}, headers=ru)).json()
    assert found["items"] == []

    claim = await api.post(f"/api/v1/tasks/{task['task_id']}/claim", headers=tr)
    assert claim.status_code == 403
    refused = await api.post(f"/api/v1/cases/{m}/decisions", headers=tr,
                             json={"step": "mission_document_check", "outcome": "documents_ok"})
    assert refused.status_code == 403
    assert (await api.post(f"/api/v1/tasks/{task['task_id']}/claim", headers=ru)).status_code == 200


async def test_a_claim_lodged_at_a_mission_is_paid_there_once(api, tokens, sessions):
    lodged = await lodge(api, "RUS")
    n, code = lodged["case_number"], {"X-Access-Code": lodged["access_code"]}
    await decide(api, tokens, n, "mission_document_check", "documents_ok", "consular_officer")
    await decide(api, tokens, n, "approval", "approve", "finance_officer")
    bad = await api.post(f"/api/v1/cases/{n}/decisions", headers=await tokens("consular_officer"),
                         json={"step": "mission_payment", "outcome": "confirm_paid", "data": {**CASH, "paid_currency": "rubles"}})
    assert bad.status_code == 422, bad.text
    consul = Browser(api)
    assert (await consul.sign_in("consular_officer", PASSWORD)).status_code == 303
    row = re.search(r'<tr data-status="ordered">(.*?)</tr>', (await consul.get(f"/staff/cases/{n}?lang=ru")).text, re.S)
    assert "100\xa0000,00\xa0₽" in row[1] and "Выплачивает представительство (Россия)" in row[1]  # what to pay, and where
    done = await decide(api, tokens, n, "mission_payment", "confirm_paid", "consular_officer", data=CASH)
    assert done["state"] == "CLOSED"
    async with sessions() as s:
        rows = list(await s.scalars(select(Payment).where(Payment.case_number == n)))
    assert [(p.status, p.bank_reference) for p in rows] == [("paid", "MOSCOW-KASSA-0042")]
    status = (await api.get(f"/api/v1/cases/{n}/status", headers={**code, "Accept-Language": "ru"})).json()
    ordered, = [e for e in status["timeline"] if e["note_key"] == "payment_ordered_at_mission"]
    assert "Россия" in ordered["note"]


async def test_a_claim_paid_at_home_needs_an_account_and_a_mission_must_be_a_country(api):
    data = repatriation_application(bank_account=None)
    r = await api.post(URL, json=data, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 422 and "bank account" in r.json()["detail"], r.text
    for mission in ("XXX", "ru", "ZZZ"):
        r = await api.post(URL, json=repatriation_application(mission=mission),
                           headers={"Idempotency-Key": str(uuid.uuid4())})
        assert r.status_code == 422, (mission, r.text)


async def test_the_consular_officer_works_from_the_pages(api, tokens):
    lodged = await lodge(api, "RUS")
    n = lodged["case_number"]
    await wait_task(api, tokens, n, "mission_document_check", "consular_officer")
    browser = Browser(api)
    assert (await browser.sign_in("consular_officer", PASSWORD)).status_code == 303
    inbox = await browser.get("/staff/inbox?lang=ru")
    assert inbox.status_code == 200 and n in inbox.text and "Проверка документов в представительстве" in inbox.text
    page = await browser.get(f"/staff/cases/{n}?lang=ky")
    assert page.status_code == 200 and 'data-outcome="documents_ok"' in page.text or "documents_ok" in page.text
    assert re.search(r"Дипломатиялык өкүлчүлүк:</strong>\s*Россия", page.text), page.text  # named, not "RUS"
    other = await lodge(api, "TUR")
    assert (await browser.get(f"/staff/cases/{other['case_number']}?lang=ru")).status_code == 403


async def test_an_administrator_gives_a_consular_officer_a_mission(api):
    admin = Browser(api)
    assert (await admin.sign_in("admin", PASSWORD)).status_code == 303
    name = f"consul.{uuid.uuid4().hex[:8]}"
    r = await admin.post("/staff/admin/users?lang=en", {"username": name, "full_name": "Consul in Germany",
                                                        "roles": "consular_officer"})
    assert r.status_code == 422 and "mission" in r.text
    for bad in ("RUSX", "XXA", "rus\x00"):  # not a country's code (nor cut down to one): refused, nothing made
        r = await admin.post("/staff/admin/users?lang=en", {"username": name, "full_name": "Consul",
                                                            "roles": "consular_officer", "mission": bad})
        assert r.status_code == 422 and "mission" in r.text, bad
    r = await admin.post("/staff/admin/users?lang=ru", {"username": name, "full_name": "Consul in Germany",
                                                        "roles": "consular_officer", "mission": "DEU"})
    assert r.status_code == 200, r.text
    users = await admin.get("/staff/admin/users?lang=ru")
    assert f'data-user="{name}"' in users.text and "Германия" in users.text


async def test_a_supervisor_hands_a_mission_task_only_to_an_officer_of_that_mission(api, tokens):
    lodged = await lodge(api, "RUS")
    n = lodged["case_number"]
    task = await wait_task(api, tokens, n, "mission_document_check", "consular_officer")
    supervisor = Browser(api)
    assert (await supervisor.sign_in("supervisor", PASSWORD)).status_code == 303
    page = (await supervisor.get(f"/staff/cases/{n}?lang=en")).text
    choices = re.search(r'<select id="assign-mission_document_check" name="username">(.*?)</select>', page, re.S)[1]
    assert '"consular_officer"' in choices and "consul.tr" not in choices
    r = await api.post(f"/api/v1/tasks/{task['task_id']}/assignee", headers=await tokens("supervisor"),
                       json={"username": "consul.tr", "holder": None})
    assert r.status_code == 422 and r.json()["code"] == "not_a_holder", r.text
    still = await wait_task(api, tokens, n, "mission_document_check", "consular_officer")
    assert still["claimed_by"] is None  # not handed to another mission's officer
    r = await api.post(f"/api/v1/tasks/{task['task_id']}/assignee", headers=await tokens("supervisor"),
                       json={"username": "consular_officer", "holder": None})
    assert r.status_code == 200, r.text
