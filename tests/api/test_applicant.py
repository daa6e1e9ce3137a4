"""Applicants: status with the access code, documents, withdrawal, appeal."""

from tests.api.helpers import decide, heard_all, snapshot, statements_sent, submit, wait_task
from tests.conftest import eventually

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def status(api, case: dict, code: str | None = None):
    return await api.get(f"/api/v1/cases/{case['case_number']}/status",
                         headers={"X-Access-Code": code if code is not None else case["access_code"]})


async def test_status_shows_state_awaited_party_deadline_and_timeline(api, tokens):
    case = await submit(api)
    await wait_task(api, tokens, case["case_number"], "registration", "registrar")
    r = await status(api, case)
    assert r.status_code == 200
    body = r.json()
    assert body["state"] == "LODGED" and body["procedure"] == "refugee"
    assert body["awaiting"] == "registrar: Register the application"
    assert body["deadline"] is not None
    assert [e["note"] for e in body["timeline"]] == ["Application lodged"]
    # The code is accepted in lower case and without dashes too.
    assert (await status(api, case, case["access_code"].lower().replace("-", ""))).status_code == 200


async def test_a_status_look_up_is_one_statement_outside_a_transaction(api, tokens):
    # Applicants' most frequent request: the case, its timeline and its documents in one round trip,
    # with no BEGIN and ROLLBACK around it (db/repositories/applicant_status.py).
    case = await submit(api)
    await wait_task(api, tokens, case["case_number"], "registration", "registrar")
    await heard_all(api._transport.app)  # the notice of the last write to the case is in: what is kept stays
    with statements_sent(api) as sent:
        r = await status(api, case)
    assert r.status_code == 200 and [e["note"] for e in r.json()["timeline"]] == ["Application lodged"]
    assert sent == [("SELECT", True)]
    # Times come back in UTC, as from every other read.
    assert r.json()["timeline"][0]["at"].endswith("Z")
    # Looked at again, unchanged: answered from what the API kept, with no statement at all, a wrong
    # code refused all the same (api/status_cache.py; tests/api/test_status_kept.py).
    with statements_sent(api) as sent:
        assert (await status(api, case)).json() == r.json()
        assert (await status(api, case, "AAAA-BBBB-CCCC")).status_code == 404
    assert sent == []


async def test_wrong_code_and_unknown_case_give_the_same_404(api):
    case = await submit(api)
    wrong = await status(api, case, "AAAA-BBBB-CCCC")
    missing = await api.get("/api/v1/cases/REF-1999-000001/status", headers={"X-Access-Code": case["access_code"]})
    no_code = await api.get(f"/api/v1/cases/{case['case_number']}/status")
    assert wrong.status_code == missing.status_code == no_code.status_code == 404
    assert wrong.json() == missing.json() == no_code.json()


async def test_documents_are_stored_and_reach_the_case(api, tokens, sessions):
    case = await submit(api)
    n = case["case_number"]
    await decide(api, tokens, n, "registration", "request_documents", "registrar",
                 data={"documents": ["copy of the passport"]})
    r = await status(api, case)
    assert r.json()["awaiting"] == "applicant: provide copy of the passport"
    assert "Please provide: copy of the passport" in [e["note"] for e in r.json()["timeline"]]
    r = await api.post(f"/api/v1/cases/{n}/documents", headers={"X-Access-Code": case["access_code"]},
                       files=[("files", ("passport.pdf", PDF, "application/pdf"))], data={"note": "page 1"})
    assert r.status_code == 202, r.text
    await wait_task(api, tokens, n, "registration", "registrar")
    detail = (await api.get(f"/api/v1/cases/{n}", headers=await tokens("registrar"))).json()
    assert [f["filename"] for f in detail["files"]] == ["passport.pdf"]
    assert any(t["event"] == "documents_provided" for t in detail["transitions"])


async def test_bad_uploads_are_refused_and_store_nothing(api, tokens, sessions):
    case = await submit(api)
    n, h = case["case_number"], {"X-Access-Code": case["access_code"]}
    await wait_task(api, tokens, n, "registration", "registrar")
    before = await snapshot(sessions, n)
    exe = await api.post(f"/api/v1/cases/{n}/documents", headers=h,
                         files=[("files", ("x.pdf", b"MZ\x90\x00binary", "application/pdf"))])
    empty = await api.post(f"/api/v1/cases/{n}/documents", headers=h, files=[("files", ("e.pdf", b"", "application/pdf"))])
    none = await api.post(f"/api/v1/cases/{n}/documents", headers=h, data={"note": "nothing attached"})
    wrong_code = await api.post(f"/api/v1/cases/{n}/documents", headers={"X-Access-Code": "nope"},
                                files=[("files", ("p.pdf", PDF, "application/pdf"))])
    assert exe.status_code == 415 and "PDF, PNG and JPEG" in exe.json()["detail"]
    assert empty.status_code == 422 and "empty" in empty.json()["detail"]
    assert none.status_code == 422 and "at least one file" in none.json()["detail"]
    assert wrong_code.status_code == 404
    assert await snapshot(sessions, n) == before


async def test_withdrawal_closes_the_case_and_cannot_be_repeated(api, tokens):
    case = await submit(api)
    n, h = case["case_number"], {"X-Access-Code": case["access_code"]}
    await wait_task(api, tokens, n, "registration", "registrar")
    r = await api.post(f"/api/v1/cases/{n}/withdraw", headers=h, json={"reason": "I am leaving the country"})
    assert r.status_code == 202

    async def withdrawn():
        return (await status(api, case)).json()["state"] == "WITHDRAWN"
    await eventually(withdrawn)
    again = await api.post(f"/api/v1/cases/{n}/withdraw", headers=h, json={})
    assert again.status_code == 409 and "no longer be withdrawn" in again.json()["detail"]
    tasks = (await api.get("/api/v1/tasks", params={"case": n}, headers=await tokens("registrar"))).json()
    assert n not in {t["case_number"] for t in tasks}


async def test_appeal_outside_the_window_is_a_409(api, tokens):
    case = await submit(api)
    r = await api.post(f"/api/v1/cases/{case['case_number']}/appeal", headers={"X-Access-Code": case["access_code"]},
                       json={"grounds": "I disagree with the decision entirely."})
    assert r.status_code == 409 and "appeal" in r.json()["detail"]
    short = await api.post(f"/api/v1/cases/{case['case_number']}/appeal",
                           headers={"X-Access-Code": case["access_code"]}, json={"grounds": "no"})
    assert short.status_code == 422
