"""Servers on 127.0.0.1 that the notification relay sends to: a mail server and an SMS centre."""

import pytest
from aiosmtpd.controller import Controller

from tests.activities.mail_server import Mailbox, free_port
from tests.activities.smpp_centre import SmsCentre


@pytest.fixture
def mailbox():
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    box.port, box.controller = port, controller
    yield box
    box.controller.stop()  # the one running at the end


@pytest.fixture
async def centre():
    centre = SmsCentre()
    await centre.start()
    yield centre
    await centre.stop()
