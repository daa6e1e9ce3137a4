"""Agency permits over HTTP: submission to an active permit; bad input."""

import uuid
from datetime import date

from tests.api.helpers import decide, snapshot
from tests.factories import agency_permit_application

URL = "/api/v1/applications/agency-permit"


async def test_an_agency_gets_its_permit_once_the_deposit_is_confirmed(api, tokens):
    r = await api.post(URL, json=agency_permit_application(), headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201, r.text
    case = r.json()
    n = case["case_number"]
    assert n.startswith("AGP-")
    await decide(api, tokens, n, "doc_check", "documents_ok", "registrar")
    result = await decide(api, tokens, n, "commission_decision", "approve", "commission",
                          data={"session_date": date.today().isoformat(), "protocol_number": "PA-7"})
    assert result["state"] == "APPROVED_PENDING_DEPOSIT"
    # The agency reads what to pay, in its language and its way of writing money.
    told = (await api.get(f"/api/v1/cases/{n}/status", headers={"X-Access-Code": case["access_code"],
                                                                  "Accept-Language": "ru"})).json()
    assert "залог 50\xa0000,00\xa0сом и сбор 4\xa0000,00\xa0сом" in told["timeline"][-1]["note"], told["timeline"][-1]
    result = await decide(api, tokens, n, "deposit", "confirm_deposit", "finance_officer",
                          data={"deposit_som": 50000, "fee_som": 4000, "payment_reference": "TRX-1"})
    assert result["state"] == "ACTIVE"
    status = (await api.get(f"/api/v1/cases/{n}/status", headers={"X-Access-Code": case["access_code"]})).json()
    assert [d["doc_type"] for d in status["documents"]] == ["AGP"]


async def test_bad_agency_applications_are_refused(api, sessions):
    before = await snapshot(sessions)
    for data, field in [(agency_permit_application(destination_countries=["korea"]), "destination_countries"),
                        (agency_permit_application(foreign_partners=[]), "foreign_partners"),
                        (agency_permit_application(tax_id="123"), "tax_id")]:
        r = await api.post(URL, json=data)
        assert r.status_code == 422 and field in r.json()["detail"], r.text
    assert await snapshot(sessions) == before
