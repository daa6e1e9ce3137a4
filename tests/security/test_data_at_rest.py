"""The most sensitive personal data is sealed in PostgreSQL: a copy of the database shows no
asylum grounds, interview record, bank account or scan, and a sealed value moved elsewhere does
not open. The services that need them read them in clear."""

import hashlib
import uuid

import pytest
from sqlalchemy import text

from db.sealing import SealError
from tests.api.helpers import decide, submit
from tests.conftest import SEALER
from tests.factories import repatriation_application


async def raw(sessions, sql: str, **params) -> str:
    async with sessions() as s:
        return " ".join(str(v) for v in (await s.execute(text(sql), params)).scalars())


async def test_grounds_and_interview_records_are_sealed(api, tokens, sessions):
    marker = f"Zarafshan-{uuid.uuid4().hex[:8]}"
    case = await submit(api, grounds=f"Persecuted by the {marker} police for political opinion.")
    n = case["case_number"]
    stored = await raw(sessions, "SELECT application::text FROM cases WHERE case_number = :n", n=n)
    assert marker not in stored and "$sealed" in stored
    shown = (await api.get(f"/api/v1/cases/{n}", headers=await tokens("case_officer"))).json()
    assert marker in shown["application"]["grounds"]
    await decide(api, tokens, n, "registration", "register", "registrar")
    await decide(api, tokens, n, "interview", "record_interview", "case_officer",
                 data={"held_at": "2026-11-20T10:00:00+06:00", "summary": f"Detained twice by {marker}."})
    for table in ("case_transitions", "audit_log"):
        assert marker not in await raw(sessions, f"SELECT detail::text FROM {table} WHERE case_number = :n", n=n)
    async with sessions() as s:
        seq, data = (await s.execute(text(
            "SELECT seq, detail->'data' FROM case_transitions WHERE case_number = :n AND outcome = 'record_interview'"),
            {"n": n})).one()
    assert marker in SEALER.open(data, f"{n}|transition.{seq}.data")["summary"]
    with pytest.raises(SealError):  # bound to its place: copied to another case it does not open
        SEALER.open(data, f"REF-2026-999999|transition.{seq}.data")


async def test_bank_accounts_are_sealed_in_the_case_and_the_payment_ledger(api, tokens, sessions):
    account = f"1090{uuid.uuid4().int % 10**12:012d}"
    body = repatriation_application()
    body["bank_account"]["account"] = account
    body["deceased"]["personal_number"] = f"2{uuid.uuid4().int % 10**13:013d}"
    r = await api.post("/api/v1/applications/repatriation", json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201, r.text
    n = r.json()["case_number"]
    await decide(api, tokens, n, "document_check", "documents_ok", "registrar")
    await decide(api, tokens, n, "approval", "approve", "finance_officer")
    assert account not in await raw(sessions, "SELECT application::text FROM cases WHERE case_number = :n", n=n)
    assert account not in await raw(sessions, "SELECT account::text FROM payments WHERE case_number = :n", n=n)
    seen = (await api.get(f"/api/v1/cases/{n}", headers=await tokens("finance_officer"))).json()
    assert seen["application"]["bank_account"]["account"] == account


async def test_uploaded_scans_are_sealed(api, sessions):
    case = await submit(api)
    marker = f"%PDF-1.4 scan of a passport {uuid.uuid4().hex}".encode()
    r = await api.post(f"/api/v1/cases/{case['case_number']}/documents", headers={"X-Access-Code": case["access_code"]},
                       files=[("files", ("passport.pdf", marker, "application/pdf"))])
    assert r.status_code == 202, r.text
    async with sessions() as s:
        file_id, content = (await s.execute(text("SELECT file_id, content FROM case_files WHERE case_number = :n"),
                                            {"n": case["case_number"]})).one()
    assert marker not in bytes(content)
    assert SEALER.open_bytes(bytes(content), f"{case['case_number']}|file.{file_id}") == marker


async def test_the_access_code_hash_is_keyed(api, sessions):
    case = await submit(api)
    stored = await raw(sessions, "SELECT access_code_hash FROM cases WHERE case_number = :n", n=case["case_number"])
    plain = case["access_code"].replace("-", "").upper()
    assert stored != hashlib.sha256(plain.encode()).hexdigest()
