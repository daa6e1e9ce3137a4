"""The README walkthrough: one refugee case from submission to the refugee certificate, over HTTP."""

from datetime import datetime, timedelta

from tests.api.helpers import decide, submit


async def test_a_refugee_case_from_submission_to_certificate(api, tokens):
    case = await submit(api)
    n = case["case_number"]
    assert (await decide(api, tokens, n, "registration", "register", "registrar"))["state"] == "REGISTERED"
    at = (datetime.now().astimezone() + timedelta(days=2)).isoformat(timespec="minutes")
    await decide(api, tokens, n, "interview", "schedule_interview", "case_officer",
                 data={"interview_at": at, "place": "Bishkek, room 4", "interpreter_language": "dari"})
    await decide(api, tokens, n, "interview", "record_interview", "case_officer",
                 data={"held_at": at, "interpreter_language": "dari", "summary": "Consistent, detailed account."})
    await decide(api, tokens, n, "verification", "complete_verification", "case_officer",
                 data={"identity_established": True, "security_checks_done": True})
    await decide(api, tokens, n, "conclusion", "recommend_recognition", "case_officer", "Well-founded fear.")
    # The answer comes once the case has settled: here, with the certificate issued.
    assert (await decide(api, tokens, n, "decision", "recognise", "supervisor", "Agreed."))["state"] == "CERT_ISSUED"
    status = (await api.get(f"/api/v1/cases/{n}/status", headers={"X-Access-Code": case["access_code"]})).json()
    assert status["state"] == "CERT_ISSUED"
    assert [d["doc_type"] for d in status["documents"]] == ["AC", "RC"]
    notes = [e["note"] for e in status["timeline"]]
    assert notes[0] == "Application lodged" and notes[-1].startswith("Refugee status granted")
    assert any(note.startswith("Refugee certificate RC-GB-") for note in notes)
    # Internal records (the interview summary) never reach the applicant.
    assert "Consistent, detailed account." not in str(status)
