"""A recognised refugee's status over HTTP: renewal continues the case in a new run, and the
auditor's timeline, replay and export still cover the whole life of the case."""

import re
from datetime import datetime, timedelta

from temporalio.client import WorkflowHistory

from tests.api.helpers import Browser, decide, submit
from tests.conftest import PASSWORD, eventually


async def recognised(api, tokens) -> dict:
    case = await submit(api)
    n = case["case_number"]
    await decide(api, tokens, n, "registration", "register", "registrar")
    at = (datetime.now().astimezone() + timedelta(days=2)).isoformat(timespec="minutes")
    await decide(api, tokens, n, "interview", "schedule_interview", "case_officer",
                 data={"interview_at": at, "place": "Бишкек, Чүй проспекти 106"})
    await decide(api, tokens, n, "interview", "record_interview", "case_officer",
                 data={"held_at": datetime.now().astimezone().isoformat(timespec="minutes"), "summary": "Consistent."})
    await decide(api, tokens, n, "verification", "complete_verification", "case_officer",
                 data={"identity_established": True, "security_checks_done": True})
    await decide(api, tokens, n, "conclusion", "recommend_recognition", "case_officer", "Well-founded fear.")
    await decide(api, tokens, n, "decision", "recognise", "supervisor", "Agreed.")
    return case


async def in_force(api, n: str, headers: dict) -> dict | None:
    status = (await api.get(f"/api/v1/cases/{n}/status", headers=headers)).json()
    return status if status["state"] == "STATUS_ACTIVE" else None


async def test_a_renewal_continues_the_case_and_the_auditor_still_sees_its_whole_life(api, tokens):
    case = await recognised(api, tokens)
    n, h = case["case_number"], {"X-Access-Code": case["access_code"]}
    await eventually(lambda: in_force(api, n, h))
    # Renewal is an action on the case (no inbox task): the registrar takes it when the refugee asks.
    # The status is recorded in force a transition before the step is opened: until then the step
    # is not open (409, nothing changes), and the registrar asks again.
    registrar = await tokens("registrar")

    async def renew():
        answer = await api.post(f"/api/v1/cases/{n}/decisions", headers=registrar,
                                json={"step": "certificate_renewal", "outcome": "renew_certificate"})
        assert answer.status_code in (200, 409), answer.text
        return [answer] if answer.status_code == 200 else None
    [renewed] = await eventually(renew)
    assert renewed.json()["state"] == "STATUS_ACTIVE", renewed.text

    async def two_certificates():
        status = (await api.get(f"/api/v1/cases/{n}/status", headers=h)).json()
        rc = [d for d in status["documents"] if d["doc_type"] == "RC" and d["holder_initials"] == "D. K."]
        # The new run has begun: its first note says until when the renewed certificate runs.
        return status if len(rc) == 2 and status["timeline"][-1]["note_key"] == "refugee_status_active_until" else None
    status = await eventually(two_certificates)
    assert status["state"] == "STATUS_ACTIVE"

    auditor = await tokens("auditor")
    timeline = (await api.get(f"/api/v1/cases/{n}/history", headers=auditor)).json()["items"]
    engine = [i for i in timeline if i["source"] == "engine"]
    assert [i["action"] for i in engine].count("case_continued") == 2  # recognition → status → renewed status
    assert {i["detail"].split(",")[0] for i in engine} == {"run 1", "run 2", "run 3"}
    assert engine[0]["action"] == "case_started" and engine[0]["detail"] == "run 1, event 1"
    replayed = (await api.post(f"/api/v1/cases/{n}/replay", headers=auditor)).json()
    assert replayed["reproduced"] is True and "all 3 runs" in replayed["detail"]
    first = await api.get(f"/api/v1/cases/{n}/history/export", params={"run": 1}, headers=auditor)
    assert first.status_code == 200 and first.headers["x-aryz-runs"] == "3"
    history = WorkflowHistory.from_json(n, first.text)
    started = history.events[0].workflow_execution_started_event_attributes
    assert started.workflow_type.name == "RefugeeRecognitionWorkflow" and not started.continued_execution_run_id
    assert (await api.get(f"/api/v1/cases/{n}/history/export", params={"run": 4}, headers=auditor)).status_code == 404


async def test_the_applicant_reads_the_status_in_their_language_and_cannot_withdraw_it(api, tokens):
    case = await recognised(api, tokens)
    n, h = case["case_number"], {"X-Access-Code": case["access_code"], "Accept-Language": "ru"}

    status = await eventually(lambda: in_force(api, n, h))
    assert status["timeline"][-1]["note"].startswith("Статус беженца действует; удостоверение до")
    # What a client shows needs no catalogue of its own: the state, who is awaited, each document's name.
    assert status["state_text"] == "Статус беженца действует"
    assert status["awaiting_text"] == "" and status["awaiting"] == ""
    assert "Удостоверение беженца" in {d["title"] for d in status["documents"]}
    refused = await api.post(f"/api/v1/cases/{n}/withdraw", headers=h, json={"reason": "x"})
    assert refused.status_code == 409


async def test_the_status_page_names_the_family_certificates_in_kyrgyz_and_russian(api, tokens):
    import re

    from tests.api.test_applicant_pages import open_case
    from tests.workspace.test_every_page import english_words

    case = await recognised(api, tokens)
    n = case["case_number"]
    await eventually(lambda: in_force(api, n, {"X-Access-Code": case["access_code"]}))
    visitor = await open_case(api, case)
    for lang, state in (("ky", "Качкын статусу жарактуу"), ("ru", "Статус беженца действует")):
        page = (await visitor.get(f"/status?lang={lang}")).text
        assert state in page and "· D. K." in page and "· T. K." in page
        names = {w.lower() for w in re.findall(r"[A-Za-z]{5,}", " ".join(re.findall(r"<dd>([^<]*)</dd>", page)))}
        assert not english_words(page, names), (lang, english_words(page, names))


async def test_the_refugee_applies_online_and_the_registrar_finds_it_in_the_inbox(api, tokens):
    from tests.api.test_applicant_pages import open_case

    case = await recognised(api, tokens)
    n, h = case["case_number"], {"X-Access-Code": case["access_code"]}
    await eventually(lambda: in_force(api, n, h))
    assert (await api.post(f"/api/v1/cases/{n}/requests", headers=h, json={"document": "passport"})).status_code == 422
    assert (await api.post(f"/api/v1/cases/{n}/requests", json={"document": "travel_document"})).status_code == 404
    visitor = await open_case(api, case)

    async def offered():
        # The status is recorded in force a transition before the steps it offers are opened.
        page = (await visitor.get("/status?lang=ru")).text
        return page if 'data-request="travel_document"' in page else None
    page = await eventually(offered)
    assert "Подать заявление на проездной документ" in page
    for junk in ("\x00", "x" * 5000, "status_ending", ""):  # refused in the reader's language, nothing sent
        refused = await visitor.post("/status/request?lang=ru", {"document": junk})
        assert refused.status_code == 409 and "нельзя" in refused.text, junk[:10]
    done = await visitor.post("/status/request", {"document": "travel_document"})
    assert done.status_code == 303 and done.headers["location"] == "/status?done=requested&asked=travel_document"
    registrar = await tokens("registrar")

    async def in_inbox():
        r = await api.get("/api/v1/tasks", params={"case": n}, headers=registrar)
        return next((t for t in r.json() if t["step"] == "travel_document"), None)
    task = await eventually(in_inbox)
    assert task["due"] is not None  # on the clock of a request (10 working days)
    desk = Browser(api)
    assert (await desk.sign_in("registrar", PASSWORD)).status_code == 303
    page = (await desk.get(f"/staff/cases/{n}?lang=en")).text
    travel = re.search(r'id="task-travel_document".*?</section>', page, re.S)[0]
    renewal = re.search(r'id="task-certificate_renewal".*?</section>', page, re.S)[0]
    assert 'data-outcome="decline_request"' in travel  # what was asked may be declined, with reasons
    assert 'data-outcome="decline_request"' not in renewal  # nothing asked: nothing to decline
    again = await api.post(f"/api/v1/cases/{n}/requests", headers=h, json={"document": "travel_document"})
    assert again.status_code == 409 and again.json()["code"] == "not_requestable"
    page = (await visitor.get("/status?lang=ky")).text
    assert 'data-requested="travel_document"' in page and "Жол жүрүү документи боюнча арызыңыз каралууда" in page
    assert page.count("Жол жүрүү документине онлайн арыз берилди") == 1  # in the timeline, in Kyrgyz, once
    issued = await api.post(f"/api/v1/cases/{n}/decisions", headers=registrar,
                            json={"step": "travel_document", "outcome": "issue_travel_document"})
    assert issued.status_code == 200, issued.text
    # Renewal is asked online once the holder is reminded of it, a month before expiry: not yet.
    renewal = await api.post(f"/api/v1/cases/{n}/requests", headers=h, json={"document": "certificate_renewal"})
    assert renewal.status_code == 409, renewal.text
    assert 'data-request="certificate_renewal"' not in (await visitor.get("/status?lang=ru")).text
