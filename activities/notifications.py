"""Telling applicants there is news on their case: the relay of the notifications outbox.

A transition that tells the applicant something writes a notification in its own transaction
(db/repositories/transitions.py). This relay sends each one in turn by email, to the address the
application gave. The mail says only that there is news, with the case number and where to read
it: the status page, behind the access code. What the news is (a refusal, its ground, an
officer's reasons) never sits in a mailbox or a mail server's log, which for a refugee could
reach the wrong people.

A notification is marked sent in the transaction that locked it, after the mail server accepted
the mail. A crash between the two sends it again after the restart, with the same Message-ID (the
case and its transition), which mail clients show once.
"""

import asyncio
import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email import policy
from email.message import EmailMessage

from sqlalchemy.ext.asyncio import async_sessionmaker

from api.i18n import text
from db.models import Notification
from db.repositories.cases import get_case
from db.repositories.notifications import also_unsent, mark_sent, next_unsent
from db.sealing import session_sealer

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


class NotificationRelay:
    """Sends the outbox's notifications, oldest first, each exactly once but for a crash between
    the mail server's acceptance and the commit. Side effects: one mail to an application that gave
    an email address for the news of a case that came together (a decision and its document);
    each notification marked with how it went (`email`, `none` without an address, `refused` when
    the server refused the address for good, `stale` when it waited longer than `max_age`, as it
    would when mail is first set up)."""

    def __init__(self, sessions: async_sessionmaker, server: MailServer, public_url: str, meter=None,
                 max_age: timedelta = timedelta(days=7)) -> None:
        self.sessions, self.server, self.public_url, self.meter = sessions, server, public_url.rstrip("/"), meter
        self.max_age = max_age

    async def send_pending(self, most: int = 100) -> int:
        """Deals with up to `most` notifications; stops early when the outbox is empty or the mail
        server cannot be reached (the rest wait for the next round). Returns how many were dealt with."""
        done, deferred = 0, set()
        while done < most:
            # The row stays locked while the mail server answers (at most its timeout): one
            # connection of the worker's pool, never a request's.
            async with self.sessions.begin() as session:
                notification = await next_unsent(session, deferred)
                if notification is None:
                    return done
                together = [notification.id, *await also_unsent(session, notification)]
                if notification.created_at < datetime.now(timezone.utc) - self.max_age:
                    channel = "stale"  # news from before mail was set up: the status page has it
                else:
                    channel = await self._deliver(notification, await self._address(session, notification))
                if channel is None:
                    return done  # the server is away: every other one would fail the same way
                if channel == "deferred":  # this address only, for now (a full mailbox, greylisting)
                    deferred.update(together)
                    continue
                await mark_sent(session, together, channel, datetime.now(timezone.utc))
            done += len(together)
            if self.meter is not None:
                self.meter.create_counter("aryz_notifications", "Applicants' notifications, by how they went").add(
                    len(together), {"channel": channel})
            log.info("notification %s#%d: %s", notification.case_number, notification.seq, channel,
                     extra={"case_number": notification.case_number})
        return done

    @staticmethod
    async def _address(session, notification: Notification) -> str:
        """The email address the application gave, or "" (a phone only)."""
        case = await get_case(session, notification.case_number)
        if case is None:
            return ""
        contact = session_sealer(session).open((case.application or {}).get("contact") or {},
                                               f"{case.case_number}|application.contact")
        return (contact or {}).get("email") or ""

    async def _deliver(self, notification: Notification, address: str) -> str | None:
        """How it went; "deferred" to try this one again next round (until it is stale), None when
        the server cannot be reached or will take nothing now."""
        if not address:
            return "none"  # a phone only: the status page is where they read their news
        try:
            await asyncio.to_thread(self.server.send, self.message(notification, address))
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
            return None
        return "email"

    def message(self, notification: Notification, address: str) -> EmailMessage:
        number = notification.case_number
        # Unfolded headers: Python's folding of a long non-ASCII subject drops the space where it
        # splits it into encoded words ("боюнчажаңылык").
        message = EmailMessage(policy=_MAIL_POLICY)
        message["From"] = self.server.sender
        message["To"] = address
        message["Subject"] = f"{number}: " + " / ".join(text("mail", "subject", lang) for lang in MAIL_LANGS)
        domain = self.server.sender.rpartition("@")[2] or "aryz"
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
