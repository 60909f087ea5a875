"""What a delivery backend promises, and how the outbox learns which one a channel uses.

A backend's ``send`` returns a :class:`SendResult` and never raises for a delivery problem.
Its ``status`` is what PeerLog knows about the message afterwards:

- ``sent``: the provider accepted it (``provider_id`` names it there);
- ``not_sent``: it certainly did not leave (refused connection, rejected recipient, ...);
  ``permanent`` says a retry cannot help (an invalid number);
- ``unknown``: it may or may not have left (the connection broke after the message was
  handed over). With ``supports_idempotency`` the outbox retries under the same key and the
  provider drops a duplicate; without it (SMTP) the message is "in doubt" for staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

SENT, NOT_SENT, UNKNOWN = "sent", "not_sent", "unknown"


@dataclass(frozen=True)
class SendResult:
    status: str
    provider_id: str = ""
    error: str = ""
    permanent: bool = False
    retry_after: float | None = None  # seconds, when the provider asked for a pause

    @classmethod
    def sent(cls, provider_id: str = "") -> SendResult:
        return cls(SENT, provider_id=provider_id)

    @classmethod
    def not_sent(cls, error: str, *, permanent: bool = False,
                 retry_after: float | None = None) -> SendResult:
        return cls(NOT_SENT, error=error, permanent=permanent, retry_after=retry_after)

    @classmethod
    def unknown(cls, error: str) -> SendResult:
        return cls(UNKNOWN, error=error)


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
