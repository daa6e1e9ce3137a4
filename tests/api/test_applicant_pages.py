"""The applicant acts from the status page: documents, withdrawal (confirmed), appeal, bank account."""

import uuid

from tests.api.helpers import Browser, decide, statements_sent, submit, to_conclusion, wait_task
from tests.api.test_repatriation import claim
from tests.conftest import eventually

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def open_case(api, case: dict, lang: str = "en") -> Browser:
    visitor = Browser(api)
    await visitor.get(f"/?lang={lang}")
    r = await visitor.post("/status", {"case_number": case["case_number"], "access_code": case["access_code"]})
    assert r.status_code == 303 and "aryz_case" in visitor.cookies, r.text
    return visitor


async def state_of(api, case: dict) -> str:
    r = await api.get(f"/api/v1/cases/{case['case_number']}/status", headers={"X-Access-Code": case["access_code"]})
    return r.json()["state"]


async def test_only_the_forms_the_case_allows_and_signing_out_of_the_case(api, tokens):
    case = await submit(api)
    await wait_task(api, tokens, case["case_number"], "registration", "registrar")
    visitor = await open_case(api, case, "ky")
    with statements_sent(api) as sent:
        page = (await visitor.get("/status")).text
    # The page only reads: no transaction is begun and rolled back around its statements.
    assert sent and all(outside for _, outside in sent) and {kind for kind, _ in sent} == {"SELECT"}, sent
    assert 'id="withdraw-link"' in page
    assert 'id="appeal"' not in page and 'id="bank-account"' not in page and 'id="provide-documents"' not in page
    assert case["access_code"] not in page
    assert (await visitor.post("/status/sign-out", {})).status_code == 303
    assert "aryz_case" not in visitor.cookies
    gone = await visitor.get("/status")
    assert gone.status_code == 303 and gone.headers["location"] == "/?ended=1"
    forged = Browser(api)
    forged.cookies["aryz_case"] = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJSRUYtMjAyNi0wMDAwMDEifQ.x"
    assert (await forged.get("/status")).status_code == 303
    no_token = await (await open_case(api, case)).post("/status/withdraw", {"confirm": "yes"}, with_token=False)
    assert no_token.status_code == 403


async def test_documents_are_sent_from_the_page_and_a_wrong_file_keeps_the_note(api, tokens):
    case = await submit(api)
    n = case["case_number"]
    await decide(api, tokens, n, "registration", "request_documents", "registrar", data={"documents": ["passport copy"]})
    visitor = await open_case(api, case, "ru")

    async def asked():
        page = (await visitor.get("/status?lang=ru")).text
        return page if 'id="provide-documents"' in page else None
    page = await eventually(asked)
    assert "passport copy" in page and "Отправить запрошенные документы" in page
    wrong = await visitor.post("/status/documents?lang=ru", {"note": "страница 1"},
                               files=[("files", ("x.pdf", b"MZ\x90binary", "application/pdf"))])
    assert wrong.status_code == 415 and "Файл «x.pdf» не является файлом PDF, PNG или JPEG" in wrong.text
    assert "страница 1" in wrong.text
    assert 'href="/status?lang=en"' in wrong.text  # the language switch after a POST is a GET of the page
    assert (await visitor.get("/status?lang=en")).status_code == 200
    sent = await visitor.post("/status/documents", {"note": "page 1"},
                              files=[("files", ("passport.pdf", PDF, "application/pdf"))])
    assert sent.status_code == 303 and sent.headers["location"] == "/status?done=documents"
    assert "Документы получены" in (await visitor.get("/status?done=documents&lang=ru")).text
    await wait_task(api, tokens, n, "registration", "registrar")
    detail = (await api.get(f"/api/v1/cases/{n}", headers=await tokens("registrar"))).json()
    assert [f["filename"] for f in detail["files"]] == ["passport.pdf"]


async def test_a_withdrawal_needs_its_confirmation(api, tokens):
    case = await submit(api)
    await wait_task(api, tokens, case["case_number"], "registration", "registrar")
    visitor = await open_case(api, case, "ky")
    confirm = await visitor.get("/status/withdraw?lang=ky")
    assert confirm.status_code == 200 and "кайра ачууга болбойт" in confirm.text
    unconfirmed = await visitor.post("/status/withdraw?lang=ky", {"reason": "Мен өлкөдөн кетем"})
    assert unconfirmed.status_code == 422 and "Мен өлкөдөн кетем" in unconfirmed.text
    done = await visitor.post("/status/withdraw", {"reason": "Мен өлкөдөн кетем", "confirm": "yes"})
    assert done.status_code == 303 and done.headers["location"] == "/status?done=withdrawn"

    async def withdrawn():
        return await state_of(api, case) == "WITHDRAWN"
    await eventually(withdrawn)
    assert 'id="withdraw-link"' not in (await visitor.get("/status")).text
    again = await visitor.post("/status/withdraw", {"confirm": "yes"})
    assert again.status_code == 409 and "мындан ары кайтарып алууга болбойт" in again.text


async def test_an_appeal_is_lodged_from_the_page_within_its_window(api, tokens):
    case = await submit(api)
    n = case["case_number"]
    await to_conclusion(api, tokens, n)
    await decide(api, tokens, n, "conclusion", "recommend_rejection", "case_officer", "Not credible.", {"ground": "not_credible"})
    await decide(api, tokens, n, "decision", "reject", "supervisor", "Inconsistent dates.", {"ground": "not_credible"})
    visitor = await open_case(api, case, "ru")
    page = (await visitor.get("/status")).text
    assert 'id="appeal"' in page and "Последний день для жалобы" in page
    short = await visitor.post("/status/appeal?lang=ru", {"grounds": "нет"})
    assert short.status_code == 422 and "не менее 10 знаков" in short.text
    lodged = await visitor.post("/status/appeal", {"grounds": "Даты перепутал переводчик на собеседовании."})
    assert lodged.status_code == 303 and lodged.headers["location"] == "/status?done=appealed"

    async def in_appeal():
        return await state_of(api, case) == "IN_APPEAL"
    await eventually(in_appeal)


async def test_a_family_corrects_the_bank_account_after_a_failed_transfer(api, tokens):
    r = await api.post("/api/v1/applications/repatriation", json=claim(), headers={"Idempotency-Key": str(uuid.uuid4())})
    case = r.json()
    n = case["case_number"]
    await decide(api, tokens, n, "document_check", "documents_ok", "registrar")
    await decide(api, tokens, n, "approval", "approve", "finance_officer")
    await decide(api, tokens, n, "payment", "payment_failed", "finance_officer", "Account not found",
                 {"problem": "account_not_found"})
    visitor = await open_case(api, case, "ru")
    page = (await visitor.get("/status")).text
    assert 'id="bank-account"' in page and 'id="withdraw-link"' not in page
    typed = {"holder": "Асанова Гульнара", "bank": "KICB", "bic": "not a bic", "account": "1280 0000 0000 0042"}
    bad = await visitor.post("/status/bank-account?lang=ru", typed)
    assert bad.status_code == 422 and 'href="#field-bic"' in bad.text and 'aria-invalid="true"' in bad.text
    assert "Асанова Гульнара" in bad.text  # what the family typed is kept
    good = await visitor.post("/status/bank-account", {**typed, "bic": "kicbkg22"})
    assert good.status_code == 303 and good.headers["location"] == "/status?done=bank_account"

    async def ordered_again():
        return await state_of(api, case) == "PAYMENT_ORDERED"
    await eventually(ordered_again)


async def test_the_public_pages_have_no_english_interface_words_in_kyrgyz_and_russian(api, tokens):
    import re

    from tests.workspace.test_every_page import english_words

    case = await submit(api)
    n = case["case_number"]
    await wait_task(api, tokens, n, "registration", "registrar")
    await decide(api, tokens, n, "registration", "register", "registrar")  # a note with a document and a day
    await wait_task(api, tokens, n, "interview", "case_officer")
    visitor = await open_case(api, case)
    for lang, issued in (("ky", "чейин жарактуу"), ("ru", "действителен до")):
        for path in ("/", "/status", "/status/withdraw"):
            page = (await visitor.get(f"{path}?lang={lang}")).text
            names = {w.lower() for w in re.findall(r"[A-Za-z]{5,}", " ".join(re.findall(r"<dd>([^<]*)</dd>", page)))}
            assert not english_words(page, names), (lang, path, english_words(page, names))
            if path == "/status":  # the timeline's notes, rendered in the page's language when read
                assert issued in page and "AC-GB-" in page, page


async def test_every_footer_page_opens_in_each_language_with_no_english_in_kyrgyz_or_russian(api):
    from tests.workspace.test_every_page import english_words

    for lang, heading in (("ky", "Жардам"), ("ru", "Помощь"), ("en", "Help")):
        home = await api.get(f"/?lang={lang}", headers={"Accept": "text/html"})
        for path in ("/help", "/privacy", "/accessibility", "/verify"):
            assert f'href="{path}"' in home.text  # the footer of every page
            page = await api.get(f"{path}?lang={lang}", headers={"Accept": "text/html"})
            assert page.status_code == 200 and f'lang="{lang}"' in page.text
            if lang != "en":
                assert not english_words(page.text, set()), (path, lang, english_words(page.text, set()))
        assert heading in (await api.get(f"/help?lang={lang}")).text
