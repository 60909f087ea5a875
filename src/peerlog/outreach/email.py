"""Reminder email over SMTP: Django's SMTP backend, as the ``reminders`` mailer (MAILERS).

Its settings come from EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
EMAIL_USE_TLS/SSL and EMAIL_TIMEOUT in the environment (peerlog.web.settings).

SMTP has no idempotency key: the outbox key goes in the Message-ID header (so a message in
doubt can be looked up in the mail server's log), and a message whose fate is unknown is
put "in doubt" for staff rather than sent again. What counts as unknown: anything that goes
wrong after the connection is open and the server has not refused the message outright.
"""

from __future__ import annotations

import contextlib
import smtplib

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage

from peerlog.outreach.backends import SendResult


def message_id(key: str) -> str:
    return f"<{key}@peerlog>"


def _refused(exc: smtplib.SMTPResponseException) -> SendResult:
    return SendResult.not_sent(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}",
                               permanent=exc.smtp_code >= 500)


class SmtpEmailBackend:
    channel = "email"
    supports_idempotency = False

    def __init__(self, mailer: str = "reminders"):
        self.mailer = mailer

    def send(self, *, key: str, to: str, subject: str, body: str) -> SendResult:
        connection = mail.mailers[self.mailer]
        try:
            connection.open()
        except (OSError, smtplib.SMTPException) as exc:  # nothing was handed over
            return SendResult.not_sent(f"cannot connect to the SMTP server: {exc}")
        email = EmailMessage(
            subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to],
            headers={"Message-ID": message_id(key), "Auto-Submitted": "auto-generated"},
        )
        try:
            connection.send_messages([email])
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            return SendResult.not_sent(f"recipient refused: SMTP {codes}",
                                       permanent=all(code >= 500 for code in codes))
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            return _refused(exc)
        except (OSError, smtplib.SMTPException) as exc:  # may or may not have been accepted
            return SendResult.unknown(f"SMTP conversation broke off: {exc!r}")
        finally:
            with contextlib.suppress(Exception):  # the message's fate is already known
                connection.close()
        return SendResult.sent(message_id(key))
