"""Whether a text reached the applicant's phone: the operator's delivery receipts, one for each
part of a long text, recorded by a worker's receiver bound to a real SMPP centre on 127.0.0.1."""

import asyncio
import contextlib
from datetime import datetime, timezone

from sqlalchemy import select

from activities.sms_receipts import ReceiptListener
from db.models import TextPart
from db.repositories.notifications import mark_sent, text_delivery
from tests.activities.smpp_centre import SmsCentre
from tests.activities.test_notifications import outbox
from tests.activities.test_texts import case_with_news, relay
from tests.conftest import eventually


@contextlib.asynccontextmanager
async def listening(sessions, centre: SmsCentre, wait_for_relay: float | None = None):
    """A worker's receipt listener, bound to the centre while the block runs."""
    stop = asyncio.Event()
    listener = ReceiptListener(sessions, relay(sessions, centre).sms, poll=0.2)
    listener.wait_for_relay = wait_for_relay or listener.wait_for_relay
    task = asyncio.create_task(listener.run(stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)


async def delivery_of(sessions, case_number: str) -> list[tuple[str, bool]]:
    async def known():
        rows = await outbox(sessions, case_number)
        return [(x.delivery, x.delivery_at is not None) for x in rows] if all(x.delivery for x in rows) else None
    return await eventually(known, timeout=10)


async def test_the_operators_receipt_says_whether_the_text_reached_the_phone(sessions, centre):
    delivered = await case_with_news(sessions, "ky", phone="+996700000401")
    async with listening(sessions, centre):
        await relay(sessions, centre, receipts=True).send_pending()
        assert await delivery_of(sessions, delivered) == [("delivered", True)]
        centre.receipt_stat, centre.receipts_in_decimal = "UNDELIV", True  # and its id written in decimal
        lost = await case_with_news(sessions, "ky", phone="+996700000402")
        await relay(sessions, centre, receipts=True).send_pending()
        assert await delivery_of(sessions, lost) == [("undelivered", True)]  # as soon as one part is not
        await eventually(lambda: _none_left(centre), timeout=10)  # the other part's receipt too, once recorded
    [sent] = await outbox(sessions, lost)
    assert sent.channel == "sms" and await parts_of(sessions, lost) == [(1, "undelivered"), (2, "undelivered")]


async def test_a_receipt_that_comes_while_no_worker_listens_is_recorded_once_one_binds(sessions, centre):
    n = await case_with_news(sessions, "ru", phone="+996700000403")
    await relay(sessions, centre, receipts=True).send_pending()
    assert centre.unacknowledged and [x.delivery for x in await outbox(sessions, n)] == [""]
    async with listening(sessions, centre):
        assert await delivery_of(sessions, n) == [("delivered", True)]
    await eventually(lambda: _none_left(centre), timeout=10)  # acknowledged once recorded


async def test_a_receipt_that_comes_before_the_relay_has_recorded_its_text_waits_for_it(sessions, centre):
    """A centre may send the receipt before the relay's transaction has committed the text's ids:
    the receipt is left unacknowledged until they are; one for a text aryz never sent is
    acknowledged once the relay would have committed."""
    n = await case_with_news(sessions, "en", phone="+996700000406")
    async with listening(sessions, centre, wait_for_relay=3):
        centre.receipt_stat = "UNDELIV"
        centre._receipt(0xE0E0, "996700000406")  # the receipt of a text the relay is still recording
        centre._receipt(0xF0F0, "996700000407")  # and of a text aryz never sent
        await asyncio.sleep(1)
        assert len(centre.unacknowledged) == 2
        async with sessions.begin() as session:
            [sent] = await outbox(sessions, n)
            await mark_sent(session, [sent.id], "sms", datetime.now(timezone.utc), ("e0e0",))
        assert await delivery_of(sessions, n) == [("undelivered", True)]
        await eventually(lambda: _none_left(centre), timeout=10)


async def test_an_id_the_centre_gives_again_names_the_part_still_waiting_for_its_receipt(sessions, centre):
    """A centre restarted numbers its messages from the start again: the receipt for today's text,
    come before the relay committed it, is not taken for an older text's whose receipt came."""
    older = await case_with_news(sessions, "en", phone="+996700000408")
    today = await case_with_news(sessions, "en", phone="+996700000409")
    async with listening(sessions, centre):
        async with sessions.begin() as session:
            [sent] = await outbox(sessions, older)
            await mark_sent(session, [sent.id], "sms", datetime.now(timezone.utc), ("abc123",))
        centre._receipt(0xABC123, "996700000408")
        assert await delivery_of(sessions, older) == [("delivered", True)]
        centre.receipt_stat = "EXPIRED"
        centre._receipt(0xABC123, "996700000409")  # the same id, for the text about to be committed
        await asyncio.sleep(1)
        async with sessions.begin() as session:
            [sent] = await outbox(sessions, today)
            await mark_sent(session, [sent.id], "sms", datetime.now(timezone.utc), ("abc123",))
        assert await delivery_of(sessions, today) == [("expired", True)]
    assert [x.delivery for x in await outbox(sessions, older)] == ["delivered"]


async def _none_left(centre: SmsCentre) -> bool:
    return not centre.unacknowledged


async def parts_of(sessions, case_number: str) -> list[tuple[int, str]]:
    async with sessions() as session:
        [sent] = await outbox(sessions, case_number)
        return [(p.part, p.delivery) for p in await session.scalars(
            select(TextPart).where(TextPart.text_id == sent.id).order_by(TextPart.part))]


async def test_a_long_text_is_delivered_only_when_every_part_is(sessions, centre):
    """A Kyrgyz text is two parts, each with its own receipt, which may come in either order."""
    async with listening(sessions, centre):
        lost = await case_with_news(sessions, "ky", phone="+996700000404")
        centre.held, centre.part_stats = [], ["UNDELIV", "DELIVRD"]
        await relay(sessions, centre, receipts=True).send_pending()
        centre.release(reverse=True)  # the last part's "delivered" first, then the first part's "undelivered"
        assert await delivery_of(sessions, lost) == [("undelivered", True)]
        assert await eventually(lambda: _parts_known(sessions, lost), timeout=10) == [
            (1, "undelivered"), (2, "delivered")]

        whole = await case_with_news(sessions, "ky", phone="+996700000405")
        centre.held = []
        await relay(sessions, centre, receipts=True).send_pending()
        centre.release(most=1)
        assert await eventually(lambda: _parts_known(sessions, whole, 1), timeout=10) == [(1, "delivered"), (2, "")]
        assert [x.delivery for x in await outbox(sessions, whole)] == [""]  # the phone shows it only when whole
        centre.release()
        assert await delivery_of(sessions, whole) == [("delivered", True)]
    await eventually(lambda: _none_left(centre), timeout=10)


async def _parts_known(sessions, case_number: str, at_least: int = 2):
    parts = await parts_of(sessions, case_number)
    return parts if len(parts) == 2 and sum(1 for _, d in parts if d) >= at_least else None


def test_what_a_texts_parts_say_of_the_whole_text():
    assert text_delivery(["delivered", "delivered"]) == "delivered"
    assert text_delivery(["delivered", ""]) == ""
    assert text_delivery(["", "expired"]) == "expired"
    assert text_delivery(["undelivered", "rejected"]) == "rejected"
    assert text_delivery(["delivered", "unknown"]) == "unknown"


def test_a_receipt_is_read_from_its_tlvs_or_its_text():
    from smpplib import smpp
    from smpplib.client import SimpleSequenceGenerator

    from activities.sms_receipts import receipt_of, same_ids

    numbered = SimpleSequenceGenerator()

    tlv = smpp.make_pdu("deliver_sm", client=numbered, esm_class=0x04, receipted_message_id="1A2", message_state=5,
                        short_message=b"")
    assert (receipt_of(tlv).message_id, receipt_of(tlv).delivery) == ("1A2", "undelivered")
    text = smpp.make_pdu("deliver_sm", client=numbered, esm_class=0x04,
                         short_message=b"id:418 sub:001 dlvrd:000 stat:EXPIRED err:001")
    assert (receipt_of(text).message_id, receipt_of(text).delivery) == ("418", "expired")
    assert "1a2" in same_ids("418") and "418" in same_ids("1a2")
    from_a_phone = smpp.make_pdu("deliver_sm", client=numbered, esm_class=0, short_message=b"id:1 stat:DELIVRD")
    assert receipt_of(from_a_phone) is None  # a message from a phone is not a receipt
