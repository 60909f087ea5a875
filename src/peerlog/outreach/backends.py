"""What a delivery backend promises, and how the outbox learns which one a channel uses.

A backend's ``send`` returns a :class:`SendResult` and never raises for a delivery problem.
Its ``status`` is what PeerLog knows about the message afterwards:

- ``sent``: the provider accepted it (``provider_id`` names it there);
- ``not_sent``: it certainly did not leave (refused connection, rejected recipient, ...);
  ``permanent`` says a retry cannot help (an invalid number);
- ``unknown``: it may or may not have left (the connection broke after the message was
  handed over). With ``supports_idempotency`` the outbox retries under the same key and the
  provider drops a duplicate; without it (SMTP) the message is "in doubt" for staff.

A failure is described **only** by a fixed ``kind`` (one of :data:`ERROR_KINDS`) and a
numeric ``code`` (``SMTP 550 5.1.1``, ``HTTP 400``). Servers' and providers' own words are
never kept: a mail server's "550 5.1.1 <someone@example.org>: Recipient address rejected"
or an SMS provider's error body quotes the address or the number, and an outbox page must
not become a list of contact details (issue 9, item 2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

SENT, NOT_SENT, UNKNOWN = "sent", "not_sent", "unknown"

# kind -> fixed description (the only words about a failure PeerLog stores or shows).
ERROR_KINDS = {
    "connect": _("could not connect to the server; nothing was sent"),
    "recipient_refused": _("the server refused the recipient's address"),
    "sender_refused": _("the server refused the sender's address"),
    "message_refused": _("the server refused the message"),
    "broke_off": _("the connection broke off after the message was handed over: it may or "
                   "may not have been sent"),
    "provider_refused": _("the provider refused the message (for example an invalid number)"),
    "provider_busy": _("the provider asked to try again later"),
    "provider_error": _("the provider had an error: the message may or may not have been sent"),
    "not_configured": _("the SMS provider is not configured (PEERLOG_SMS_URL)"),
    "interrupted": _("a reminder run was interrupted while sending: its fate is unknown"),
    "backend_error": _("a program error in the delivery backend: its fate is unknown"),
    "legacy": _("an error recorded before PeerLog redacted delivery errors"),
    "other": _("the delivery failed"),
}
# The class of a failure, as SMTP and HTTP speak of it.
ERROR_CLASSES = {
    "permanent": _("permanent failure"),
    "temporary": _("temporary failure"),
    "unknown": _("outcome unknown"),
}
_CODE = re.compile(r"(SMTP|HTTP) \d{3}( [245]\.\d{1,3}\.\d{1,3})?")


def safe_code(code: str) -> str:
    """``code`` if it is only a protocol name and numbers (``SMTP 550 5.1.1``), else ''."""
    code = (code or "").strip()
    return code if _CODE.fullmatch(code) else ""


def safe_kind(kind: str) -> str:
    return kind if kind in ERROR_KINDS else "other"


@dataclass(frozen=True)
class SendResult:
    status: str
    provider_id: str = ""
    kind: str = ""  # a key of ERROR_KINDS
    code: str = ""  # "SMTP 550 5.1.1", "HTTP 400": numbers only, never the server's words
    permanent: bool = False
    retry_after: float | None = None  # seconds, when the provider asked for a pause

    @classmethod
    def sent(cls, provider_id: str = "") -> SendResult:
        return cls(SENT, provider_id=provider_id)

    @classmethod
    def not_sent(cls, kind: str, code: str = "", *, permanent: bool = False,
                 retry_after: float | None = None) -> SendResult:
        return cls(NOT_SENT, kind=safe_kind(kind), code=safe_code(code), permanent=permanent,
                   retry_after=retry_after)

    @classmethod
    def unknown(cls, kind: str, code: str = "") -> SendResult:
        return cls(UNKNOWN, kind=safe_kind(kind), code=safe_code(code))

    @property
    def error_class(self) -> str:
        if self.status == UNKNOWN:
            return "unknown"
        return "permanent" if self.permanent else "temporary"


class Backend(Protocol):
    channel: str
    supports_idempotency: bool

    def send(self, *, key: str, to: str, subject: str, body: str) -> SendResult: ...


def default_backends() -> dict[str, Backend]:
    from peerlog.outreach.email import SmtpEmailBackend

    sms_class = import_string(settings.PEERLOG_SMS["BACKEND"])
    return {"email": SmtpEmailBackend(), "sms": sms_class(**_sms_options())}


def _sms_options() -> dict:
    options = settings.PEERLOG_SMS
    return {
        "url": options.get("URL", ""), "token": options.get("TOKEN", ""),
        "sender": options.get("SENDER", "PeerLog"), "timeout": options.get("TIMEOUT", 15),
    }
