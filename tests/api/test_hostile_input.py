"""Input that PostgreSQL cannot store or that tries the edges: always a clear 4xx, never a 500."""

import uuid

from tests.api.helpers import snapshot, submit, wait_task
from tests.factories import refugee_application

NUL = "\x00"


async def test_nul_characters_are_refused_everywhere(api, tokens, sessions):
    before = await snapshot(sessions)
    r = await api.post("/api/v1/applications/refugee", json=refugee_application(grounds=f"Persecuted {NUL} badly"),
                       headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 422 and "NUL" in r.json()["detail"]
    assert await snapshot(sessions) == before

    case = await submit(api)
    n, h = case["case_number"], {"X-Access-Code": case["access_code"]}
    await wait_task(api, tokens, n, "registration", "registrar")
    staff = await tokens("registrar")
    assert (await api.get("/api/v1/cases/REF-2026-00%00001/status", headers=h)).status_code == 404
    assert (await api.get("/api/v1/cases/REF%00", headers=staff)).status_code == 404
    assert (await api.post("/api/v1/cases/search", json={"q": f"ab{NUL}c"}, headers=staff)).status_code == 422
    assert (await api.post("/api/v1/tasks/x%00y/claim", headers=staff)).status_code == 404
    assert (await api.post("/api/v1/auth/token", data={"username": f"reg{NUL}", "password": "x"})).status_code == 401
    decision = await api.post(f"/api/v1/cases/{n}/decisions", headers=staff,
                              json={"step": "registration", "outcome": "register", "reason": f"ok{NUL}"})
    assert decision.status_code == 422
    data = await api.post(f"/api/v1/cases/{n}/decisions", headers=staff,
                          json={"step": "registration", "outcome": "request_documents",
                                "data": {"documents": [f"pass{NUL}port"]}})
    assert data.status_code == 422
    withdraw = await api.post(f"/api/v1/cases/{n}/withdraw", headers=h, json={"reason": NUL})
    assert withdraw.status_code == 422
    upload = await api.post(f"/api/v1/cases/{n}/documents", headers=h, data={"note": f"a{NUL}"},
                            files=[("files", (f"evil{NUL}.pdf", b"%PDF-1.4 x", "application/pdf"))])
    assert upload.status_code == 422


async def test_an_uploaded_file_name_cannot_carry_a_path(api, tokens):
    case = await submit(api)
    n, h = case["case_number"], {"X-Access-Code": case["access_code"]}
    await wait_task(api, tokens, n, "registration", "registrar")
    r = await api.post(f"/api/v1/cases/{n}/documents", headers=h,
                       files=[("files", ("../../etc/passwd.pdf", b"%PDF-1.4 y", "application/pdf"))])
    assert r.status_code == 202
    detail = (await api.get(f"/api/v1/cases/{n}", headers=await tokens("registrar"))).json()
    assert [f["filename"] for f in detail["files"]] == ["passwd.pdf"]


async def test_wrong_content_types_and_methods_are_4xx(api, tokens):
    r = await api.post("/api/v1/applications/refugee", content=b"applicant=x",
                       headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 422
    assert (await api.put("/api/v1/applications/refugee", json={})).status_code == 405
    staff = await tokens("registrar")
    assert (await api.post("/api/v1/cases/REF-2026-000001/decisions", headers=staff, content=b"[1,2]",
                           )).status_code == 422


async def test_the_new_inputs_refuse_what_does_not_fit(api, tokens, sessions):
    """Decision outcome look-ups, the inbox's case filter, keys and sign-out: a clear 4xx, no change."""
    case = await submit(api)
    n = case["case_number"]
    staff = await tokens("registrar")
    await wait_task(api, tokens, n, "registration", "registrar")  # the case has settled
    before = await snapshot(sessions, n)
    for bad in ("x", "key:ZZ", "key:" + "0" * 80, "auto:%00"):
        r = await api.get(f"/api/v1/cases/{n}/decisions/{bad}", headers=staff)
        assert r.status_code in (404, 422), (bad, r.status_code)
    assert (await api.get("/api/v1/tasks", params={"case": "REF%00"}, headers=staff)).status_code == 422
    assert (await api.get("/api/v1/tasks", params={"case": "ref-2026-1"}, headers=staff)).status_code == 422
    assert (await api.get("/api/v1/tasks", params={"page": 0}, headers=staff)).status_code == 422
    long_key = {"Idempotency-Key": "k" * 101, **staff}
    r = await api.post(f"/api/v1/cases/{n}/decisions", headers=long_key, json={"step": "registration",
                                                                               "outcome": "register"})
    assert r.status_code == 422
    assert (await api.post("/api/v1/auth/revoke")).status_code == 401
    assert await snapshot(sessions, n) == before
