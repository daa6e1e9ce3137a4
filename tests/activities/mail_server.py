"""A mail server on 127.0.0.1 for the relay's tests (aiosmtpd): it takes what the relay sends, and
refuses recipients as a test asks."""

import socket


class Mailbox:
    """What the mail server accepted; `refuse` makes it refuse every recipient for good."""

    def __init__(self) -> None:
        self.mails: list[tuple[list[str], str]] = []
        self.refuse = False
        self.full: set[str] = set()  # mailboxes full for now

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "550 5.1.1 no such mailbox"
        if address in self.full:
            return "452 4.2.2 mailbox full"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.mails.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8")))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

