"""Staff: sign-in, roles, inbox, claims, decisions through Updates, extensions, search, audit of views."""

import uuid
from datetime import datetime, timedelta, timezone

import jwt
from sqlalchemy import select

from db.models import AuditEntry
from tests.api.helpers import decide, snapshot, submit, wait_task
from tests.conftest import PASSWORD, SECRET


async def test_sign_in_with_a_wrong_password_is_a_401(api):
    r = await api.post("/api/v1/auth/token", data={"username": "registrar", "password": "wrong"})
    unknown = await api.post("/api/v1/auth/token", data={"username": "nobody", "password": PASSWORD})
    assert r.status_code == unknown.status_code == 401
    assert r.json() == unknown.json() == {"detail": "incorrect username or password", "code": "bad_login"}


async def test_missing_invalid_and_expired_tokens_are_401s(api):
    none = await api.get("/api/v1/tasks")
    garbage = await api.get("/api/v1/tasks", headers={"Authorization": "Bearer not-a-token"})
    past = datetime.now(timezone.utc) - timedelta(hours=1)
    expired_token = jwt.encode({"sub": "registrar", "iat": past, "jti": "j1", "exp": past + timedelta(minutes=5)},
                               SECRET, "HS256")
    expired = await api.get("/api/v1/tasks", headers={"Authorization": f"Bearer {expired_token}"})
    assert none.status_code == garbage.status_code == expired.status_code == 401
    assert "expired" in expired.json()["detail"]
    assert "bearer token" in none.json()["detail"]


async def test_roles_are_enforced_on_every_staff_route(api, tokens):
    case = await submit(api)
    n = case["case_number"]
    admin, auditor = await tokens("admin"), await tokens("auditor")
    assert (await api.get("/api/v1/tasks", headers=admin)).status_code == 403
    assert (await api.get(f"/api/v1/cases/{n}", headers=admin)).status_code == 403
    assert (await api.get("/api/v1/cases", headers=admin)).status_code == 403
    r = await api.post(f"/api/v1/cases/{n}/decisions", headers=auditor, json={"step": "registration", "outcome": "register"})
    assert r.status_code == 403
    r = await api.get("/api/v1/tasks?role=supervisor", headers=await tokens("registrar"))
    assert r.status_code == 403 and "supervisor" in r.json()["detail"]


async def test_inbox_lists_open_tasks_with_outcomes_and_data_schema(api, tokens):
    case = await submit(api)
    task = await wait_task(api, tokens, case["case_number"], "registration", "registrar")
    assert task["role"] == "registrar" and task["procedure"] == "refugee" and task["due"]
    assert set(task["outcomes"]) == {"register", "refuse_registration", "request_documents"}
    assert task["data_schema"]["refuse_registration"]["required"] == ["ground"]
    mine = (await api.get("/api/v1/tasks", params={"mine": "true", "case": case["case_number"]},
                          headers=await tokens("registrar"))).json()
    assert task["task_id"] not in {t["task_id"] for t in mine}
    others = (await api.get("/api/v1/tasks", params={"case": case["case_number"]},
                            headers=await tokens("case_officer"))).json()
    assert case["case_number"] not in {t["case_number"] for t in others}


async def test_a_task_is_claimed_by_one_person(api, tokens):
    case = await submit(api)
    task = await wait_task(api, tokens, case["case_number"], "registration", "registrar")
    url = f"/api/v1/tasks/{task['task_id']}/claim"
    r = await api.post(url, headers=await tokens("registrar"))
    assert r.status_code == 200 and r.json()["claimed_by"] == "registrar"
    assert (await api.post(url, headers=await tokens("registrar"))).status_code == 200  # claiming again is fine
    taken = await api.post(url, headers=await tokens("registrar2"))
    assert taken.status_code == 409 and "registrar" in taken.json()["detail"]
    wrong_role = await api.post(url, headers=await tokens("case_officer"))
    assert wrong_role.status_code == 403
    assert (await api.post("/api/v1/tasks/REF-0:1:x/claim", headers=await tokens("registrar"))).status_code == 404
    mine = (await api.get("/api/v1/tasks", params={"mine": "true", "case": case["case_number"]},
                          headers=await tokens("registrar"))).json()
    assert task["task_id"] in {t["task_id"] for t in mine}


async def test_decisions_rejected_by_the_validator_map_to_409_403_422_and_change_nothing(api, tokens, sessions):
    case = await submit(api)
    n = case["case_number"]
    await wait_task(api, tokens, n, "registration", "registrar")
    before = await snapshot(sessions, n)
    url = f"/api/v1/cases/{n}/decisions"

    async def post(user, body):
        return await api.post(url, headers=await tokens(user), json=body)

    not_open = await post("supervisor", {"step": "decision", "outcome": "recognise", "reason": "x"})
    wrong_role = await post("case_officer", {"step": "registration", "outcome": "register"})
    no_reason = await post("registrar", {"step": "registration", "outcome": "refuse_registration",
                                         "data": {"ground": "serious_crime_conviction_in_kr"}})
    bad_data = await post("registrar", {"step": "registration", "outcome": "refuse_registration", "reason": "r",
                                        "data": {"ground": "dislike"}})
    bad_outcome = await post("registrar", {"step": "registration", "outcome": "approve"})
    bad_body = await post("registrar", {"step": "registration"})
    assert not_open.status_code == 409 and "not open" in not_open.json()["detail"]
    assert wrong_role.status_code == 403 and "registrar" in wrong_role.json()["detail"]
    assert no_reason.status_code == 422 and "needs a reason" in no_reason.json()["detail"]
    assert bad_data.status_code == 422 and "ground" in bad_data.json()["detail"]
    assert bad_outcome.status_code == 422 and "allowed: register" in bad_outcome.json()["detail"]
    assert bad_body.status_code == 422 and "outcome" in bad_body.json()["detail"]
    unknown = await api.post("/api/v1/cases/REF-1999-999999/decisions", headers=await tokens("registrar"),
                             json={"step": "registration", "outcome": "register"})
    assert unknown.status_code == 404
    assert await snapshot(sessions, n) == before
    history = await api.get(f"/api/v1/cases/{n}", headers=await tokens("registrar"))
    assert [t["event"] for t in history.json()["transitions"]] == ["lodged", "task_opened"]


async def test_an_idempotency_key_reused_for_another_decision_is_refused_and_nothing_of_it_is_taken(
        api, tokens, sessions):
    n = (await submit(api))["case_number"]
    await wait_task(api, tokens, n, "registration", "regsup")
    url, key = f"/api/v1/cases/{n}/decisions", str(uuid.uuid4())
    headers = {**await tokens("regsup"), "Idempotency-Key": key, "Accept-Language": "ru"}
    refusal = {"step": "registration", "outcome": "refuse_registration", "reason": "Refused before, nothing new.",
               "data": {"ground": "earlier_refusal_without_new_circumstances"}}
    first = await api.post(url, headers=headers, json=refusal)
    assert first.status_code == 200, first.text
    again = await api.post(url, headers=headers, json=refusal)  # a retry: the same answer, taken once
    assert again.status_code == 200 and again.json() == first.json()
    before = await snapshot(sessions, n)
    other = await api.post(url, headers=headers, json={"step": "registration_refusal_signoff",
                                                       "outcome": "return_for_registration"})
    assert other.status_code == 422 and other.json()["code"] == "decision_key_reused"
    assert "ключ идемпотентности" in other.json()["detail"] and "другого решения" in other.json()["detail"]
    assert await snapshot(sessions, n) == before
    history = await api.get(f"/api/v1/cases/{n}", headers=await tokens("registrar"))
    assert [t["event"] for t in history.json()["transitions"]].count("decided") == 1


async def test_four_eyes_on_the_refusal_to_register(api, tokens, sessions):
    case = await submit(api)
    n = case["case_number"]
    await decide(api, tokens, n, "registration", "refuse_registration", "regsup", "Refused before, nothing new.",
                 {"ground": "earlier_refusal_without_new_circumstances"})
    await wait_task(api, tokens, n, "registration_refusal_signoff", "supervisor")
    r = await api.post(f"/api/v1/cases/{n}/decisions", headers=await tokens("regsup"),
                       json={"step": "registration_refusal_signoff", "outcome": "confirm_refusal"})
    assert r.status_code == 403 and "four eyes" in r.json()["detail"]
    async with sessions() as s:  # the attempt is on the record, with who tried and why it was refused
        refused = await s.scalar(select(AuditEntry).where(AuditEntry.case_number == n,
                                                          AuditEntry.action == "access_refused"))
    assert refused.actor == "regsup" and "four eyes" in refused.detail["reason"]
    done = await decide(api, tokens, n, "registration_refusal_signoff", "confirm_refusal", "supervisor")
    assert done["state"] == "REGISTRATION_REFUSED"
    closed = await api.post(f"/api/v1/cases/{n}/decisions", headers=await tokens("registrar"),
                            json={"step": "registration", "outcome": "register"})
    assert closed.status_code == 409 and "closed" in closed.json()["detail"]


async def test_extension_needs_a_supervisor_and_valid_input(api, tokens):
    case = await submit(api)
    n = case["case_number"]
    await decide(api, tokens, n, "registration", "register", "registrar")
    task = await wait_task(api, tokens, n, "interview", "case_officer")
    until = (datetime.fromisoformat(task["due"]) + timedelta(days=40)).date().isoformat()
    url = f"/api/v1/cases/{n}/deadline-extensions"
    by_officer = await api.post(url, headers=await tokens("case_officer"), json={"until": until, "reason": "x"})
    bad_date = await api.post(url, headers=await tokens("supervisor"), json={"until": "next week", "reason": "x"})
    no_reason = await api.post(url, headers=await tokens("supervisor"), json={"until": until})
    no_clock = await api.post(url, headers=await tokens("supervisor"),
                              json={"clock": "registration", "until": until, "reason": "x"})
    assert by_officer.status_code == 403
    assert bad_date.status_code == 422 and no_reason.status_code == 422
    assert no_clock.status_code == 409 and "no running deadline" in no_clock.json()["detail"]
    ok = await api.post(url, headers=await tokens("supervisor"), json={"until": until, "reason": "Security check"})
    assert ok.status_code == 200, ok.text
    task = await wait_task(api, tokens, n, "interview", "case_officer")
    assert datetime.fromisoformat(task["due"]) == datetime.fromisoformat(ok.json()["due_at"])
    again = await api.post(url, headers=await tokens("supervisor"), json={"until": until, "reason": "More"})
    assert again.status_code == 409 and "already extended" in again.json()["detail"]


async def test_search_and_case_views_are_audited(api, tokens, sessions):
    case = await submit(api)
    n = case["case_number"]
    officer = await tokens("case_officer")
    page = (await api.post("/api/v1/cases/search", json={"q": n}, headers=officer)).json()
    assert [c["case_number"] for c in page["items"]] == [n] and page["items"][0]["applicant_name"].startswith("Karimova")
    by_name = (await api.post("/api/v1/cases/search", json={"q": "karimova", "procedure": "refugee"}, headers=officer)).json()
    assert by_name["total"] >= 1
    # Terms in the address are refused (a name would stay in logs), in the reader's language.
    addressed = await api.get("/api/v1/cases?q=karimova&procedure=refugee", headers={**officer, "Accept-Language": "ru"})
    assert addressed.status_code == 422 and addressed.json()["code"] == "terms_in_body"
    assert "POST /api/v1/cases/search" in addressed.json()["detail"] and "журналах" in addressed.json()["detail"]
    assert (await api.get("/api/v1/cases?procedure=refugee", headers=officer)).status_code == 200
    assert (await api.post("/api/v1/cases/search", json={"q": "x", "sort": "name"}, headers=officer)).status_code == 422
    assert (await api.post("/api/v1/cases/search", json={"q": "x", "region": "ZZ"}, headers=officer)).status_code == 422
    assert (await api.get("/api/v1/cases?procedure=nope", headers=await tokens("case_officer"))).status_code == 422
    assert (await api.get("/api/v1/cases?page=0", headers=await tokens("case_officer"))).status_code == 422
    detail = await api.get(f"/api/v1/cases/{n}", headers=await tokens("auditor"))
    assert detail.status_code == 200 and detail.json()["application"]["applicant"]["family_name"] == "Karimova"
    async with sessions() as s:
        views = list(await s.scalars(select(AuditEntry).where(AuditEntry.case_number == n,
                                                              AuditEntry.action == "case_viewed")))
        searches = list(await s.scalars(select(AuditEntry).where(AuditEntry.action == "cases_searched",
                                                                 AuditEntry.actor == "case_officer")))
    assert [v.actor for v in views] == ["auditor"]
    assert any(n in s.detail["shown"] for s in searches)
    assert (await api.get("/api/v1/cases/REF-1999-000009", headers=await tokens("auditor"))).status_code == 404


async def test_ops_endpoints(api):
    assert (await api.get("/healthz")).json() == {"ok": True}
    ready = await api.get("/readyz")
    assert ready.status_code == 200 and ready.json()["database"] == ready.json()["temporal"] == "ok"
    metrics = (await api.get("/metrics")).text
    assert 'aryz_cases{procedure="refugee"' in metrics
