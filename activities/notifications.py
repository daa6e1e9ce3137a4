"""Telling applicants there is news on their case: the relay of the notifications outbox.

A transition that tells the applicant something writes a notification in its own transaction
(db/repositories/transitions.py). This relay sends each one in turn: by email to the address the
application gave, or, to an applicant who gave only a phone (or whose address the mail server
refuses), as a text message through the SMS centre (activities/sms.py). Either says only that
there is news, with the case number and where to read it: the status page, behind the access
code. What the news is (a refusal, its ground, an officer's reasons) never sits in a mailbox, on a
phone or in a server's log, which for a refugee could reach the wrong people.

A notification is marked sent in the transaction that locked it, after the server accepted it. A
crash between the two sends it again after the restart: a mail with the same Message-ID (the case
and its transition), which mail clients show once; a text twice.
"""

import asyncio
import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email import policy
from email.message import EmailMessage

from sqlalchemy.ext.asyncio import async_sessionmaker

from activities.sms import CentreUnavailable, SmsCentre, SmsLink, TextDeferred, TextRefused
from api.i18n import text
from db.models import Notification
from db.repositories.cases import get_case
from db.repositories.notifications import also_unsent, mark_sent, next_unsent
from db.sealing import session_sealer
from schemas.phone import first_channel, international_number

log = logging.getLogger("aryz.notifications")
# Whoever reads it: the state language, the official language, and English for a foreigner.
MAIL_LANGS = ("ky", "ru", "en")
_MAIL_POLICY = policy.SMTP.clone(max_line_length=998)


@dataclass(frozen=True)
class MailServer:
    host: str
    port: int
    starttls: bool
    user: str
    password: str
    sender: str
    timeout: float

    @classmethod
    def from_settings(cls, settings) -> "MailServer | None":
        """None when no server is set: notifications then wait in the outbox."""
        if not settings.smtp_host:
            return None
        return cls(settings.smtp_host, settings.smtp_port, settings.smtp_starttls, settings.smtp_user,
                   settings.smtp_password.get_secret_value() if settings.smtp_password else "", settings.smtp_from,
                   settings.smtp_timeout_seconds)

    def send(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.user:
                smtp.login(self.user, self.password)
            smtp.send_message(message)


@dataclass(frozen=True)
class Contact:
    email: str
    phone: str
    lang: str  # the language the applicant applied in, or ""


class NotificationRelay:
    """Sends the outbox's notifications, oldest first, each exactly once but for a crash between a
    server's acceptance and the commit. Side effects: one mail (or, failing an address, one text)
    for the news of a case that came together (a decision and its document); each notification
    marked with how it went (`email`, `sms`, `none` when no channel aryz has can reach the
    applicant, `refused` when every one that could refused them for good, `stale` when it waited
    longer than `max_age`, as it would when mail is first set up)."""

    def __init__(self, sessions: async_sessionmaker, mail: MailServer | None, public_url: str, meter=None,
                 max_age: timedelta = timedelta(days=7), sms: SmsCentre | None = None,
                 settle: timedelta = timedelta(0)) -> None:
        self.sessions, self.mail, self.public_url, self.meter = sessions, mail, public_url.rstrip("/"), meter
        # News is sent once it is `settle` old, so that what follows it within seconds (the document
        # a decision issues) goes in the same mail or text, not in a second one.
        self.max_age, self.sms, self.settle = max_age, sms, settle
        self._away: set[str] = set()  # the channels found away in this round: the rest of it waits

    @classmethod
    def from_settings(cls, settings, sessions: async_sessionmaker, meter=None) -> "NotificationRelay | None":
        """None when aryz has neither a mail server nor an SMS centre: notifications wait in the outbox."""
        mail, sms = MailServer.from_settings(settings), SmsCentre.from_settings(settings)
        if mail is None and sms is None:
            return None
        return cls(sessions, mail, settings.public_url, meter, timedelta(days=settings.notification_max_age_days), sms,
                   timedelta(seconds=settings.notification_settle_seconds))

    async def send_pending(self, most: int = 100) -> int:
        """Deals with up to `most` notifications (passing over at most as many more for now); stops
        early when the outbox is empty. Returns how many were dealt with."""
        link = self.sms.link() if self.sms else None
        try:
            return await self._round(most, link)
        finally:
            if link is not None:
                await asyncio.to_thread(link.close)

    async def _round(self, most: int, link: SmsLink | None) -> int:
        done, deferred = 0, set()
        self._away.clear()
        while done < most and len(deferred) < most:
            # The row stays locked while the server answers (at most its timeout): one connection
            # of the worker's pool, never a request's.
            async with self.sessions.begin() as session:
                notification = await next_unsent(session, deferred, self.settle)
                if notification is None:
                    return done
                together = [notification.id, *await also_unsent(session, notification)]
                parts: tuple[str, ...] = ()  # the SMS centre's id for each part of a text, for its receipts
                if notification.created_at < datetime.now(timezone.utc) - self.max_age:
                    channel = "stale"  # news from before mail was set up: the status page has it
                else:
                    channel, parts = await self._deliver(notification, await self._contact(session, notification), link)
                if channel == "deferred":  # for now: this address, or a server that is away this round
                    deferred.update(together)
                    continue
                await mark_sent(session, together, channel, datetime.now(timezone.utc), parts)
            done += len(together)
            if self.meter is not None:
                self.meter.create_counter("aryz_notifications", "Applicants' notifications, by how they went").add(
                    len(together), {"channel": channel})
            log.info("notification %s#%d: %s", notification.case_number, notification.seq, channel,
                     extra={"case_number": notification.case_number})
        return done

    @staticmethod
    async def _contact(session, notification: Notification) -> Contact:
        """How the application said to reach the applicant."""
        case = await get_case(session, notification.case_number)
        if case is None:
            return Contact("", "", "")
        contact = session_sealer(session).open((case.application or {}).get("contact") or {},
                                               f"{case.case_number}|application.contact") or {}
        return Contact(contact.get("email") or "", contact.get("phone") or "", case.lang or "")

    async def _deliver(self, notification: Notification, contact: Contact,
                       link: SmsLink | None) -> tuple[str, tuple[str, ...]]:
        """How it went ("deferred": try this one again next round, until it is stale), and the ids
        of a text's parts at the SMS centre."""
        how = first_channel(contact.email, contact.phone, self.mail is not None, link is not None)
        if how == "email":
            how = await self._mail(notification, contact.email)
            if how != "refused":
                return how, ()
        if contact.phone and link is not None:  # first, or when the mail server refused the address
            return await self._text(notification, contact, link)
        return how, ()

    async def _mail(self, notification: Notification, address: str) -> str:
        if "mail" in self._away:
            return "deferred"
        try:
            await asyncio.to_thread(self.mail.send, self.message(notification, address))
        except smtplib.SMTPRecipientsRefused as err:
            if all(code >= 500 for code, _ in err.recipients.values()):
                return "refused"
            log.warning("mail to the applicant of %s deferred by the server", notification.case_number)
            return "deferred"
        except smtplib.SMTPDataError as err:  # this message, not the server: refused for good or for now
            log.warning("mail to the applicant of %s not taken (%d)", notification.case_number, err.smtp_code)
            return "refused" if err.smtp_code >= 500 else "deferred"
        except (OSError, smtplib.SMTPException) as err:
            log.warning("mail server unavailable (%s); notifications wait", type(err).__name__)
            self._away.add("mail")  # every other mail would fail the same way this round
            return "deferred"
        return "email"

    async def _text(self, notification: Notification, contact: Contact,
                    link: SmsLink) -> tuple[str, tuple[str, ...]]:
        number = international_number(contact.phone)
        if number is None:
            log.warning("the phone of the applicant of %s is not a number a text can go to",
                        notification.case_number)
            return "refused", ()
        if "sms" in self._away:
            return "deferred", ()
        try:
            parts = await asyncio.to_thread(link.send, number, self.text_message(notification, contact.lang))
        except TextRefused as err:
            log.warning("text to the applicant of %s refused by the SMS centre (%s)", notification.case_number, err)
            return "refused", ()
        except TextDeferred as err:
            log.warning("text to the applicant of %s not taken for now (%s)", notification.case_number, err)
            return "deferred", ()
        except CentreUnavailable as err:
            log.warning("SMS centre unavailable (%s); texts wait", err)
            self._away.add("sms")
            return "deferred", ()
        return "sms", parts

    def text_message(self, notification: Notification, lang: str) -> str:
        """In the language the applicant applied in; in Kyrgyz and Russian when that is not known."""
        langs = (lang,) if lang in MAIL_LANGS else ("ky", "ru")
        return "\n".join(text("sms", "news", each).format(case=notification.case_number,
                                                          url=f"{self.public_url}/?lang={each}") for each in langs)

    def message(self, notification: Notification, address: str) -> EmailMessage:
        number = notification.case_number
        # Unfolded headers: Python's folding of a long non-ASCII subject drops the space where it
        # splits it into encoded words ("боюнчажаңылык").
        message = EmailMessage(policy=_MAIL_POLICY)
        message["From"] = self.mail.sender
        message["To"] = address
        message["Subject"] = f"{number}: " + " / ".join(text("mail", "subject", lang) for lang in MAIL_LANGS)
        domain = self.mail.sender.rpartition("@")[2] or "aryz"
        message["Message-ID"] = f"<{number}.{notification.seq}@{domain}>"
        message.set_content("\n\n".join(text("mail", "body", lang).format(case=number, url=f"{self.public_url}/?lang={lang}")
                                        for lang in MAIL_LANGS), cte="quoted-printable")
        return message

    async def run(self, every: float, stop: asyncio.Event) -> None:
        """Looks at the outbox every `every` seconds until `stop`."""
        while not stop.is_set():
            try:
                await self.send_pending()
            except Exception:  # the database away: the next round tries again
                log.warning("notification relay round failed", exc_info=True)
            try:
                await asyncio.wait_for(stop.wait(), every)
            except TimeoutError:
                pass
