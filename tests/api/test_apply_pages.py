"""Applying through the web form, for every procedure: one page per group of questions, the
answers checked on the last page, the case number and access code shown once."""

import html
import re
import uuid

import pytest

from api.forms.steps import FORMS
from db.models import Case
from tests.api.helpers import ORIGIN, Browser, snapshot
from tests.factories import APPLICATIONS

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SCALAR_LISTS = {"languages", "destination_countries"}  # one input per item, numbered
CHECKBOXES = {"documents"}  # one checkbox per choice, the same name


def as_form(value, path: str = "") -> list[tuple[str, str]]:
    """An application (the JSON the API takes) as a browser posts the form's inputs."""
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in as_form(v, f"{path}.{k}" if path else k)]
    if isinstance(value, list):
        name = path.rsplit(".", 1)[-1]
        if name in CHECKBOXES:
            return [(path, str(v)) for v in value]
        if name in SCALAR_LISTS:
            return [(f"{path}.{i}", str(v)) for i, v in enumerate(value)]
        return [pair for i, v in enumerate(value) for pair in as_form(v, f"{path}.{i}")]
    if isinstance(value, bool):
        return [(path, "yes" if value else "no")]
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):  # a day is typed as three numbers
        year, month, day = value.split("-")
        return [(f"{path}.day", day.lstrip("0")), (f"{path}.month", month), (f"{path}.year", year)]
    return [(path, str(value))]


def carried(page: str) -> list[tuple[str, str]]:
    """The hidden inputs a page carries (the other pages' answers and the form's own controls)."""
    return [(html.unescape(n), html.unescape(v)) for n, v in
            re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page) if n != "csrf_token"]


def grouped(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    data: dict[str, list[str]] = {}
    for name, value in pairs:
        data.setdefault(name, []).append(value)
    return data


async def walk(visitor: Browser, slug: str, application: dict, lang: str) -> str:
    """Answers each page with its part of `application`; returns the page that checks the answers."""
    page = (await visitor.get(f"/apply/{slug}?lang={lang}")).text
    answers = as_form(application)
    for step in FORMS[slug].steps:
        mine = [(n, v) for n, v in answers if n.split(".", 1)[0] in step.fields]
        r = await visitor.post(f"/apply/{slug}", grouped([*carried(page), *mine, ("_action", "continue")]))
        assert r.status_code == 200, (step.key, re.findall(r'class="field-error"[^>]*>([^<]*)', r.text))
        page = r.text
    return page


@pytest.mark.parametrize("slug,lang", [("refugee", "ky"), ("kairylman", "ru"), ("repatriation", "ru"),
                                       ("work-permit", "en"), ("agency-permit", "ky")])
async def test_each_procedure_is_applied_for_through_the_form(api, sessions, slug, lang):
    visitor = Browser(api)
    check = await walk(visitor, slug, APPLICATIONS[slug](), lang)
    assert 'id="submit-application"' in check and f'lang="{lang}"' in check
    if lang != "en":  # countries and choices are named in the reader's language, not as codes
        assert not re.search(r"<dd>\s*(AFG|CHN|KGZ|RUS|KOR|DEU)\s*</dd>", check), check
    files = {"files": ("passport.pdf", PDF, "application/pdf")} if slug == "repatriation" else None
    done = await visitor.post(f"/apply/{slug}", grouped([*carried(check), ("_action", "submit")]), files=files)
    assert done.status_code == 200, done.text
    number = re.search(r'id="case-number">([A-Z]{3}-\d{4}-\d{6})<', done.text)[1]
    code = re.search(r'id="access-code">([^<]+)<', done.text)[1]
    assert number.startswith(FORMS[slug].procedure.case_prefix) and "aryz_case" in visitor.cookies
    status = await api.get(f"/api/v1/cases/{number}/status", headers={"X-Access-Code": code})
    assert status.status_code == 200 and status.json()["procedure"] == slug
    assert number in (await visitor.get("/status")).text  # the case is open in this browser
    if slug == "repatriation":
        assert "1" in re.search(r"<p>[^<]*: 1</p>", done.text)[0]  # the file came with the application
    async with sessions() as s:  # the language a text message to the applicant is written in
        assert (await s.get(Case, number)).lang == lang
    # Sending the same form again (a double click, a reload) gives the same case and the same code.
    again = await visitor.post(f"/apply/{slug}", grouped([*carried(check), ("_action", "submit")]))
    assert number in again.text and code in again.text


async def test_errors_are_shown_beside_the_questions_with_a_summary_and_the_answers_kept(api, sessions):
    visitor = Browser(api)
    page = (await visitor.get("/apply/refugee?lang=ru")).text
    before = await snapshot(sessions)
    r = await visitor.post("/apply/refugee", grouped([*carried(page), ("applicant.family_name", ""),
                                                      ("applicant.given_names", "Дильноза"),
                                                      ("applicant.date_of_birth.day", "1"),
                                                      ("applicant.date_of_birth.month", "1"),
                                                      ("applicant.date_of_birth.year", "2999"),
                                                      ("applicant.nationality", "ZZZ"),
                                                      ("applicant.document_number", "P 12/34"), ("_action", "continue")]))
    assert r.status_code == 422
    summary = re.search(r'id="error-summary".*?</section>', r.text, re.S)[0]
    for anchor in ("f-applicant-family_name", "f-applicant-date_of_birth", "f-applicant-nationality",
                   "f-applicant-sex", "f-applicant-document_number"):
        assert f'href="#{anchor}"' in summary and f'id="{anchor}"' in r.text, anchor
    assert "Ответьте на этот вопрос" in summary and "Эта дата не может быть в будущем" in summary
    assert "Выберите страну из списка" in summary and "латинские буквы" in summary
    assert 'value="Дильноза"' in r.text and 'value="2999"' in r.text  # what was typed is kept
    assert 'aria-invalid="true"' in r.text and "<h1>Заявитель</h1>" in r.text  # still the same page
    assert await snapshot(sessions) == before  # nothing stored
    # The language switch after the failed POST leads back to the form, not to the POST's address.
    assert 'href="/apply/refugee?lang=ky"' in r.text


async def test_a_check_across_questions_points_at_the_question_it_is_about(api):
    visitor = Browser(api)
    application = APPLICATIONS["repatriation"]()
    application["relationship"] = "attorney_of_close_relative"
    application["deceased"]["date_of_death"] = "1960-01-01"  # before the date of birth
    page = await walk_until_error(visitor, "repatriation", application)
    assert "f-deceased-date_of_death" in page and "The date of death cannot be before the date of birth" in page
    contact = await Browser(api).get("/apply/refugee?lang=en")
    assert contact.status_code == 200


async def walk_until_error(visitor: Browser, slug: str, application: dict) -> str:
    page = (await visitor.get(f"/apply/{slug}?lang=en")).text
    answers = as_form(application)
    for step in FORMS[slug].steps:
        mine = [(n, v) for n, v in answers if n.split(".", 1)[0] in step.fields]
        r = await visitor.post(f"/apply/{slug}", grouped([*carried(page), *mine, ("_action", "continue")]))
        if r.status_code == 422:
            return r.text
        page = r.text
    done = await visitor.post(f"/apply/{slug}", grouped([*carried(page), ("_action", "submit")]))
    assert done.status_code == 422
    return done.text


async def test_family_members_are_added_and_removed_and_a_blank_entry_is_ignored(api):
    visitor = Browser(api)
    page = (await visitor.get("/apply/refugee?lang=en")).text
    person = as_form({"applicant": APPLICATIONS["refugee"]()["applicant"]})
    page = (await visitor.post("/apply/refugee", grouped([*carried(page), *person, ("_action", "continue")]))).text
    assert "Nobody added" in page
    page = (await visitor.post("/apply/refugee", grouped([*carried(page), ("_action", "add:family_members")]))).text
    assert 'name="family_members.0.family_name"' in page
    child = as_form({"family_members": APPLICATIONS["refugee"]()["family_members"]})
    page = (await visitor.post("/apply/refugee", grouped([*carried(page), *child,
                                                          ("_action", "add:family_members")]))).text
    assert 'value="Timur"' in page and 'name="family_members.1.family_name"' in page
    # The blank second entry is dropped when the page is answered; the child stays.
    r = await visitor.post("/apply/refugee", grouped([*carried(page), *child, ("_action", "continue")]))
    assert r.status_code == 200 and ("family_members.0.given_names", "Timur") in carried(r.text)
    assert not any(n.startswith("family_members.1") for n, _ in carried(r.text))
    back = await visitor.post("/apply/refugee", grouped([*carried(r.text), ("_action", "back")]))
    removed = await visitor.post("/apply/refugee", grouped([*carried(back.text), *child,
                                                            ("_action", "remove:family_members.0")]))
    assert "Nobody added" in removed.text


async def test_hostile_posts_are_refused_without_a_trace(api, sessions):
    visitor = Browser(api)
    page = (await visitor.get("/apply/work-permit")).text
    before = await snapshot(sessions)
    no_token = await visitor.post("/apply/work-permit", {"_action": "continue"}, with_token=False)
    assert no_token.status_code == 403
    nul = await visitor.post("/apply/work-permit", grouped([*carried(page), ("employer.name", "A\x00B"),
                                                            ("_action", "continue")]))
    assert nul.status_code == 422
    # Submitting straight away, with nothing answered, lands on the first page with its errors.
    empty = await visitor.post("/apply/work-permit", {"_step": "4", "_action": "submit", "_key": uuid.uuid4().hex})
    assert empty.status_code == 422 and "f-employer-name" in empty.text
    odd = await visitor.post("/apply/work-permit", {"_step": "-7", "_action": "edit:99", "_key": "<script>"})
    assert odd.status_code == 200 and "<script>" not in odd.text
    many = await visitor.post("/apply/work-permit", {f"x{i}": "1" for i in range(1000)})
    assert many.status_code == 400
    too_many = await api.post("/apply/work-permit?lang=ru", data={f"x{i}": "1" for i in range(1001)},
                              headers={**visitor.headers(), "Accept": "text/html", "Origin": ORIGIN})
    assert too_many.status_code == 400 and "Запрос не удалось прочитать" in too_many.text  # a page, in Russian
    assert (await api.get("/apply/no-such-procedure", headers={"Accept": "text/html"})).status_code == 404
    assert await snapshot(sessions) == before


async def test_a_claim_lodged_at_a_mission_may_be_paid_in_cash_but_one_at_home_needs_an_account(api):
    visitor = Browser(api)
    at_mission = APPLICATIONS["repatriation"](mission="RUS")
    del at_mission["bank_account"]
    check = await walk(visitor, "repatriation", at_mission, "ru")
    assert "Россия" in check  # the mission, named in the reader's language
    done = await visitor.post("/apply/repatriation", grouped([*carried(check), ("_action", "submit")]))
    assert done.status_code == 200, done.text
    at_home = APPLICATIONS["repatriation"]()
    del at_home["bank_account"]
    page = await walk_until_error(Browser(api), "repatriation", at_home)
    assert 'href="#f-bank_account"' in page and "Give the bank account for the transfer" in page


async def test_a_scan_of_a_few_megabytes_goes_with_the_application_and_a_too_large_one_is_refused_on_the_form(api):
    """A 2 MB scan once met a 1 MB cap meant for JSON and got a line of English JSON for a page."""
    visitor = Browser(api)
    check = await walk(visitor, "repatriation", APPLICATIONS["repatriation"](), "ru")
    scan = PDF + b"0" * (2 * 2**20)
    done = await visitor.post("/apply/repatriation", grouped([*carried(check), ("_action", "submit")]),
                              files={"files": ("passport.pdf", scan, "application/pdf")})
    assert done.status_code == 200 and 'id="case-number"' in done.text, done.text[:300]
    check = await walk(visitor, "repatriation", APPLICATIONS["repatriation"](contact={"address": "Ош, Ленина 2",
                                                                                       "phone": "+996700111333"}), "ru")
    huge = PDF + b"0" * (11 * 2**20)  # over the 10 MB a file may have: refused beside the form, answers kept
    refused = await visitor.post("/apply/repatriation", grouped([*carried(check), ("_action", "submit")]),
                                 files={"files": ("passport.pdf", huge, "application/pdf")})
    assert refused.status_code in (413, 422) and 'id="error-summary"' in refused.text
    assert "Файл «passport.pdf» слишком большой: каждый файл не больше 10 МБ" in refused.text
    assert "Ош, Ленина 2" in refused.text
    assert "каждый не больше 10 МБ" in refused.text  # the hint says how large a file may be
    # More than the form could ever take in one go: a page in the reader's language, not JSON.
    flood = await api.post("/apply/repatriation?lang=ru", content=b"x" * 1024,
                           headers={"Content-Length": str(200 * 2**20), "Accept": "text/html",
                                    "Content-Type": "multipart/form-data; boundary=x"})
    assert flood.status_code == 413 and "text/html" in flood.headers["content-type"]
    assert "каждый файл не больше 10 МБ, всего не больше 101 МБ" in flood.text
    machine = await api.post("/api/v1/cases/REF-2026-000001/documents", content=b"x" * 1024,
                             headers={"Content-Length": str(200 * 2**20)})
    assert machine.status_code == 413 and machine.json()["code"] == "files_too_large"


async def test_the_check_page_lists_every_question_an_unanswered_one_as_it_will_be_recorded(api):
    # An employer over the 20 % cap who skips "multiple fee paid" is recorded as not having paid it,
    # and the officer cannot issue: the check page says so before the application is sent.
    employer = {"name": "Kumtor Build LLC", "tax_id": "02108201910123", "foreign_staff": 30, "local_staff": 40}
    check = await walk(Browser(api), "work-permit", APPLICATIONS["work-permit"](employer=employer), "ru")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", check))
    assert "Кратная пошлина уплачена нет" in text
    assert "Электронная почта —" in text  # an optional question left blank


@pytest.mark.parametrize("channels, told", [
    ({}, "Время от времени открывайте страницу статуса"),
    ({"smpp_host": "smpp.example.kg"}, "мы отправим SMS-сообщение на номер +996 700 111 222"),
    ({"smtp_host": "mail.example.kg", "smpp_host": "smpp.example.kg"}, "мы отправим письмо на gulnara@example.kg")])
async def test_the_applicant_is_told_how_news_will_reach_them(api, channels, told):
    """As the relay will send it (activities/notifications.py): by mail if they gave an address and
    there is a mail server, else by text to their phone, else they are to look at the status page."""
    app = api._transport.app
    settings = app.state.settings
    application = APPLICATIONS["repatriation"]()
    application["contact"]["phone"] = "+996 700 111 222"
    if "smtp_host" in channels:
        application["contact"]["email"] = "gulnara@example.kg"
    app.state.settings = settings.model_copy(update=channels)
    try:
        visitor = Browser(api)
        check = await walk(visitor, "repatriation", application, "ru")
        done = await visitor.post("/apply/repatriation", grouped([*carried(check), ("_action", "submit")]),
                                  files={"files": ("passport.pdf", PDF, "application/pdf")})
    finally:
        app.state.settings = settings
    assert done.status_code == 200, done.text
    assert told in re.search(r'<p id="told-by">([^<]*)</p>', done.text)[1]
