"""Documents through the front door: a registered asylum seeker downloads the certificate the
workflow issued; anyone checks it at /verify (page and JSON, initials only) in every state of
its life; a PDF or a QR code is checked offline; nobody downloads another case's document."""

from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from db.models import AuditEntry
from db.repositories import documents as registry
from documents.seal import open_file
from tests.api.helpers import Browser, decide, submit
from tests.conftest import DOCUMENT_SIGNER, eventually
from tests.factories import refugee_application

KEYS = DOCUMENT_SIGNER.public_keys()


async def registered(api, tokens) -> tuple[dict, str]:
    """A lodged and registered refugee case, and its asylum-seeker certificate's number."""
    case = await submit(api)
    await decide(api, tokens, case["case_number"], "registration", "register", "registrar")

    async def certificate():
        r = await api.get(f"/api/v1/cases/{case['case_number']}/status",
                          headers={"X-Access-Code": case["access_code"]})
        return next((d["number"] for d in r.json()["documents"] if d["doc_type"] == "AC"), None)
    return case, await eventually(certificate)


async def test_the_applicant_downloads_the_signed_certificate_and_anyone_verifies_it(api, tokens, sessions):
    case, number = await registered(api, tokens)
    r = await api.get(f"/api/v1/cases/{case['case_number']}/documents/{number}",
                      headers={"X-Access-Code": case["access_code"]})
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    pdf = r.content
    sealed, _ = open_file(pdf, KEYS)
    assert sealed.number == number and sealed.holder == "KARIMOVA Dilnoza" and sealed.birth_date == "1990-04-12"
    r = await api.get(f"/verify/{number}", headers={"Accept": "application/json"})
    body = r.json()
    assert r.status_code == 200 and body["state"] == "valid" and body["document_type"] == "AC"
    assert body["holder_initials"] == "D. K." and body["valid_until"]
    assert "Karimova" not in r.text and "KARIMOVA" not in r.text and "P1234567" not in r.text
    page = await api.get(f"/verify/{number}", headers={"Accept": "text/html", "Accept-Language": "ru"})
    assert "Документ действителен" in page.text and "D. K." in page.text and "KARIMOVA" not in page.text
    # Typed off the paper, in lower case with spaces: the form finds the same document.
    typed = await api.get("/verify", params={"number": " " + number.lower().replace("-", " ") + " "})
    assert typed.status_code == 303 and typed.headers["location"] == f"/verify/{number}"
    # Offline: the PDF itself, or what its QR code holds.
    r = await api.post("/verify", files={"file": ("c.pdf", pdf, "application/pdf")},
                       headers={"Accept": "application/json"})
    assert r.json()["authentic"] is True and r.json()["registry"]["state"] == "valid"
    async with sessions() as s:
        row = await registry.get(s, number)
    r = await api.post("/verify", data={"seal": f"http://testserver/verify/{number}\n{row.seal}"},
                       headers={"Accept": "application/json"})
    assert r.json()["authentic"] is True and r.json()["number"] == number


async def test_a_tampered_pdf_is_reported_altered(api, tokens):
    case, number = await registered(api, tokens)
    pdf = (await api.get(f"/api/v1/cases/{case['case_number']}/documents/{number}",
                         headers={"X-Access-Code": case["access_code"]})).content
    forged = pdf.replace(b"/Length", b"/Lzngth", 1)  # one byte of the file changed
    assert forged != pdf
    r = await api.post("/verify", files={"file": ("c.pdf", forged, "application/pdf")},
                       headers={"Accept": "application/json"})
    assert r.json() == {**r.json(), "authentic": False, "problem": "altered"}
    page = await api.post("/verify", files={"file": ("c.pdf", forged, "application/pdf")},
                          headers={"Accept": "text/html", "Accept-Language": "ky"})
    assert "Файл кол коюлгандан кийин өзгөртүлгөн" in page.text
    r = await api.post("/verify", data={"seal": ""}, headers={"Accept": "application/json"})
    assert r.status_code == 422


async def test_verify_tells_every_state_of_a_documents_life(api, tokens, sessions):
    _, number = await registered(api, tokens)

    async def state() -> dict:
        return (await api.get(f"/verify/{number}?format=json")).json()

    assert (await state())["state"] == "valid"
    now = datetime.now(timezone.utc)
    async with sessions.begin() as s:
        row = await registry.get(s, number)
        case_number = row.case_number
        await registry.set_status(s, case_number, "suspended", "suspend", now)
    assert (await state())["state"] == "suspended"
    async with sessions.begin() as s:
        await registry.set_status(s, case_number, "valid", "resume", now)
        row = await registry.get(s, number)
        row.valid_until = now - timedelta(days=1)  # its validity ran out without a workflow's word
    assert (await state())["state"] == "expired"
    async with sessions.begin() as s:
        row = await registry.get(s, number)
        row.valid_until = now + timedelta(days=30)
        await registry.set_status(s, case_number, "revoked", "withdrawn", now)
    body = await state()
    assert body["state"] == "revoked" and body["ground"] == "withdrawn" and body["changed_on"]
    page = await api.get(f"/verify/{number}", headers={"Accept": "text/html", "Accept-Language": "ky"})
    assert "Документ жокко чыгарылган" in page.text and "Арыз кайтарылып алынды" in page.text
    async with sessions.begin() as s:
        row = await registry.get(s, number)
        row.replaced_by = "RC-GB-2026-999999"
    body = await state()
    assert body["state"] == "replaced" and body["replaced_by"] == "RC-GB-2026-999999"
    unknown = (await api.get("/verify/AC-GB-1999-000001?format=json")).json()
    assert unknown == {**unknown, "state": "unknown", "holder_initials": "", "document_type": ""}
    assert (await api.get("/verify/keys")).json()["keys"]


async def test_nobody_downloads_another_cases_document(api, tokens):
    mine, _ = await registered(api, tokens)
    theirs, their_number = await registered(api, tokens)
    r = await api.get(f"/api/v1/cases/{mine['case_number']}/documents/{their_number}",
                      headers={"X-Access-Code": mine["access_code"]})
    assert r.status_code == 404
    r = await api.get(f"/api/v1/cases/{theirs['case_number']}/documents/{their_number}",
                      headers={"X-Access-Code": mine["access_code"]})
    assert r.status_code == 404
    assert (await api.get(f"/api/v1/cases/{theirs['case_number']}/documents/{their_number}")).status_code == 401
    r = await api.get(f"/api/v1/cases/{theirs['case_number']}/documents/{their_number}", headers=await tokens("admin"))
    assert r.status_code == 403  # admins manage accounts, not cases


async def test_staff_and_the_applicants_page_download_and_each_download_is_audited(api, tokens, sessions):
    case, number = await registered(api, tokens)
    r = await api.get(f"/api/v1/cases/{case['case_number']}/documents/{number}", headers=await tokens("registrar"))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    browser = Browser(api)
    await browser.get("/")
    await browser.post("/status", {"case_number": case["case_number"], "access_code": case["access_code"]})
    page = await browser.get("/status")
    assert f"/status/documents/{number}" in page.text and f"/verify/{number}" in page.text
    pdf = await browser.get(f"/status/documents/{number}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    async with sessions() as s:
        downloads = (await s.scalars(select(AuditEntry).where(AuditEntry.case_number == case["case_number"],
                                                              AuditEntry.action == "document_downloaded"))).all()
    assert sorted(e.actor for e in downloads) == ["applicant", "registrar"]
    assert all(e.detail["document"] == number and e.detail["sha256"] for e in downloads)


def test_factories_hold_the_name_the_assertions_use():
    assert refugee_application()["applicant"]["family_name"] == "Karimova"


async def test_the_verification_pages_speak_kyrgyz_and_russian_only(api, tokens):
    from tests.workspace.test_every_page import english_words

    case, number = await registered(api, tokens)
    pdf = (await api.get(f"/api/v1/cases/{case['case_number']}/documents/{number}",
                         headers={"X-Access-Code": case["access_code"]})).content
    for lang in ("ky", "ru"):
        pages = [await api.get(f"/verify?lang={lang}", headers={"Accept": "text/html"}),
                 await api.get(f"/verify/{number}?lang={lang}", headers={"Accept": "text/html"}),
                 await api.get(f"/verify/AC-GB-1999-000009?lang={lang}", headers={"Accept": "text/html"}),
                 await api.post("/verify", files={"file": ("c.pdf", pdf, "application/pdf")},
                                headers={"Accept": "text/html", "Accept-Language": lang}),
                 await api.post("/verify", data={"seal": "ARYZ1.x.y.z"},
                                headers={"Accept": "text/html", "Accept-Language": lang})]
        for page in pages:
            assert page.status_code == 200 and f'lang="{lang}"' in page.text
            assert not english_words(page.text, set()), (lang, str(page.url), english_words(page.text, set()))


async def test_a_number_no_document_could_have_is_unknown_or_not_found_and_changes_nothing(api, tokens, sessions):
    from tests.api.helpers import snapshot

    case, number = await registered(api, tokens)
    before = await snapshot(sessions, case["case_number"])
    for bad in ("AB%00C", "%F0%9F%98%80", "A" * 41, "AC%20GB%201", "-X"):  # lower case is read upper
        r = await api.get(f"/verify/{bad}?format=json")
        if bad == "AB%00C":  # a NUL in a path part is not found on every route (api/deps.py)
            assert r.status_code == 404, r.text
        else:
            assert r.status_code in (200, 422) and (r.status_code == 422 or r.json()["state"] == "unknown"), (bad, r.text)
        r = await api.get(f"/api/v1/cases/{case['case_number']}/documents/{bad}",
                          headers={"X-Access-Code": case["access_code"]})
        assert r.status_code in (404, 422), (bad, r.status_code)
    browser = Browser(api)
    await browser.get("/")
    await browser.post("/status", {"case_number": case["case_number"], "access_code": case["access_code"]})
    assert (await browser.get("/status/documents/A%00B")).status_code == 404
    assert await snapshot(sessions, case["case_number"]) == before


async def test_a_check_sent_with_nothing_or_too_much_is_told_beside_the_form(api):
    """A person who presses Check with no file and no code, or a seal too long for any QR code,
    stays on the form and reads why in their language; a program gets JSON with the code."""
    empty = await api.post("/verify?lang=ky", data={"seal": "  "}, headers={"Accept": "text/html"})
    assert empty.status_code == 422 and 'id="error-summary"' in empty.text and 'action="/verify"' in empty.text
    assert "Документтин PDF файлын же анын QR-кодундагы маалыматты жөнөтүңүз" in empty.text
    machine = await api.post("/verify", data={"seal": ""}, headers={"Accept": "application/json"})
    assert machine.status_code == 422 and machine.json()["code"] == "nothing_to_verify"
    long = await api.post("/verify?lang=ru", data={"seal": "A" * 2001}, headers={"Accept": "text/html"})
    assert long.status_code == 422 and long.headers["content-type"].startswith("text/html")
    assert "Запрос неверен: seal: Введите не больше 2000 символов" in long.text
