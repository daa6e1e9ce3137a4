"""Decision data is checked against reality: what is recorded as done must have happened."""

from datetime import date, datetime, timedelta, timezone

from tests.api.helpers import decide, snapshot, submit, wait_task
from tests.factories import kairylman_application


async def test_an_interview_held_tomorrow_or_an_incomplete_verification_is_refused(api, tokens, sessions):
    case = await submit(api)
    n = case["case_number"]
    await decide(api, tokens, n, "registration", "register", "registrar")
    await wait_task(api, tokens, n, "interview", "case_officer")
    before = await snapshot(sessions, n)
    tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()
    r = await api.post(f"/api/v1/cases/{n}/decisions", headers=await tokens("case_officer"),
                       json={"step": "interview", "outcome": "record_interview",
                             "data": {"held_at": tomorrow, "summary": "Not yet held."}})
    assert r.status_code == 422 and r.json()["code"] == "in_the_future" and "future" in r.json()["detail"]
    assert await snapshot(sessions, n) == before
    # In the officer's language, the field named as the form names it (it once came in English).
    told = await api.post(f"/api/v1/cases/{n}/decisions", headers={**await tokens("case_officer"), "Accept-Language": "ru"},
                          json={"step": "interview", "outcome": "record_interview",
                                "data": {"held_at": tomorrow, "summary": "Not yet held."}})
    assert told.json()["detail"] == "«Время проведения» не может быть в будущем", told.json()
    await decide(api, tokens, n, "interview", "record_interview", "case_officer",
                 data={"held_at": datetime.now(timezone.utc).isoformat(), "summary": "Held."})
    r = await api.post(f"/api/v1/cases/{n}/decisions", headers=await tokens("case_officer"),
                       json={"step": "verification", "outcome": "complete_verification",
                             "data": {"identity_established": False, "security_checks_done": True}})
    assert r.status_code == 422 and "identity is established" in r.json()["detail"]
    assert r.json()["code"] == "verification_incomplete"
    told = await api.post(f"/api/v1/cases/{n}/decisions", headers={**await tokens("case_officer"), "Accept-Language": "ky"},
                          json={"step": "verification", "outcome": "complete_verification",
                                "data": {"identity_established": True, "security_checks_done": False}})
    assert told.json()["detail"].startswith("Текшерүү инсандыгы аныкталып"), told.json()


async def test_a_commission_session_in_the_future_is_refused(api, tokens):
    r = await api.post("/api/v1/applications/kairylman", json=kairylman_application())
    n = r.json()["case_number"]
    await decide(api, tokens, n, "intake", "accept_complete", "registrar")
    await decide(api, tokens, n, "case_file", "put_on_agenda", "case_officer", data={"security_checks_requested": True})
    await wait_task(api, tokens, n, "commission_decision", "commission")
    later = (date.today() + timedelta(days=7)).isoformat()
    r = await api.post(f"/api/v1/cases/{n}/decisions", headers=await tokens("commission"),
                       json={"step": "commission_decision", "outcome": "grant",
                             "data": {"session_date": later, "protocol_number": "IC-9"}})
    assert r.status_code == 422 and "session_date" in r.json()["detail"]
