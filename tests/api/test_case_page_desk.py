"""The case page offers only what the officer may decide: a barred step says why instead."""

import uuid

from tests.api.helpers import Browser, decide, submit, to_conclusion, wait_task
from tests.conftest import PASSWORD
from tests.factories import work_permit_application


async def signed_in(api, username: str) -> Browser:
    browser = Browser(api)
    assert (await browser.sign_in(username, PASSWORD)).status_code == 303
    return browser


async def test_the_author_of_the_conclusion_is_told_why_another_decides(api, tokens):
    case = await submit(api)
    n = case["case_number"]
    await to_conclusion(api, tokens, n, "senior")
    await decide(api, tokens, n, "conclusion", "recommend_recognition", "senior", reason="Well-founded fear.")
    senior = await signed_in(api, "senior")
    page = await senior.get(f"/staff/cases/{n}?lang=ru")
    assert page.status_code == 200
    assert 'data-barred="barred_four_eyes"' in page.text and 'data-outcome="recognise"' not in page.text
    assert "Вы решали шаг" in page.text
    other = await signed_in(api, "supervisor2")
    assert 'data-outcome="recognise"' in (await other.get(f"/staff/cases/{n}")).text
    registrar = await signed_in(api, "registrar")
    shown = (await registrar.get(f"/staff/cases/{n}?lang=en")).text
    assert 'data-barred="barred_role"' in shown and "This step is decided by the role" in shown
    assert 'data-outcome="recognise"' not in shown


async def test_refusals_carry_a_code_and_read_in_the_callers_language(api, tokens):
    case = await submit(api)
    n = case["case_number"]
    await decide(api, tokens, n, "registration", "refuse_registration", "regsup", "Refused before.",
                 {"ground": "earlier_refusal_without_new_circumstances"})
    url = f"/api/v1/cases/{n}/decisions"
    body = {"step": "registration_refusal_signoff", "outcome": "confirm_refusal"}
    english = await api.post(url, json=body, headers=await tokens("regsup"))
    russian = await api.post(url, json=body, headers={**await tokens("regsup"), "Accept-Language": "ru-RU,ru;q=0.9"})
    assert english.status_code == russian.status_code == 403
    assert english.json()["code"] == "four_eyes" and english.json()["params"]["other"] == "registration"
    assert "four eyes" in english.json()["detail"]
    assert russian.json()["detail"].startswith("Вы решали шаг «")
    wrong = await api.post(url, json={"step": "interview", "outcome": "record_interview"},
                           headers={**await tokens("registrar"), "Accept-Language": "ky"})
    assert wrong.status_code == 409 and wrong.json()["code"] == "step_not_open" and "кадамы" in wrong.json()["detail"]
    # On the page, the same refusal reads in the page's language.
    regsup = await signed_in(api, "regsup")
    await regsup.get(f"/staff/cases/{n}?lang=ru")
    page = await regsup.post(f"/staff/cases/{n}/decisions?lang=ru", body)
    assert page.status_code == 403 and "Вы решали шаг" in page.text


async def test_the_family_members_a_recognition_leaves_out_are_ticked_by_name(api, tokens):
    """Family members were typed as their numbers in the application; the form now lists them by
    name, numbered as there, and those ticked get no certificate of their own."""
    case = await submit(api)
    n = case["case_number"]
    await to_conclusion(api, tokens, n)
    await decide(api, tokens, n, "conclusion", "recommend_recognition", "case_officer", reason="Well-founded fear.")
    supervisor = await signed_in(api, "supervisor")
    page = (await supervisor.get(f"/staff/cases/{n}?lang=ru")).text
    grant = page.split('data-outcome="recognise"')[1].split("</form>")[0]
    assert 'name="data.excluded_family_members.1"' in grant and "1. Karimov Timur (Ребёнок, 1 февраля 2015" in grant
    assert "каждый неотмеченный получит свой документ" in grant
    # A member the application does not have (a forged box) is refused beside the form; nothing is decided.
    forged = await supervisor.post(f"/staff/cases/{n}/decisions?lang=ru", {
        "step": "decision", "outcome": "recognise", "reason": "Well-founded fear.",
        "data.excluded_family_members.9": "on"})
    assert forged.status_code == 422 and "члена семьи № 9 нет" in forged.text
    assert 'data-outcome="recognise"' in (await supervisor.get(f"/staff/cases/{n}?lang=ru")).text  # still open
    done = await supervisor.post(f"/staff/cases/{n}/decisions", {
        "step": "decision", "outcome": "recognise", "reason": "Well-founded fear.",
        "data.excluded_family_members.1": "on"})
    assert done.status_code == 303, done.text[:300]
    events = (await supervisor.get(f"/staff/cases/{n}?lang=ru")).text.split('id="events"')[1]
    assert "<dt>Не признанные члены семьи (номера в заявлении)</dt><dd>1. Karimov Timur</dd>" in events


async def test_a_work_permits_page_names_the_worker_as_such_and_its_codes_in_words(api):
    # The worker is the person the permit is for, not its applicant (the employer applies).
    r = await api.post("/api/v1/applications/work-permit", json=work_permit_application(sector="construction"),
                       headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201, r.text
    officer = await signed_in(api, "case_officer")
    page = (await officer.get(f"/staff/cases/{r.json()['case_number']}?lang=ky")).text
    assert "<strong>Чет элдик жумушчу:</strong> Zhang Wei" in page and "Арыз ээси:</strong>" not in page
    assert 'data-part="sector"><strong>Тармак:</strong> Курулуш' in page
    assert "Zhang Wei · Эркек ·" in " ".join(page.split())  # a code in words, on the worker's line


async def test_an_issue_the_cap_forbids_is_explained_on_the_page_instead_of_offered(api, tokens):
    # 30 foreign staff and 40 local: the worker would make 44 %, over the 20 % cap.
    over = {"name": "Kumtor Build LLC", "tax_id": "02108201910123", "foreign_staff": 30, "local_staff": 40}
    officer = await signed_in(api, "case_officer")
    admin = await tokens("admin")
    application = work_permit_application(quota_year=2031, region="N", sector="energy", employer=over)
    assert (await api.put("/api/v1/quota/2031/N/energy", headers=admin,
                          json={"size": 5, "legal_act": "Cabinet order No. 9"})).status_code == 200
    pages = {}
    for paid in (False, True):
        application["employer"]["multiple_fee_paid"] = paid
        application["worker"]["document_number"] = f"E{uuid.uuid4().hex[:8].upper()}"
        r = await api.post("/api/v1/applications/work-permit", json=application,
                           headers={"Idempotency-Key": str(uuid.uuid4())})
        n = r.json()["case_number"]
        await wait_task(api, tokens, n, "review", "case_officer")
        pages[paid] = (await officer.get(f"/staff/cases/{n}?lang=ru")).text
    unpaid, paid = pages[False], pages[True]
    assert 'data-held="cap_needs_multiple_fee"' in unpaid and 'data-outcome="issue"' not in unpaid
    # 31 of 71 once hired: one decimal, so a share just over the cap never reads as the cap
    assert "Иностранные работники составят 43,7 % штата — больше предела 20 %" in unpaid
    assert 'data-outcome="reject"' in unpaid  # the refusal on that ground is offered
    assert "data-held" not in paid and 'data-outcome="issue"' in paid
    detail = (await api.get(f"/api/v1/cases/{n}", headers=await tokens("case_officer"))).json()
    assert detail["futile_outcomes"] == []  # the last one: paid


async def test_a_case_is_held_to_the_cap_it_was_measured_by_and_the_auditor_reads_both(
        api, tokens, monkeypatch, tmp_path):
    """The cap changes with the rules; a case submitted under a cap of 40 % is explained, and
    audited, by 40 %, not by the 20 % in force when the officer opens it."""
    import shutil

    import rules
    from tests.conftest import eventually

    measured_by = tmp_path / "rules"
    shutil.copytree(rules.RULES_DIR, measured_by, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    toml = measured_by / "work_permit.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("foreign_staff_cap_percent = 20",
                                                            "foreign_staff_cap_percent = 40"), encoding="utf-8")
    over = {"name": "Kumtor Build LLC", "tax_id": "02108201910123", "foreign_staff": 30, "local_staff": 40}
    admin = await tokens("admin")
    assert (await api.put("/api/v1/quota/2032/N/energy", headers=admin,
                          json={"size": 5, "legal_act": "Cabinet order No. 9"})).status_code == 200
    application = work_permit_application(quota_year=2032, region="N", sector="energy", employer=over)
    application["worker"]["document_number"] = f"E{uuid.uuid4().hex[:8].upper()}"
    with monkeypatch.context() as rules_then:
        rules_then.setattr(rules, "RULES_DIR", measured_by)
        rules.procedure_rules.cache_clear()  # the rules are read once a process; these are other rules
        try:
            r = await api.post("/api/v1/applications/work-permit", json=application,
                               headers={"Idempotency-Key": str(uuid.uuid4())})
            n = r.json()["case_number"]
            await wait_task(api, tokens, n, "review", "case_officer")
        finally:
            rules.procedure_rules.cache_clear()
    officer = await signed_in(api, "case_officer")
    page = (await officer.get(f"/staff/cases/{n}?lang=ru")).text
    assert "Иностранные работники составят 43,7 % штата — больше предела 40 %" in page

    auditor = await signed_in(api, "auditor")

    async def desk():
        shown = (await auditor.get(f"/staff/audit/cases/{n}?lang=ru")).text
        return shown if 'class="data rules-facts"' in shown else None
    facts = (await eventually(desk)).split('class="data rules-facts"')[1].split("</dl>")[0]
    assert "<dt>Доля иностранных работников после найма</dt><dd>43,7 %</dd>" in facts
    assert "<dt>Предел доли иностранных работников</dt><dd>40 %</dd>" in facts
    assert "<dt>Предел превышен</dt><dd>да</dd>" in facts


async def test_officers_are_told_before_deciding_that_the_death_was_paid_for_in_another_case(api, tokens):
    """Two relatives claim for one death. While the first claim's payment is under way, and once it
    is made, the second claim's document check and approval say so instead of offering a decision
    the ledger would then contradict; the refusal on that ground stays offered."""
    from tests.api.test_repatriation import URL, claim

    first = claim()
    second = claim(personal_number=first["deceased"]["personal_number"])
    second["applicant"]["given_names"] = "Ermek"
    numbers = []
    for data in (first, second):
        r = await api.post(URL, json=data, headers={"Idempotency-Key": str(uuid.uuid4())})
        assert r.status_code == 201, r.text
        numbers.append(r.json()["case_number"])
    paid, other = numbers
    await decide(api, tokens, paid, "document_check", "documents_ok", "registrar")
    await decide(api, tokens, paid, "approval", "approve", "finance_officer")  # the payment is ordered

    await wait_task(api, tokens, other, "document_check", "registrar")
    registrar = await signed_in(api, "registrar")
    page = (await registrar.get(f"/staff/cases/{other}?lang=ru")).text
    assert 'data-held="death_payment_under_way_in_case"' in page and 'data-outcome="documents_ok"' not in page
    assert f"Выплата по этой смерти уже производится по делу {paid}" in page
    assert 'data-outcome="refuse"' in page

    await decide(api, tokens, paid, "payment", "confirm_paid", "finance_officer", data={"bank_reference": "OPT-1"})
    page = (await registrar.get(f"/staff/cases/{other}?lang=ky")).text
    assert 'data-held="death_paid_in_case"' in page and f"{paid} иши боюнча" in page
    # API clients are told the same, for the open step only, in the language asked for.
    detail = (await api.get(f"/api/v1/cases/{other}", headers={**await tokens("registrar"),
                                                               "Accept-Language": "en"})).json()
    assert [(f["step"], f["outcome"], f["code"], f["params"]["case"]) for f in detail["futile_outcomes"]] == [
        ("document_check", "documents_ok", "death_paid_in_case", paid)]
    assert detail["futile_outcomes"][0]["message"].startswith(f"This death was already reimbursed in case {paid}")
    # A consul at a mission may not open the claim paid at home: told of it, not given its number.
    from tests.factories import repatriation_application
    third = repatriation_application(mission="RUS")
    third["deceased"]["personal_number"], third["bank_account"] = first["deceased"]["personal_number"], None
    r = await api.post(URL, json=third, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201, r.text
    at_mission = r.json()["case_number"]
    await wait_task(api, tokens, at_mission, "mission_document_check", "consular_officer")
    consul = await signed_in(api, "consular_officer")
    page = (await consul.get(f"/staff/cases/{at_mission}?lang=ru")).text
    assert 'data-held="death_paid_elsewhere"' in page and "по другому делу" in page and paid not in page
    # The first claim's own pages say nothing of the kind: its payment is its own.
    finance = await signed_in(api, "finance_officer")
    assert "data-held" not in (await finance.get(f"/staff/cases/{paid}?lang=ru")).text


async def test_the_person_an_application_is_about_is_shown_once_with_their_identity_document(api):
    """The applicant, a work permit's worker or an agency's head: one line with their sex and their
    document, not the line and then the same person again among the application's parts."""
    from tests.factories import agency_permit_application

    refugee = (await submit(api))["case_number"]
    agency = (await api.post("/api/v1/applications/agency-permit", json=agency_permit_application(),
                             headers={"Idempotency-Key": str(uuid.uuid4())})).json()["case_number"]
    registrar = await signed_in(api, "registrar")
    for n, line, document in [(refugee, "Karimova Dilnoza · Женский · Дата рождения", "P1234567"),
                              (agency, "Osmonov Talant · Мужской · Дата рождения", "AC7654321")]:
        page = (await registrar.get(f"/staff/cases/{n}?lang=ru")).text
        person = " ".join(page.split('<p id="person">', 1)[1].split("</p>", 1)[0].split())
        assert line in person and person.endswith(f"· Паспорт {document}"), person
        assert page.count(document) == 1 and 'data-part="head"' not in page
