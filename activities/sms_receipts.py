"""Delivery receipts: whether each text reached the applicant's phone.

Texts are sent asking for a receipt. The centre sends each receipt as a deliver_sm to a receiver
bound with the same account: each worker binds one and records the receipt on the notifications
the text told of. A receipt is acknowledged only once recorded, so one that arrives while the
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
    provider_ref: str  # the centre's id for the text, as submit_sm_resp gave it
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
    to a minute, whenever the centre goes away. Side effects: each notification's `delivery` and
    `delivery_at`."""

    def __init__(self, sessions: async_sessionmaker, centre: SmsCentre, poll: float = 1.0) -> None:
        self.sessions, self.centre, self.poll = sessions, centre, poll

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
        try:
            while not stop.is_set():
                pdu = await asyncio.to_thread(receiver.next)
                if pdu is None:
                    continue
                receipt = receipt_of(pdu)
                if receipt is not None and receipt.delivery != "accepted":  # not final: a later one follows
                    await self.record(receipt)
                await asyncio.to_thread(receiver.acknowledge, pdu)
        finally:
            await asyncio.to_thread(receiver.close)

    async def record(self, receipt: Receipt) -> None:
        at = datetime.now(timezone.utc)  # when it came: the centre's own clock and zone are its own
        async with self.sessions.begin() as session:
            for ref in same_ids(receipt.provider_ref):
                if await record_receipt(session, ref, receipt.delivery, at):
                    log.info("text %s: %s", ref, receipt.delivery)
                    return
        # A long text's earlier parts (its last part's id is kept), or a text from before receipts.
        log.debug("receipt for a text aryz does not keep (%s)", receipt.provider_ref)
