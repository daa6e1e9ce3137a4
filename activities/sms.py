"""Text messages to applicants, through an SMS centre over SMPP 3.4: the protocol Kyrgyz mobile
operators and SMS aggregators offer for messages sent by an organisation.

A text says what a mail says: there is news on case N, and where to read it. It has room for one
language, the one the applicant applied in. One session with the centre serves a relay's round.
"""

from dataclasses import dataclass

from smpplib import consts, gsm, smpp
from smpplib import exceptions as smpp_errors
from smpplib.client import Client

# What a centre's answer to one message means for it: refused for good (the number cannot be
# reached this way), or the centre will take nothing now (every other message would fare the same).
REFUSED = {consts.SMPP_ESME_RINVDSTADR, 0x50, 0x51, 0x33}  # invalid destination, its TON, its NPI; invalid number of destinations
CENTRE_BUSY = {consts.SMPP_ESME_RTHROTTLED, consts.SMPP_ESME_RMSGQFUL, consts.SMPP_ESME_RSYSERR}


class TextRefused(Exception):
    """This number will not take a text, now or later."""


class TextDeferred(Exception):
    """The centre did not take this message now; it may later."""


class CentreUnavailable(Exception):
    """The centre cannot be reached, or takes nothing now."""


@dataclass(frozen=True)
class SmsCentre:
    host: str
    port: int
    system_id: str
    password: str
    source: str  # the sender the applicant sees: a registered name ("MIGRATION") or a number
    timeout: float
    receipts: bool = False  # ask for delivery receipts (a worker then listens for them: sms_receipts.py)

    @classmethod
    def from_settings(cls, settings) -> "SmsCentre | None":
        """None when no centre is set: applicants who gave only a phone are then sent nothing."""
        if not settings.smpp_host:
            return None
        return cls(settings.smpp_host, settings.smpp_port, settings.smpp_system_id,
                   settings.smpp_password.get_secret_value() if settings.smpp_password else "",
                   settings.smpp_source, settings.smpp_timeout_seconds, settings.smpp_receipts)

    def link(self) -> "SmsLink":
        return SmsLink(self)


class SmsLink:
    """One transmitter session with the centre, bound at the first message and closed by the relay
    at the end of its round. Blocking: the relay calls it in a thread."""

    def __init__(self, centre: SmsCentre) -> None:
        self.centre = centre
        self._client: Client | None = None

    def _bind(self) -> Client:
        self._client = bound(self.centre, "bind_transmitter")
        return self._client

    def send(self, number: str, text: str) -> tuple[str, ...]:
        """Submits the text to `number` (international digits), in as many parts as it needs, and
        returns once the centre has taken every part: the centre's id for each part, which the
        part's delivery receipt names."""
        client = self._client or self._bind()
        parts, coding, esm_class = gsm.make_parts(text)
        alphanumeric = not self.centre.source.lstrip("+").isdigit()
        message_ids = []
        for part in parts:
            try:
                client.send_message(
                    source_addr_ton=consts.SMPP_TON_ALNUM if alphanumeric else consts.SMPP_TON_INTL,
                    source_addr_npi=consts.SMPP_NPI_UNK if alphanumeric else consts.SMPP_NPI_ISDN,
                    source_addr=self.centre.source.lstrip("+"),
                    dest_addr_ton=consts.SMPP_TON_INTL, dest_addr_npi=consts.SMPP_NPI_ISDN,
                    destination_addr=number, short_message=part, data_coding=coding, esm_class=esm_class,
                    registered_delivery=self.centre.receipts)
                message_ids.append(self._answer(client))
            except (smpp_errors.ConnectionError, OSError) as err:
                self.close()
                raise CentreUnavailable(type(err).__name__) from None
        return tuple(message_ids)

    @staticmethod
    def _answer(client: Client) -> str:
        """Reads PDUs until the centre answers the message just sent (it may ask whether we are
        still there first)."""
        while True:
            try:
                pdu = client.read_pdu()
            except TimeoutError:
                raise CentreUnavailable("no answer") from None
            if pdu.command == "enquire_link":
                client._enquire_link_received(pdu)  # the library's own answer to a keep-alive
                continue
            if pdu.command != "submit_sm_resp":
                continue
            status = int(pdu.status)
            if status == consts.SMPP_ESME_ROK:
                return text_of(pdu.message_id)
            if status in REFUSED:
                raise TextRefused(f"status {status:#x}")
            if status in CENTRE_BUSY:
                raise CentreUnavailable(f"status {status:#x}")
            raise TextDeferred(f"status {status:#x}")

    def close(self) -> None:
        if self._client is None:
            return
        client, self._client = self._client, None
        try:
            client.unbind()
        except (smpp_errors.ConnectionError, smpp_errors.PDUError, OSError):
            pass  # the centre went first: nothing to unbind
        client.disconnect()


def bound(centre: SmsCentre, how: str) -> Client:
    """A session with the centre, bound as a transmitter or a receiver (`how`: the bind command)."""
    client = Client(centre.host, centre.port, timeout=centre.timeout, allow_unknown_opt_params=True,
                    logger_name="aryz.sms.smpp")
    try:
        client.connect()
        getattr(client, how)(system_id=centre.system_id, password=centre.password)
    except (smpp_errors.ConnectionError, smpp_errors.PDUError, OSError) as err:
        client.disconnect()
        raise CentreUnavailable(type(err).__name__) from None
    return client


def text_of(value) -> str:
    """A PDU's string field as text (smpplib gives bytes, or None when the field is empty)."""
    return value.decode("ascii", "replace") if isinstance(value, bytes) else (value or "")


class SmsReceiver:
    """A session bound as a receiver, through which the centre sends delivery receipts. Blocking:
    the listener calls it in a thread; each read waits at most `poll` seconds, so that a worker
    that is stopping is not held."""

    KEEP_ALIVE = 30.0  # seconds without a word from the centre before asking whether it is there

    def __init__(self, centre: SmsCentre, poll: float = 1.0) -> None:
        self.client = bound(centre, "bind_receiver")
        self.client._socket.settimeout(poll)
        self._quiet = 0.0
        self._poll = poll

    def next(self):
        """The next deliver_sm, or None when nothing came within the poll (keep-alives answered)."""
        try:
            pdu = self.client.read_pdu()
        except TimeoutError:
            self._quiet += self._poll
            if self._quiet >= self.KEEP_ALIVE:
                self._quiet = 0.0
                self._send(smpp.make_pdu("enquire_link", client=self.client))
            return None
        except (smpp_errors.ConnectionError, smpp_errors.PDUError, OSError) as err:
            raise CentreUnavailable(type(err).__name__) from None
        self._quiet = 0.0
        if pdu.command == "enquire_link":
            self._answer(pdu, "enquire_link_resp")
        elif pdu.command == "unbind":
            self._answer(pdu, "unbind_resp")
            raise CentreUnavailable("unbound by the centre")
        elif pdu.command == "deliver_sm":
            return pdu
        return None

    def acknowledge(self, pdu) -> None:
        """Tells the centre the receipt is recorded: until then it keeps it, to send again."""
        self._answer(pdu, "deliver_sm_resp")

    def _answer(self, pdu, command: str) -> None:
        answer = smpp.make_pdu(command, client=self.client)
        answer.sequence = pdu.sequence
        self._send(answer)

    def _send(self, pdu) -> None:
        try:
            self.client.send_pdu(pdu)
        except (smpp_errors.ConnectionError, smpp_errors.PDUError, OSError) as err:
            raise CentreUnavailable(type(err).__name__) from None

    def close(self) -> None:
        try:
            self.client.unbind()
        except (smpp_errors.ConnectionError, smpp_errors.PDUError, OSError, TimeoutError):
            pass
        self.client.disconnect()
