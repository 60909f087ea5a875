"""Reminder email over SMTP: Django's SMTP backend, as the ``reminders`` mailer (MAILERS).

Its settings come from EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
EMAIL_USE_TLS/SSL and EMAIL_TIMEOUT in the environment (peerlog.web.settings).

SMTP has no idempotency key: the outbox key goes in the Message-ID header (so a message in
doubt can be looked up in the mail server's log), and a message whose fate is unknown is
put "in doubt" for staff rather than sent again. What counts as unknown: anything that goes
wrong after the connection is open and the server has not refused the message outright.

Only the SMTP reply code and its enhanced status code are kept from a refusal: the reply's
text often quotes the address ("550 5.1.1 <someone@example.org>: Recipient address
rejected"), and an exception's text is never stored (see :mod:`peerlog.outreach.backends`).
"""

from __future__ import annotations

import contextlib
import re
import smtplib

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage

from peerlog.outreach.backends import SendResult


def message_id(key: str) -> str:
    return f"<{key}@peerlog>"


_ENHANCED = re.compile(rb"\s*([245]\.\d{1,3}\.\d{1,3})(?!\S)")


def smtp_code(code: int, text: bytes | str = b"") -> str:
    """``SMTP 550 5.1.1``: the reply code and enhanced status code, none of the text."""
    raw = text.encode(errors="replace") if isinstance(text, str) else (text or b"")
    enhanced = _ENHANCED.match(raw)
    return f"SMTP {int(code)}" + (f" {enhanced.group(1).decode()}" if enhanced else "")


def _refused(exc: smtplib.SMTPResponseException, kind: str) -> SendResult:
    return SendResult.not_sent(kind, smtp_code(exc.smtp_code, exc.smtp_error),
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
        except smtplib.SMTPResponseException as exc:  # refused at greeting or login
            return _refused(exc, "connect")
        except (OSError, smtplib.SMTPException):  # nothing was handed over
            return SendResult.not_sent("connect")
        email = EmailMessage(
            subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to],
            headers={"Message-ID": message_id(key), "Auto-Submitted": "auto-generated"},
        )
        try:
            connection.send_messages([email])
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()), (550, b""))
            return SendResult.not_sent("recipient_refused", smtp_code(code, text),
                                       permanent=code >= 500)
        except smtplib.SMTPSenderRefused as exc:
            return _refused(exc, "sender_refused")
        except smtplib.SMTPDataError as exc:
            return _refused(exc, "message_refused")
        except (OSError, smtplib.SMTPException):  # may or may not have been accepted
            return SendResult.unknown("broke_off")
        finally:
            with contextlib.suppress(Exception):  # the message's fate is already known
                connection.close()
        return SendResult.sent(message_id(key))
