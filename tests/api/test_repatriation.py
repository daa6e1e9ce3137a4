"""Repatriation over HTTP: a claim paid once, a failed transfer corrected by the applicant."""

import random
import uuid

from sqlalchemy import select

from db.models import Payment
from tests.api.helpers import decide, snapshot
from tests.conftest import SEALER
from tests.factories import repatriation_application

URL = "/api/v1/applications/repatriation"
ACCOUNT = {"holder": "Asanova Gulnara", "bank": "KICB", "bic": "KICBKG22", "account": "1280000000000042"}


def claim(**deceased) -> dict:
    data = repatriation_application()
    data["deceased"].update({"personal_number": "2" + "".join(random.choice("0123456789") for _ in range(13)),
                             **deceased})
    return data


async def test_a_failed_transfer_is_corrected_by_the_applicant_and_paid_once(api, tokens, sessions):
    r = await api.post(URL, json=claim(), headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201, r.text
    case = r.json()
    n, h = case["case_number"], {"X-Access-Code": case["access_code"]}
    assert n.startswith("RPT-")
    early = await api.post(f"/api/v1/cases/{n}/bank-account", headers=h, json=ACCOUNT)
    assert early.status_code == 409
    await decide(api, tokens, n, "document_check", "documents_ok", "registrar")
    await decide(api, tokens, n, "approval", "approve", "finance_officer")
    failed = await decide(api, tokens, n, "payment", "payment_failed", "finance_officer", "Account not found",
                          {"problem": "account_not_found"})
    assert failed["state"] == "AWAITING_ACCOUNT"
    bad = await api.post(f"/api/v1/cases/{n}/bank-account", headers=h, json={**ACCOUNT, "bic": "not a bic"})
    assert bad.status_code == 422 and "bic" in bad.json()["detail"]
    ok = await api.post(f"/api/v1/cases/{n}/bank-account", headers=h, json=ACCOUNT)
    assert ok.status_code == 202
    done = await decide(api, tokens, n, "payment", "confirm_paid", "finance_officer",
                        data={"bank_reference": "KICB-77"})
    assert done["state"] == "CLOSED"
    async with sessions() as s:
        rows = list(await s.scalars(select(Payment).where(Payment.case_number == n).order_by(Payment.attempt)))
    accounts = [SEALER.open(p.account, f"{p.idempotency_key}|payment.account") for p in rows]  # sealed at rest
    assert [(p.status, a["bic"]) for p, a in zip(rows, accounts, strict=True)] == [("failed", "OPTIKG22"), ("paid", "KICBKG22")]
    status = (await api.get(f"/api/v1/cases/{n}/status", headers=h)).json()
    assert "Reimbursement approved: RUB100,000.00" in [e["note"] for e in status["timeline"]]
    approved, = [e for e in status["timeline"] if e["note_key"] == "reimbursement_approved"]
    assert approved["params"] == {"amount": "100000", "currency": "RUB"}
    russian = (await api.get(f"/api/v1/cases/{n}/status", headers={**h, "Accept-Language": "ru"})).json()
    assert "Возмещение утверждено: 100\xa0000,00\xa0₽" in [e["note"] for e in russian["timeline"]]


async def test_bad_claims_are_refused_and_change_nothing(api, sessions):
    before = await snapshot(sessions)
    for data, field in [
        (claim(personal_number="123"), "personal_number"),
        (claim(date_of_death="2999-01-01"), "date_of_death"),
        (claim(date_of_birth="1950-01-01", date_of_death="2017-01-01"), "no repatriation amount in force"),
        ({**claim(), "relationship": "attorney_of_close_relative"}, "power of attorney"),
        ({**claim(), "bank_account": {**ACCOUNT, "account": "12 34"}}, "bank_account.account"),
    ]:
        r = await api.post(URL, json=data)
        assert r.status_code == 422 and field in r.json()["detail"], r.text
    assert await snapshot(sessions) == before
