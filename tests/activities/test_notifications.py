"""Applicants are told by mail that there is news on their case, and nothing more: a real SMTP
server on 127.0.0.1 receives what the relay sends."""

import uuid
from datetime import datetime, timezone
from email import message_from_string, policy

from aiosmtpd.controller import Controller
from sqlalchemy import select

from activities.notifications import MailServer, NotificationRelay
from activities.read_model import ReadModelActivities
from api.services.applications import submit_application
from db.models import Notification
from schemas.messages import TransitionRecord
from schemas.procedures import PROCEDURES
from tests.conftest import PUBLIC_URL, SECRET
from tests.factories import refugee_application


class Relay(NotificationRelay):
    async def send_pending(self, most: int = 100_000) -> int:
        """The whole outbox: other tests leave theirs in the same database, oldest first."""
        return await super().send_pending(most)


def relay(sessions, port: int) -> NotificationRelay:
    server = MailServer("127.0.0.1", port, starttls=False, user="", password="", sender="aryz@mlsp.gov.kg", timeout=5)
    return Relay(sessions, server, PUBLIC_URL)


async def case_with_news(sessions, **contact) -> str:
    """A refugee case whose registration the applicant is to be told of."""
    data = refugee_application()
    data["contact"] = {"address": "Bishkek, Chui avenue 1", **contact}
    async with sessions.begin() as session:
        app = PROCEDURES["refugee"].application.model_validate(data)
        n = (await submit_application(session, PROCEDURES["refugee"], app, str(uuid.uuid4()), SECRET)).case.case_number
    await ReadModelActivities(sessions).record_transition(TransitionRecord(
        case_number=n, seq=1, at=datetime.now(timezone.utc), state="REGISTERED", event="registered",
        public_note="application_rejected_with_reason", note_params={"reason": "Contradictions on dates."},
        notify_applicant=True))
    return n


async def outbox(sessions, case_number: str) -> list[Notification]:
    async with sessions() as s:
        return list(await s.scalars(select(Notification).where(Notification.case_number == case_number)))


async def dealt_with_unmailed(sessions, mailbox, case_number: str) -> Notification:
    """The relay's round marks the case's one notification done, and no mail names the case."""
    await relay(sessions, mailbox.port).send_pending()
    assert not [m for m in mailbox.mails if case_number in m[1]]
    [done] = await outbox(sessions, case_number)
    assert done.sent_at is not None
    return done


async def test_the_applicant_is_mailed_once_that_there_is_news_and_nothing_of_what_it_is(sessions, mailbox):
    n = await case_with_news(sessions, email="dilnoza@example.kg")
    await relay(sessions, mailbox.port).send_pending()
    await relay(sessions, mailbox.port).send_pending()  # a second round sends nothing again
    mine = [(to, body) for to, body in mailbox.mails if n in body]
    assert len(mine) == 1 and mine[0][0] == ["dilnoza@example.kg"]
    mail = message_from_string(mine[0][1], policy=policy.default)
    assert mail["Message-ID"] == f"<{n}.1@mlsp.gov.kg>"
    assert n in mail["Subject"] and "Арызыңыз боюнча жаңылык бар" in mail["Subject"]
    body = mail.get_content()
    for words in ("арызыңыз боюнча жаңылык бар", "По вашему обращению", "There is news on your application"):
        assert words in body
    assert f"{PUBLIC_URL}/?lang=ky" in body and f"{PUBLIC_URL}/?lang=ru" in body
    # Neither the news nor who it is about: a mailbox is not the place for a refusal's reasons.
    assert "Contradictions" not in body and "Karimova" not in body and "KARIMOVA" not in body
    [sent] = await outbox(sessions, n)
    assert sent.sent_at is not None and sent.channel == "email"


async def test_a_phone_only_applicant_reads_the_news_on_the_status_page(sessions, mailbox):
    n = await case_with_news(sessions, phone="+996555000111")
    assert (await dealt_with_unmailed(sessions, mailbox, n)).channel == "none"


async def test_news_waits_while_the_mail_server_is_away_and_goes_when_it_is_back(sessions, mailbox):
    n = await case_with_news(sessions, email="ermek@example.kg")
    mailbox.controller.stop()
    await relay(sessions, mailbox.port).send_pending()
    [waiting] = await outbox(sessions, n)
    assert waiting.sent_at is None
    back = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    back.start()
    try:
        await relay(sessions, mailbox.port).send_pending()
    finally:
        mailbox.controller = back  # the fixture stops this one
    assert [to for to, body in mailbox.mails if n in body] == [["ermek@example.kg"]]


async def test_an_address_the_server_refuses_for_good_is_not_tried_forever(sessions, mailbox):
    n = await case_with_news(sessions, email="gone@example.kg")
    mailbox.refuse = True
    await relay(sessions, mailbox.port).send_pending()
    [refused] = await outbox(sessions, n)
    assert refused.channel == "refused" and refused.sent_at is not None


async def test_a_worker_process_set_with_a_mail_server_and_an_sms_centre_tells_of_a_decision(
        dev_env, sessions, database_url_, mailbox, centre):
    """`aryz worker` with ARYZ_SMTP_HOST and ARYZ_SMPP_HOST: the registration the applicant is told
    of reaches their mailbox, or their phone when they gave no email."""
    import os
    import subprocess
    import sys

    from tests.conftest import AUDIT_KEYS_SPEC, DATA_KEYS_SPEC, DOCUMENT_KEYS_SPEC, PAYLOAD_KEYS, SIGNER, eventually
    from tests.workflows.harness import CaseDriver

    queue = f"aryz-mail-{uuid.uuid4().hex[:6]}"
    env = dict(os.environ, ARYZ_DATABASE_URL=database_url_, ARYZ_SECRET_KEY=SECRET, ARYZ_TASK_QUEUE=queue,
               ARYZ_PAYLOAD_KEYS=PAYLOAD_KEYS, ARYZ_MESSAGE_PUBLIC_KEYS=SIGNER.public_spec(),
               ARYZ_AUDIT_KEYS=AUDIT_KEYS_SPEC, ARYZ_DATA_KEYS=DATA_KEYS_SPEC, ARYZ_DOCUMENT_SIGNING_KEYS=DOCUMENT_KEYS_SPEC,
               ARYZ_TEMPORAL_ADDRESS=dev_env.client.service_client.config.target_host,
               ARYZ_SMTP_HOST="127.0.0.1", ARYZ_SMTP_PORT=str(mailbox.port), ARYZ_SMTP_STARTTLS="false",
               ARYZ_SMTP_FROM="aryz@mlsp.gov.kg", ARYZ_NOTIFICATION_SECONDS="0.2", ARYZ_NOTIFICATION_SETTLE_SECONDS="2",
               ARYZ_DOCUMENT_RENDER_PROCESSES="0",
               ARYZ_SMPP_HOST="127.0.0.1", ARYZ_SMPP_PORT=str(centre.port), ARYZ_SMPP_SYSTEM_ID="aryz",
               ARYZ_SMPP_PASSWORD=centre.password)
    worker = subprocess.Popen([sys.executable, "-m", "cli", "worker"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        driver = CaseDriver(dev_env.client, sessions, queue)
        n = await driver.lodge(contact={"address": "Bishkek", "email": "family@example.kg"})
        await driver.decide("registration", "register", "registrar")

        async def mailed():
            return [to for to, body in mailbox.mails if f"{n}.2@" in body or f"Message-ID: <{n}." in body]
        assert (await eventually(mailed, timeout=30))[0] == ["family@example.kg"]
        texted = CaseDriver(dev_env.client, sessions, queue)
        m = await texted.lodge(contact={"address": "Bishkek", "phone": "0700 123 456"})
        await texted.decide("registration", "register", "registrar")

        async def text():
            return [(number, body) for _, number, body in centre.texts if m in body]
        [(number, body)] = await eventually(text, timeout=30)
        assert number == "996700123456" and "арызыңыз боюнча жаңылык бар" in body

        async def receipted():  # the worker's receiver recorded the operator's receipt
            return {x.delivery for x in await outbox(sessions, m)} == {"delivered"}
        await eventually(receipted, timeout=30)
    finally:
        worker.terminate()
        worker.wait(15)


async def test_news_older_than_a_week_is_not_mailed_when_mail_is_first_set_up(sessions, mailbox):
    from datetime import timedelta

    from sqlalchemy import update

    n = await case_with_news(sessions, email="late@example.kg")
    async with sessions.begin() as s:
        await s.execute(update(Notification).where(Notification.case_number == n)
                        .values(created_at=datetime.now(timezone.utc) - timedelta(days=8)))
    assert (await dealt_with_unmailed(sessions, mailbox, n)).channel == "stale"


async def test_a_mailbox_full_for_now_does_not_hold_back_the_news_of_others(sessions, mailbox):
    full = await case_with_news(sessions, email="full@example.kg")
    other = await case_with_news(sessions, email="other@example.kg")
    mailbox.full.add("full@example.kg")
    await relay(sessions, mailbox.port).send_pending()
    assert [to for to, body in mailbox.mails if other in body] == [["other@example.kg"]]
    [waiting] = await outbox(sessions, full)
    assert waiting.sent_at is None  # tried again next round, until it is a week old
    mailbox.full.clear()
    await relay(sessions, mailbox.port).send_pending()
    assert [to for to, body in mailbox.mails if full in body] == [["full@example.kg"]]


async def test_news_that_came_together_is_one_mail(sessions, mailbox):
    """A decision and the document it issued: two notifications, one mail."""
    n = await case_with_news(sessions, email="together@example.kg")
    await ReadModelActivities(sessions).record_transition(TransitionRecord(
        case_number=n, seq=2, at=datetime.now(timezone.utc), state="REGISTERED", event="document_issued",
        public_note="document_issued", notify_applicant=True))
    await relay(sessions, mailbox.port).send_pending()
    assert [to for to, body in mailbox.mails if n in body] == [["together@example.kg"]]
    assert {(x.seq, x.channel) for x in await outbox(sessions, n)} == {(1, "email"), (2, "email")}
