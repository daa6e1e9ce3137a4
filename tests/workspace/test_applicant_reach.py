"""The officer's case page says whether the applicant hears of their news, so that an officer
knows to phone or write when a text did not reach the phone or nothing can be sent."""

import re
import uuid

from activities.notifications import NotificationRelay
from activities.sms import SmsCentre as CentreSettings
from activities.sms_receipts import ReceiptListener, receipt_of
from tests.activities.smpp_centre import SmsCentre
from tests.api.helpers import decide
from tests.conftest import PUBLIC_URL
from tests.factories import refugee_application
from tests.workspace.conftest import signed_in


async def lodged(api, **contact) -> str:
    data = refugee_application()
    data["contact"] = {"address": "Naryn, Lenin 7", **contact}
    return (await api.post("/api/v1/applications/refugee", json=data,
                           headers={"Idempotency-Key": str(uuid.uuid4())})).json()["case_number"]


async def reach(officer, n: str, lang: str = "ru") -> str:
    page = (await officer.get(f"/staff/cases/{n}?lang={lang}")).text
    found = re.search(r'<p id="applicant-reach" class="([a-z]+)">([^<]*) <span class="muted">[^<]+</span></p>', page)
    return f"{found[1]}: {found[2]}" if found else ""


async def relay_with_receipts(sessions, stat: str) -> None:
    """The relay's round, then the operator's receipts recorded as a worker's listener does."""
    from smpplib import smpp
    from smpplib.client import SimpleSequenceGenerator

    centre = SmsCentre()
    centre.receipt_stat = stat
    await centre.start()
    try:
        sms = CentreSettings("127.0.0.1", centre.port, "aryz", centre.password, "MIGRATION", timeout=5, receipts=True)
        await NotificationRelay(sessions, None, PUBLIC_URL, sms=sms).send_pending(100_000)
        for raw in centre.unacknowledged.values():
            await ReceiptListener(sessions, sms).record(receipt_of(smpp.parse_pdu(raw, client=SimpleSequenceGenerator())))
    finally:
        await centre.stop()


async def test_an_officer_reads_that_the_latest_text_did_not_reach_the_applicant(api, tokens, sessions):
    n = await lodged(api, phone="0555 111 222")
    await decide(api, tokens, n, "registration", "register", "registrar")
    officer = await signed_in(api, "case_officer")
    assert "Naryn, Lenin 7 · 0555 111 222</p>" in (await officer.get(f"/staff/cases/{n}?lang=ru")).text
    assert await reach(officer, n) == "muted: Новости для заявителя ждут отправки."
    await relay_with_receipts(sessions, "UNDELIV")
    assert await reach(officer, n) == ("panel: Последнее SMS-сообщение не доставлено на телефон заявителя: "
                                       "свяжитесь с заявителем иначе.")
    assert (await reach(officer, n, "ky")).startswith("panel: Акыркы SMS билдирүү арыз берүүчүнүн телефонуна жеткен жок")


async def test_an_officer_reads_that_the_text_reached_the_phone(api, tokens, sessions):
    n = await lodged(api, phone="+996 700 333 444")
    await decide(api, tokens, n, "registration", "register", "registrar")
    await relay_with_receipts(sessions, "DELIVRD")
    officer = await signed_in(api, "case_officer")
    assert await reach(officer, n) == "muted: Последнее SMS-сообщение доставлено на телефон заявителя."


async def test_an_officer_reads_that_news_cannot_be_sent(api, tokens, sessions):
    n = await lodged(api, email="nobody-reads@example.kg")  # an address, and no mail server
    await decide(api, tokens, n, "registration", "register", "registrar")
    await relay_with_receipts(sessions, "DELIVRD")  # a round with an SMS centre alone
    officer = await signed_in(api, "case_officer")
    assert (await reach(officer, n, "en")).startswith("panel: News cannot be sent to the applicant")
