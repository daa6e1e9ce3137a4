"""The README walkthrough: one refugee case from submission to the refugee certificate, over HTTP."""

from datetime import datetime, timedelta

from tests.api.helpers import decide, submit
from tests.conftest import eventually


async def test_a_refugee_case_from_submission_to_certificate(api, tokens):
    case = await submit(api)
    n = case["case_number"]
    assert (await decide(api, tokens, n, "registration", "register", "registrar"))["state"] == "REGISTERED"
    at = (datetime.now().astimezone() + timedelta(days=2)).isoformat(timespec="minutes")
    await decide(api, tokens, n, "interview", "schedule_interview", "case_officer",
                 data={"interview_at": at, "place": "Bishkek, room 4", "interpreter_language": "dari"})
    await decide(api, tokens, n, "interview", "record_interview", "case_officer",
                 data={"held_at": datetime.now().astimezone().isoformat(timespec="minutes"),
                       "interpreter_language": "dari", "summary": "Consistent, detailed account."})
    await decide(api, tokens, n, "verification", "complete_verification", "case_officer",
                 data={"identity_established": True, "security_checks_done": True})
    await decide(api, tokens, n, "conclusion", "recommend_recognition", "case_officer", "Well-founded fear.")
    # The answer comes once the case has settled: here, with the certificate issued.
    assert (await decide(api, tokens, n, "decision", "recognise", "supervisor", "Agreed."))["state"] == "CERT_ISSUED"
    # The case goes on as the refugee's status (a new run of its workflow, the same case).
    async def in_force():
        found = (await api.get(f"/api/v1/cases/{n}/status", headers={"X-Access-Code": case["access_code"]})).json()
        return found if found["state"] == "STATUS_ACTIVE" else None
    status = await eventually(in_force)
    assert [(d["doc_type"], d["holder_initials"]) for d in status["documents"]] == [
        ("AC", "D. K."), ("RC", "D. K."), ("RC", "T. K.")]  # the child named in the application: its own
    notes = [e["note"] for e in status["timeline"]]
    assert notes[0] == "Application lodged" and notes[-2].startswith("Refugee status granted")
    assert notes[-1].startswith("Refugee status in force; certificate valid until")
    assert any(note.startswith("Refugee certificate RC-GB-") for note in notes)
    issued = [e for e in status["timeline"] if e["note_key"] == "document_issued_until"]
    assert [e["params"]["document"] for e in issued] == ["AC", "RC", "RC"]
    kyrgyz = (await api.get(f"/api/v1/cases/{n}/status",
                            headers={"X-Access-Code": case["access_code"], "Accept-Language": "ky"})).json()
    assert kyrgyz["timeline"][0]["note"] == "Арыз кабыл алынды"
    # Internal records (the interview summary) never reach the applicant.
    assert "Consistent, detailed account." not in str(status)


async def test_a_rejected_applicant_appeals_and_a_legal_officer_overturns(api, tokens):
    case = await submit(api)
    n, h = case["case_number"], {"X-Access-Code": case["access_code"]}
    await decide(api, tokens, n, "registration", "register", "registrar")
    await decide(api, tokens, n, "interview", "record_interview", "case_officer",
                 data={"held_at": "2026-11-20T10:00:00+06:00", "summary": "Held at intake."})
    await decide(api, tokens, n, "verification", "complete_verification", "case_officer",
                 data={"identity_established": True, "security_checks_done": True})
    await decide(api, tokens, n, "conclusion", "recommend_rejection", "case_officer", "Not credible.",
                 {"ground": "not_credible"})
    result = await decide(api, tokens, n, "decision", "reject", "supervisor", "Inconsistent dates of events.",
                          {"ground": "not_credible"})
    assert result["state"] == "APPEAL_WINDOW" and result["awaiting"] == "applicant: may appeal"
    status = (await api.get(f"/api/v1/cases/{n}/status", headers=h)).json()
    # The legal ground, in the reader's words, then the officer's reasons as written.
    assert "Application rejected on the ground “Not credible”: Inconsistent dates of events." in \
        [e["note"] for e in status["timeline"]]
    kyrgyz = (await api.get(f"/api/v1/cases/{n}/status", headers={**h, "Accept-Language": "ky"})).json()
    assert "Арыз «Ишенимдүү эмес» негизи боюнча четке кагылды: Inconsistent dates of events." in \
        [e["note"] for e in kyrgyz["timeline"]]
    assert (kyrgyz["awaiting"], kyrgyz["awaiting_text"]) == ("applicant: may appeal", "Арыз ээси: даттанса болот")
    assert status["deadline"] is not None
    r = await api.post(f"/api/v1/cases/{n}/appeal", headers=h, json={"grounds": "The dates were mistranslated."})
    assert r.status_code == 202
    result = await decide(api, tokens, n, "appeal_review", "overturn", "legal_officer", "Translation error shown.")
    assert result["state"] == "CERT_ISSUED"
