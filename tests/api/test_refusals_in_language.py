"""Whatever is refused is refused in the reader's language, with a code for machines: a wrong
access code, a missing sign-in, a malformed request, a file the app will not take, an expired
form, a decision whose data does not fit. Each once came in English to a Kyrgyz or Russian reader."""

import uuid

from tests.api.helpers import ORIGIN, Browser, decide, snapshot, submit, wait_task
from tests.api.test_applicant_pages import open_case
from tests.factories import refugee_application

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
RU, KY = {"Accept-Language": "ru"}, {"Accept-Language": "ky"}


async def test_the_api_refuses_in_the_language_asked_for(api):
    wrong = await api.get("/api/v1/cases/REF-2026-999999/status", headers={"X-Access-Code": "nope", **RU})
    assert wrong.status_code == 404
    assert wrong.json() == {"detail": "Нет дела с таким номером и кодом доступа", "code": "no_case_with_code"}
    english = await api.get("/api/v1/cases/REF-2026-999999/status", headers={"X-Access-Code": "nope"})
    assert english.json()["detail"] == "no case with this number and access code"
    unsigned = await api.get("/api/v1/tasks", headers=KY)
    assert unsigned.status_code == 401 and unsigned.headers["www-authenticate"] == "Bearer"
    assert unsigned.json() == {"detail": "Адегенде системага кириңиз", "code": "sign_in_first"}
    forged = await api.get("/api/v1/tasks", headers={"Authorization": "Bearer not.a.token", **RU})
    assert forged.status_code == 401 and forged.json()["code"] == "token_not_valid"
    assert forged.json()["detail"].startswith("Срок входа истёк")
    nowhere = await api.get("/api/v1/no-such-route", headers=RU)
    assert nowhere.status_code == 404 and nowhere.json()["detail"] == "По этому адресу ничего не найдено"


async def test_a_malformed_application_is_told_field_by_field_in_russian(api, sessions):
    body = refugee_application()
    del body["applicant"]["family_name"]
    before = await snapshot(sessions)
    r = await api.post("/api/v1/applications/refugee", json=body, headers={"Idempotency-Key": str(uuid.uuid4()), **RU})
    assert r.status_code == 422 and r.json()["code"] == "invalid_request"
    assert {"field": "applicant.family_name", "code": "missing", "problem": "Ответьте на этот вопрос"} in r.json()["errors"]
    assert r.json()["detail"].startswith("Запрос неверен: applicant.family_name: Ответьте на этот вопрос")
    broken = await api.post("/api/v1/applications/refugee", content=b"{not json",
                            headers={"Content-Type": "application/json", **RU})
    assert broken.status_code == 422
    assert broken.json()["errors"] == [{"field": "body", "code": "json_invalid", "problem": "Это не корректный JSON"}]
    english = await api.post("/api/v1/applications/refugee", json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert english.json()["errors"][0]["code"] == "missing" and "required" in english.json()["errors"][0]["problem"]
    assert await snapshot(sessions) == before


async def test_a_refused_file_is_named_with_its_fault_on_the_api_and_the_page(api, tokens, sessions):
    case = await submit(api)
    n, h = case["case_number"], {"X-Access-Code": case["access_code"]}
    await decide(api, tokens, n, "registration", "request_documents", "registrar", data={"documents": ["passport copy"]})
    before = await snapshot(sessions, n)
    word = await api.post(f"/api/v1/cases/{n}/documents", headers={**h, **RU},
                          files=[("files", ("паспорт.docx", b"PK\x03\x04word", "application/pdf"))])
    assert word.status_code == 415 and word.json()["code"] == "file_kind"
    assert word.json()["detail"] == "Файл «паспорт.docx» не является файлом PDF, PNG или JPEG"
    empty = await api.post(f"/api/v1/cases/{n}/documents", headers={**h, **KY},
                           files=[("files", ("scan.pdf", PDF, "application/pdf")), ("files", ("бош.pdf", b"", "application/pdf"))])
    assert empty.status_code == 422 and empty.json()["detail"] == "«бош.pdf» файлы бош"
    visitor = await open_case(api, case, "ru")
    page = await visitor.post("/status/documents?lang=ru", {"note": "страница 1"},
                              files=[("files", ("паспорт.docx", b"PK\x03\x04word", "application/pdf"))])
    assert page.status_code == 415 and "Файл «паспорт.docx» не является файлом PDF, PNG или JPEG" in page.text
    assert "страница 1" in page.text
    assert await snapshot(sessions, n) == before


async def test_an_expired_form_says_so_in_the_readers_language(api):
    visitor = Browser(api)
    await visitor.get("/?lang=ky")
    # The page was open so long that its token no longer matches the browser's cookie.
    r = await api.post("/status?lang=ky", headers={**visitor.headers(), "Accept": "text/html", "Origin": ORIGIN},
                       data={"case_number": "REF-2026-000001", "access_code": "x", "csrf_token": "0" * 64})
    assert r.status_code == 403 and "text/html" in r.headers["content-type"]
    assert "Форманын мөөнөтү бүттү же ал бул сайттан жөнөтүлгөн эмес" in r.text


async def test_a_decision_that_does_not_fit_is_refused_in_the_officers_language(api, tokens, sessions):
    case = await submit(api)
    n = case["case_number"]
    await wait_task(api, tokens, n, "registration", "registrar")
    before = await snapshot(sessions, n)
    url, officer = f"/api/v1/cases/{n}/decisions", {**await tokens("registrar"), **RU}
    with_data = await api.post(url, headers=officer, json={"step": "registration", "outcome": "register",
                                                           "data": {"note": "x"}})
    assert with_data.status_code == 422 and with_data.json()["code"] == "takes_no_data"
    assert with_data.json()["detail"] == "Решение «Зарегистрировать» не принимает дополнительных данных"
    unknown = await api.post(url, headers=officer, json={"step": "registration", "outcome": "approve"})
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_outcome"
    long = await api.post(url, headers=officer, json={"step": "registration", "outcome": "register", "reason": "x" * 4001})
    assert long.status_code == 422 and long.json()["detail"] == "Запрос неверен: reason: Введите не больше 4000 символов"
    assert await snapshot(sessions, n) == before


async def test_a_decision_refused_on_the_case_page_says_why_in_the_officers_language(api, tokens, sessions):
    from tests.api.test_pages import staff_client

    case = await submit(api)
    n = case["case_number"]
    await wait_task(api, tokens, n, "registration", "registrar")
    before = await snapshot(sessions, n)
    registrar = await staff_client(api, "registrar")
    await registrar.get(f"/staff/cases/{n}?lang=ru")
    long = await registrar.post(f"/staff/cases/{n}/decisions?lang=ru",
                                {"step": "registration", "outcome": "register", "reason": "я" * 4001})
    assert long.status_code == 422 and "Обоснование длиннее 4000 символов" in long.text
    assert "я" * 4001 in long.text  # kept whole in the form to shorten, never cut and recorded
    assert "Не больше 4000 символов" in long.text  # the hint said so before
    assert await snapshot(sessions, n) == before
