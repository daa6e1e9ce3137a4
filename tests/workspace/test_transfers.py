"""The finance officer reads on the case page the money at stake before deciding: for a
repatriation claim what the rules give it, then what the bank must send and to which account, and how each earlier attempt
ended (officers who may not see the claim's payment read none of it); for an agency's permit the
deposit and fee the commission's approval told it to pay."""

import html
import re
import uuid
from datetime import date

from tests.api.helpers import decide, wait_task
from tests.api.test_repatriation import ACCOUNT, claim
from tests.factories import agency_permit_application
from tests.workspace.conftest import signed_in


def transfers_of(page: str) -> list[str]:
    """Each transfer's row as read: its cells' text, joined by |."""
    section = re.search(r'<section id="transfers">(.*?)</section>', page, re.S)
    if section is None:
        return []
    rows = re.findall(r"<tr data-status=\"[a-z]+\">(.*?)</tr>", section[1], re.S)
    return [" | ".join(re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", "", cell)).strip()
                       for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)) for row in rows]


async def test_the_finance_officer_reads_what_to_transfer_and_how_each_attempt_ended(api, tokens):
    r = await api.post("/api/v1/applications/repatriation", json=claim(),
                       headers={"Idempotency-Key": str(uuid.uuid4())})
    n, code = r.json()["case_number"], r.json()["access_code"]
    await decide(api, tokens, n, "document_check", "documents_ok", "registrar")
    finance = await signed_in(api, "finance_officer")
    await wait_task(api, tokens, n, "approval", "finance_officer")
    approving = (await finance.get(f"/staff/cases/{n}?lang=ru")).text  # what the rules give, before approving
    assert re.search(r'<p class="panel" id="due-approval">По правилам: 100\xa0000,00\xa0₽ \(Постановление № 169, '
                     r"приложение 2[^<]*\)\.</p>", approving)
    assert not transfers_of(approving)  # nothing ordered yet
    await decide(api, tokens, n, "approval", "approve", "finance_officer")
    [ordered] = transfers_of((await finance.get(f"/staff/cases/{n}?lang=ru")).text)
    assert ordered.startswith("1 | 100\xa0000,00\xa0₽ | Asanova Gulnara · Optima Bank · OPTIKG22 · ")
    assert ordered.endswith("| Ожидает подтверждения, что банк его отправил")

    await decide(api, tokens, n, "payment", "payment_failed", "finance_officer", "Account not found",
                 {"problem": "account_not_found"})
    assert (await api.post(f"/api/v1/cases/{n}/bank-account", headers={"X-Access-Code": code},
                           json=ACCOUNT)).status_code == 202
    await decide(api, tokens, n, "payment", "confirm_paid", "finance_officer", data={"bank_reference": "KICB-77"})
    failed, paid = transfers_of((await finance.get(f"/staff/cases/{n}?lang=ky")).text)
    assert failed.startswith("1 | 100\xa0000,00\xa0RUB | Asanova Gulnara · Optima Bank") and "| Ишке ашкан жок " in failed
    assert failed.endswith("· Эсеп табылган жок")
    assert paid.startswith("2 | 100\xa0000,00\xa0RUB | Asanova Gulnara · KICB · KICBKG22 · 1280000000000042 |")
    assert "| Төлөндү " in paid and paid.endswith(": KICB-77")

    english = transfers_of((await finance.get(f"/staff/cases/{n}?lang=en")).text)
    assert english[0].endswith("· Account not found") and english[1].endswith(
        "Transfer reference or receipt number: KICB-77")
    registrar = await signed_in(api, "registrar")  # sees the claim, not its payment
    page = (await registrar.get(f"/staff/cases/{n}?lang=ru")).text
    assert n in page and not transfers_of(page) and 'id="transfers"' not in page

    # The API gives the same, to the same readers.
    read = (await api.get(f"/api/v1/cases/{n}", headers=await tokens("finance_officer"))).json()["transfers"]
    assert [(x["attempt"], x["amount"], x["currency"], x["status"], x["account"]["bic"], x["bank_reference"],
             x["problem"]) for x in read] == [(1, 100000, "RUB", "failed", "OPTIKG22", "", "account_not_found"),
                                              (2, 100000, "RUB", "paid", "KICBKG22", "KICB-77", "")]
    assert (await api.get(f"/api/v1/cases/{n}", headers=await tokens("registrar"))).json()["transfers"] == []


async def test_the_finance_officer_reads_the_deposit_and_fee_an_agency_was_told_to_pay(api, tokens):
    r = await api.post("/api/v1/applications/agency-permit", json=agency_permit_application(),
                       headers={"Idempotency-Key": str(uuid.uuid4())})
    n = r.json()["case_number"]
    await decide(api, tokens, n, "doc_check", "documents_ok", "registrar")
    registrar = await signed_in(api, "registrar")
    assert 'id="due-' not in (await registrar.get(f"/staff/cases/{n}?lang=ru")).text  # nothing due yet
    await decide(api, tokens, n, "commission_decision", "approve", "commission",
                 data={"session_date": date.today().isoformat(), "protocol_number": "PA-9"})
    finance = await signed_in(api, "finance_officer")
    due = {lang: html.unescape(re.search(r'<p class="panel" id="due-deposit">([^<]+)</p>', (
        await finance.get(f"/staff/cases/{n}?lang={lang}")).text)[1]) for lang in ("ru", "ky", "en")}
    assert due["ru"] == "К оплате по решению комиссии: залог 50\xa0000,00\xa0сом и сбор 4\xa0000,00\xa0сом."
    assert due["ky"].startswith("Комиссиянын чечими боюнча төлөнүүгө тийиш: 50\xa0000,00")
    assert due["en"] == "Due under the commission's approval: a deposit of KGS50,000.00 and a fee of KGS4,000.00."

