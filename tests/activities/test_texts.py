"""Applicants who gave only a phone are texted that there is news on their case, in the language
they applied in, and nothing more: a real SMPP centre on 127.0.0.1 receives what the relay sends."""

import uuid
from datetime import datetime, timezone

import pytest
from smpplib import consts

from activities.notifications import MailServer
from activities.read_model import ReadModelActivities
from activities.sms import SmsCentre as CentreSettings
from api.services.applications import submit_application
from schemas.messages import TransitionRecord
from schemas.phone import international_number
from schemas.procedures import PROCEDURES
from tests.activities.smpp_centre import SmsCentre
from tests.activities.test_notifications import Relay, outbox
from tests.conftest import PUBLIC_URL, SECRET
from tests.factories import refugee_application


def relay(sessions, centre: SmsCentre, mail_port: int | None = None, password: str = "sesame",
          receipts: bool = False) -> Relay:
    sms = CentreSettings("127.0.0.1", centre.port, "aryz", password, "MIGRATION", timeout=5, receipts=receipts)
    mail = (MailServer("127.0.0.1", mail_port, starttls=False, user="", password="", sender="aryz@mlsp.gov.kg",
                       timeout=5) if mail_port else None)
    return Relay(sessions, mail, PUBLIC_URL, sms=sms)


async def case_with_news(sessions, lang: str = "", **contact) -> str:
    data = refugee_application()
    data["contact"] = {"address": "Bishkek, Chui avenue 1", **contact}
    async with sessions.begin() as session:
        app = PROCEDURES["refugee"].application.model_validate(data)
        n = (await submit_application(session, PROCEDURES["refugee"], app, str(uuid.uuid4()), SECRET, lang)
             ).case.case_number
    await ReadModelActivities(sessions).record_transition(TransitionRecord(
        case_number=n, seq=1, at=datetime.now(timezone.utc), state="REJECTED", event="decided",
        public_note="application_rejected_with_reason", note_params={"reason": "Contradictions on dates."},
        notify_applicant=True))
    return n


def texts_of(centre: SmsCentre, case_number: str) -> list[tuple[str, str, str]]:
    return [t for t in centre.texts if case_number in t[2]]


@pytest.mark.parametrize("written, number", [
    ("+996 555 123 456", "996555123456"), ("0555 123-456", "996555123456"), ("555123456", "996555123456"),
    ("996555123456", "996555123456"), ("00 7 916 123 45 67", "79161234567"), ("+7 (916) 123-45-67", "79161234567"),
    ("12345", None), ("8 916 123 45 67", None), ("+0555123456", None), ("", None)])
def test_a_phone_is_written_as_the_centre_wants_it_or_not_guessed(written, number):
    assert international_number(written) == number


async def test_a_phone_only_applicant_is_texted_once_in_their_language_and_nothing_of_the_news(sessions, centre):
    n = await case_with_news(sessions, "ru", phone="0555 123 456")
    await relay(sessions, centre).send_pending()
    await relay(sessions, centre).send_pending()  # a second round sends nothing again
    [(sender, number, text)] = texts_of(centre, n)
    assert (sender, number) == ("MIGRATION", "996555123456")
    assert text == (f"По вашему обращению {n} есть новости. Откройте {PUBLIC_URL}/?lang=ru "
                    "и введите номер дела и код доступа.")  # Cyrillic: UCS-2, in two parts joined again
    assert "Contradictions" not in text and "Karimova" not in text.title()
    [sent] = await outbox(sessions, n)
    assert sent.channel == "sms" and sent.sent_at is not None


async def test_an_applicant_whose_language_is_not_known_is_texted_in_kyrgyz_and_russian(sessions, centre):
    n = await case_with_news(sessions, phone="+996700000001")
    await relay(sessions, centre).send_pending()
    [(_, _, text)] = texts_of(centre, n)
    assert text.startswith(f"{n} арызыңыз боюнча жаңылык бар") and "\nПо вашему обращению" in text


async def test_an_email_is_preferred_and_a_refused_address_falls_back_to_a_text(sessions, centre, mailbox):
    both = await case_with_news(sessions, "ky", phone="+996700000002", email="both@example.kg")
    await relay(sessions, centre, mailbox.port).send_pending()
    assert [to for to, body in mailbox.mails if both in body] == [["both@example.kg"]] and not texts_of(centre, both)
    mailbox.refuse = True
    gone = await case_with_news(sessions, "ky", phone="+996700000003", email="gone@example.kg")
    await relay(sessions, centre, mailbox.port).send_pending()
    assert [number for _, number, _ in texts_of(centre, gone)] == ["996700000003"]
    assert [x.channel for x in await outbox(sessions, gone)] == ["sms"]


async def test_texts_wait_while_the_centre_is_away_or_refuses_the_password_and_go_when_it_is_back(sessions, centre):
    n = await case_with_news(sessions, "en", phone="+996700000004")
    await relay(sessions, centre, password="wrong").send_pending()
    await centre.stop()
    await relay(sessions, centre).send_pending()
    [waiting] = await outbox(sessions, n)
    assert waiting.sent_at is None and not texts_of(centre, n)
    await centre.start()
    await relay(sessions, centre).send_pending()
    [(_, _, text)] = texts_of(centre, n)
    assert text == f"There is news on your application {n}. Open {PUBLIC_URL}/?lang=en and enter the case number and access code."


async def test_a_number_the_centre_refuses_is_not_tried_forever_and_a_busy_centre_is_tried_again(sessions, centre):
    refused = await case_with_news(sessions, "ky", phone="+996700000005")
    busy = await case_with_news(sessions, "ky", phone="+996700000006")
    centre.status_for["996700000005"] = consts.SMPP_ESME_RINVDSTADR
    centre.status_for["996700000006"] = consts.SMPP_ESME_RTHROTTLED
    await relay(sessions, centre).send_pending()
    assert [(x.channel, x.sent_at is not None) for x in await outbox(sessions, refused)] == [("refused", True)]
    assert [x.sent_at for x in await outbox(sessions, busy)] == [None]
    del centre.status_for["996700000006"]
    await relay(sessions, centre).send_pending()
    assert [x.channel for x in await outbox(sessions, busy)] == ["sms"] and len(texts_of(centre, busy)) == 1


async def test_one_session_with_the_centre_serves_a_round(sessions, centre):
    cases = [await case_with_news(sessions, "ru", phone=f"+99670000010{i}") for i in range(3)]
    binds = centre.binds
    await relay(sessions, centre).send_pending()
    assert all(len(texts_of(centre, n)) == 1 for n in cases)
    assert centre.binds - binds == 1



async def test_news_is_sent_once_it_has_settled_so_a_decision_and_its_document_are_one_text(sessions, centre):
    from datetime import timedelta

    from sqlalchemy import update

    from db.models import Notification

    n = await case_with_news(sessions, "ru", phone="+996700000201")
    settling = relay(sessions, centre)
    settling.settle = timedelta(seconds=30)
    await settling.send_pending()
    assert not texts_of(centre, n)  # just written: the document may follow
    await ReadModelActivities(sessions).record_transition(TransitionRecord(
        case_number=n, seq=2, at=datetime.now(timezone.utc), state="REJECTED", event="document_issued",
        public_note="letter_issued", note_params={"number": "RFL-C-2026-000001"}, notify_applicant=True))
    async with sessions.begin() as s:  # the decision's news is 31 s old, its letter's a second
        await s.execute(update(Notification).where(Notification.case_number == n, Notification.seq == 1)
                        .values(created_at=datetime.now(timezone.utc) - timedelta(seconds=31)))
    await settling.send_pending()
    assert len(texts_of(centre, n)) == 1
    assert {(x.seq, x.channel) for x in await outbox(sessions, n)} == {(1, "sms"), (2, "sms")}


async def test_a_phone_stored_before_numbers_were_checked_is_not_guessed_at(sessions, centre):
    from activities.notifications import Contact

    [notification] = await outbox(sessions, await case_with_news(sessions, "ky", phone="+996700000301"))
    link = relay(sessions, centre).sms.link()
    try:
        how, ref = await relay(sessions, centre)._text(notification, Contact("", "8 916 123 45 67", "ky"), link)
    finally:
        link.close()
    assert (how, ref) == ("refused", ()) and not texts_of(centre, notification.case_number)


def test_an_application_with_a_phone_no_text_can_reach_is_refused_in_the_readers_words():
    from pydantic import ValidationError

    from schemas.people import Contact

    for phone in ("8 916 123 45 67", "12345", "+0555123456"):
        with pytest.raises(ValidationError) as refused:
            Contact(address="Osh", phone=phone)
        assert refused.value.errors()[0]["type"] == "phone_unreadable"
    assert Contact(address="Osh", phone="0555 123 456").phone == "0555 123 456"  # kept as written
