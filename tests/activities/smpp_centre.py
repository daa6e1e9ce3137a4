"""An SMS centre on 127.0.0.1 that speaks SMPP 3.4 as an operator's does, for the relay's tests:
it binds transmitters and receivers that give its password, takes submit_sm (joining a long
text's parts by their user data header), answers each with the status a test sets for its number,
and sends a delivery receipt for each text that asked for one to a bound receiver (kept until one
binds, and until it is acknowledged)."""

import asyncio
import itertools
import struct

from smpplib import consts, smpp
from smpplib.client import SimpleSequenceGenerator

# Ids no centre of this test session gives twice, as an operator's centre gives none twice for as
# long as its receipts can come: the tests' texts share one database.
_MESSAGE_IDS = itertools.count(0x1A0)


class SmsCentre:
    def __init__(self, password: str = "sesame") -> None:
        self.password = password
        self.texts: list[tuple[str, str, str]] = []  # (sender, number, text) of each whole text taken
        self.status_for: dict[str, int] = {}  # number -> the status its submit_sm is answered with
        self.binds = 0
        self.server: asyncio.AbstractServer | None = None
        self.port = 0
        self._parts: dict[tuple[str, int], dict[int, bytes]] = {}
        self._sequences = SimpleSequenceGenerator()  # parsing a request numbers it; ours are answers
        self.receipt_stat = "DELIVRD"  # what each receipt says, unless
        self.part_stats: list[str] = []  # what the receipts of the next parts say, in turn
        self.held: list[bytes] | None = None  # receipts kept back (when a list) until `release`
        self.receipts_in_decimal = False  # a centre that writes the receipt's id in decimal, its answer's in hex
        self.unacknowledged: dict[int, bytes] = {}  # sequence -> a receipt sent and not yet acknowledged
        self._receivers: list[asyncio.StreamWriter] = []

    async def start(self, port: int = 0) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", port or self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
            self.server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readexactly(4)
                data = head + await reader.readexactly(struct.unpack(">L", head)[0] - 4)
                pdu = smpp.parse_pdu(data, client=self._sequences, allow_unknown_opt_params=True)
                if pdu.command == "deliver_sm_resp":
                    self.unacknowledged.pop(pdu.sequence, None)
                    continue
                answer = self._answer(pdu)
                answer.sequence = pdu.sequence
                writer.write(answer.generate())
                await writer.drain()
                if pdu.command == "bind_receiver" and answer.status == consts.SMPP_ESME_ROK:
                    self._receivers.append(writer)
                    for receipt in self.unacknowledged.values():  # sent to a receiver that went away
                        writer.write(receipt)
                if pdu.command == "unbind":
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            if writer in self._receivers:
                self._receivers.remove(writer)
            writer.close()

    def _answer(self, pdu):
        if pdu.command in ("bind_transmitter", "bind_receiver"):
            ok = _text(pdu.password) == self.password
            self.binds += ok and pdu.command == "bind_transmitter"
            return smpp.make_pdu(f"{pdu.command}_resp", status=consts.SMPP_ESME_ROK if ok else
                                 consts.SMPP_ESME_RINVPASWD, system_id="centre")
        if pdu.command == "submit_sm":
            number = _text(pdu.destination_addr)
            status = self.status_for.get(number, consts.SMPP_ESME_ROK)
            if status != consts.SMPP_ESME_ROK:
                return smpp.make_pdu("submit_sm_resp", status=status, message_id="")
            self._take(_text(pdu.source_addr), number, pdu)
            message_id = next(_MESSAGE_IDS)
            if pdu.registered_delivery:
                self._receipt(message_id, number)
            return smpp.make_pdu("submit_sm_resp", status=status, message_id=format(message_id, "x"))
        if pdu.command == "enquire_link":
            return smpp.make_pdu("enquire_link_resp")
        if pdu.command == "unbind":
            return smpp.make_pdu("unbind_resp")
        return smpp.make_pdu("generic_nack", status=consts.SMPP_ESME_RINVCMDID)

    def _receipt(self, message_id: int, number: str) -> None:
        """A receipt in the text form of SMPP 3.4 Appendix B, as most centres write it."""
        shown = str(message_id) if self.receipts_in_decimal else format(message_id, "x")
        stat = self.part_stats.pop(0) if self.part_stats else self.receipt_stat
        receipt = smpp.make_pdu("deliver_sm", client=self._sequences, source_addr=number, destination_addr="MIGRATION",
                                esm_class=0x04, short_message=(
                                    f"id:{shown} sub:001 dlvrd:001 submit date:2612051010 done date:2612051011 "
                                    f"stat:{stat} err:000 text:").encode())
        raw = receipt.generate()
        self.unacknowledged[receipt.sequence] = raw
        if self.held is not None:
            self.held.append(raw)
            return
        for writer in self._receivers[:1]:
            writer.write(raw)

    def release(self, reverse: bool = False, most: int | None = None) -> None:
        """Sends `most` (or all) of the receipts kept back, in the order of their parts or the other
        way round (an operator's network does not keep the parts' order); the rest stay kept back."""
        held = (self.held or [])[::-1] if reverse else (self.held or [])
        now, later = held[:most], held[most:] if most is not None else []
        self.held = (later[::-1] if reverse else later) if later else None
        for raw in now:
            for writer in self._receivers[:1]:
                writer.write(raw)

    def _take(self, sender: str, number: str, pdu) -> None:
        body = pdu.short_message
        coding = "utf-16-be" if pdu.data_coding == consts.SMPP_ENCODING_ISO10646 else "latin-1"
        if not pdu.esm_class & consts.SMPP_GSMFEAT_UDHI:
            self.texts.append((sender, number, body.decode(coding)))
            return
        # UDH: length, IE "concatenated, 8-bit reference" (0x00, 3), reference, parts, this part.
        udh_length, reference, total, index = body[0], body[3], body[4], body[5]
        parts = self._parts.setdefault((number, reference), {})
        parts[index] = body[1 + udh_length:]
        if len(parts) == total:
            del self._parts[(number, reference)]
            self.texts.append((sender, number, b"".join(parts[i] for i in sorted(parts)).decode(coding)))


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else (value or "")
