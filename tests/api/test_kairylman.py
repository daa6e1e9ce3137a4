"""Kairylman status over HTTP: submission, bad input, and a case through to an active certificate."""

import uuid
from datetime import date

from tests.api.helpers import decide, snapshot
from tests.factories import kairylman_application

URL = "/api/v1/applications/kairylman"


async def test_a_kairylman_case_from_submission_to_an_active_certificate(api, tokens):
    r = await api.post(URL, json=kairylman_application(), headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201, r.text
    case = r.json()
    n = case["case_number"]
    assert n.startswith("KRL-") and case["state"] == "SUBMITTED"
    await decide(api, tokens, n, "intake", "accept_complete", "registrar")
    await decide(api, tokens, n, "case_file", "put_on_agenda", "case_officer", data={"security_checks_requested": True})
    result = await decide(api, tokens, n, "commission_decision", "grant", "commission",
                          data={"session_date": date.today().isoformat(), "protocol_number": "IC-14"})
    assert result["state"] == "ACTIVE"
    status = (await api.get(f"/api/v1/cases/{n}/status", headers={"X-Access-Code": case["access_code"]})).json()
    # The holder's certificate and the child's own, who moves with her (initials only).
    assert [(d["doc_type"], d["holder_initials"]) for d in status["documents"]] == [("KC", "A. T."), ("KC", "N. T.")]
    inbox = (await api.get("/api/v1/tasks", params={"case": n}, headers=await tokens("registrar"))).json()
    assert n not in {t["case_number"] for t in inbox}  # the status's actions are not inbox work
    detail = (await api.get(f"/api/v1/cases/{n}", headers=await tokens("registrar"))).json()
    assert {t["step"] for t in detail["open_tasks"]} == {"citizenship", "termination"}
    withdraw = await api.post(f"/api/v1/cases/{n}/withdraw", headers={"X-Access-Code": case["access_code"]}, json={})
    assert withdraw.status_code == 409


async def test_an_application_without_proof_of_ethnicity_is_refused(api, sessions):
    before = await snapshot(sessions)
    r = await api.post(URL, json=kairylman_application(documents=["passport", "residence_certificate"]))
    assert r.status_code == 422 and "prove Kyrgyz ethnicity" in r.json()["detail"]
    bad_doc = await api.post(URL, json=kairylman_application(documents=["diploma"]))
    assert bad_doc.status_code == 422 and "documents" in bad_doc.json()["detail"]
    assert await snapshot(sessions) == before
