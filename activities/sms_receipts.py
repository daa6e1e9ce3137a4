"""Delivery receipts: whether each text reached the applicant's phone.

Texts are sent asking for a receipt. The centre sends each receipt, one for each part of a long
text, as a deliver_sm to a receiver bound with the same account: each worker binds one and records
the receipt on its part, and, once it can tell, whether the whole text reached the phone on the
notifications the text told of. A receipt is acknowledged only once recorded, so one that arrives while the
database is away stays with the centre, which sends it again.
"""

import asyncio
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy.ext.asyncio import async_sessionmaker

from activities.sms import CentreUnavailable, SmsCentre, SmsReceiver, text_of
from db.repositories.notifications import record_receipt

log = logging.getLogger("aryz.sms")

RECEIPT = 0x04  # esm_class: an SMSC delivery receipt, not a message from a phone
# SMPP 3.4 message_state (5.2.28), and the `stat:` word of the receipt's text (Appendix B).
STATES = {2: "delivered", 3: "expired", 4: "undelivered", 5: "undelivered", 6: "accepted", 7: "unknown",
          8: "rejected"}
STATS = {"DELIVRD": "delivered", "EXPIRED": "expired", "DELETED": "undelivered", "UNDELIV": "undelivered",
         "ACCEPTD": "accepted", "UNKNOWN": "unknown", "REJECTD": "rejected"}
_ID = re.compile(r"\bid:(\S+)", re.IGNORECASE)
_STAT = re.compile(r"\bstat:(\w+)", re.IGNORECASE)


@dataclass(frozen=True)
class Receipt:
    message_id: str  # the centre's id for one part of a text, as submit_sm_resp gave it
    delivery: str  # delivered, undelivered, expired, rejected, unknown (or accepted: not final)


def receipt_of(pdu) -> Receipt | None:
    """The receipt a deliver_sm carries, from its TLVs or else its text; None for anything else."""
    if pdu.command != "deliver_sm" or not (pdu.esm_class or 0) & RECEIPT:
        return None
    body = pdu.short_message.decode("latin-1") if isinstance(pdu.short_message, bytes) else (pdu.short_message or "")
    ref = text_of(getattr(pdu, "receipted_message_id", None))
    if not ref and (found := _ID.search(body)):
        ref = found[1]
    delivery = STATES.get(getattr(pdu, "message_state", None) or 0)
    if delivery is None:
        found = _STAT.search(body)
        delivery = STATS.get(found[1].upper(), "unknown") if found else "unknown"
    return Receipt(ref, delivery) if ref else None


def same_ids(ref: str) -> list[str]:
    """The id as the receipt wrote it, and as the centre may have given it on submission: many
    centres answer submit_sm with a hexadecimal id and write the receipt's in decimal, or the
    other way round (SMPP 3.4 leaves it to them)."""
    ids = [ref]
    if ref.isdigit():
        ids += [format(int(ref), "x"), format(int(ref), "X")]
    elif re.fullmatch(r"[0-9a-fA-F]{1,16}", ref):
        ids.append(str(int(ref, 16)))
    return list(dict.fromkeys(ids))


class ReceiptListener:
    """Records the centre's delivery receipts until `stop`; binds again, after a pause that grows
    to a minute, whenever the centre goes away. Side effects: each text part's receipt, and each
    notification's `delivery` and `delivery_at`.

    A receipt can come before the relay has committed the ids of the text it names: a centre that
    answers a number it cannot reach at once, or the receipt of a long text's first part while the
    later parts are still being sent. Such a receipt is left unacknowledged and tried again each
    poll for `wait_for_relay` seconds; only then is it taken to be for a text aryz did not send."""

    def __init__(self, sessions: async_sessionmaker, centre: SmsCentre, poll: float = 1.0) -> None:
        self.sessions, self.centre, self.poll = sessions, centre, poll
        self.wait_for_relay = 2 * centre.timeout + 5  # the relay commits once the centre has taken every part

    async def run(self, stop: asyncio.Event) -> None:
        pause = 1.0
        while not stop.is_set():
            try:
                await self._listen(stop)
                pause = 1.0
            except CentreUnavailable as err:
                log.warning("SMS centre unavailable for receipts (%s); binding again in %.0f s", err, pause)
            except Exception:  # the database away: the receipt stays with the centre
                log.warning("receipt not recorded; binding again in %.0f s", pause, exc_info=True)
            try:
                await asyncio.wait_for(stop.wait(), pause)
            except TimeoutError:
                pause = min(pause * 2, 60.0)

    async def _listen(self, stop: asyncio.Event) -> None:
        receiver = await asyncio.to_thread(SmsReceiver, self.centre, self.poll)
        clock = asyncio.get_running_loop().time
        waiting: list[tuple[float, object, Receipt]] = []  # (since, deliver_sm, its receipt) not yet matched
        tried = clock()
        try:
            while not stop.is_set():
                pdu = await asyncio.to_thread(receiver.next)
                if pdu is not None:
                    receipt = receipt_of(pdu)
                    # "accepted" is not final: a later receipt follows.
                    if receipt is None or receipt.delivery == "accepted" or await self.record(receipt):
                        await asyncio.to_thread(receiver.acknowledge, pdu)
                    else:
                        waiting.append((clock(), pdu, receipt))
                if waiting and clock() - tried >= self.poll:
                    tried, kept = clock(), []
                    for since, early, receipt in waiting:
                        if await self.record(receipt) or clock() - since > self.wait_for_relay:
                            await asyncio.to_thread(receiver.acknowledge, early)
                            if clock() - since > self.wait_for_relay:
                                log.info("receipt for a text aryz did not send (%s)", receipt.message_id)
                        else:
                            kept.append((since, early, receipt))
                    waiting = kept
        finally:
            await asyncio.to_thread(receiver.close)

    async def record(self, receipt: Receipt) -> bool:
        """Whether the receipt named a part of a text aryz sent (and is recorded)."""
        at = datetime.now(timezone.utc)  # when it came: the centre's own clock and zone are its own
        async with self.sessions.begin() as session:
            for ref in same_ids(receipt.message_id):
                whole = await record_receipt(session, ref, receipt.delivery, at)
                if whole is not None:
                    log.info("text part %s: %s; the text: %s", ref, receipt.delivery, whole or "awaiting its other parts")
                    return True
        return False
