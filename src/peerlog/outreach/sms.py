"""SMS through a provider-neutral backend, with one real HTTP provider implementation.

:class:`SmsBackend` is the interface: ``send(key=, to=, subject=, body=) -> SendResult`` and
``supports_idempotency``. :class:`HttpJsonSmsBackend` speaks the generic JSON-over-HTTPS
shape most SMS providers share::

    POST <PEERLOG_SMS_URL>
    Authorization: Bearer <PEERLOG_SMS_TOKEN>
    Idempotency-Key: <outbox key>
    {"from": "PeerLog", "to": "+447700900123", "body": "..."}
    -> 200/201/202 {"id": "<provider message id>"}

The provider keeps each Idempotency-Key for a while and answers a repeated request with the
first answer instead of sending again, so any request whose fate is unknown is safe to
retry under the same key. Adapting to a provider with another body shape is a subclass that
overrides :meth:`HttpJsonSmsBackend.payload` and :meth:`HttpJsonSmsBackend.message_id`.

Of a refusal only the HTTP status is kept: providers' error bodies often quote the number
(see :mod:`peerlog.outreach.backends`), so the body is never read into PeerLog.
"""

from __future__ import annotations

import http.client
import json
import socket
import urllib.error
import urllib.request
from typing import Protocol

from peerlog.outreach.backends import SendResult

# Answers that mean "not now": retry later (under the same key).
TRANSIENT_HTTP = {408, 409, 425, 429}


class SmsBackend(Protocol):
    channel: str
    supports_idempotency: bool

    def send(self, *, key: str, to: str, subject: str, body: str) -> SendResult: ...


class HttpJsonSmsBackend:
    channel = "sms"
    supports_idempotency = True

    def __init__(self, url: str = "", token: str = "", sender: str = "PeerLog",
                 timeout: float = 15):
        self.url, self.token, self.sender, self.timeout = url, token, sender, timeout

    def payload(self, *, to: str, body: str) -> dict:
        return {"from": self.sender, "to": to, "body": body}

    def message_id(self, answer: dict) -> str:
        return str(answer.get("id") or answer.get("sid") or answer.get("message_id") or "")

    def send(self, *, key: str, to: str, subject: str, body: str) -> SendResult:  # noqa: ARG002
        if not self.url:
            return SendResult.not_sent("not_configured")
        request = urllib.request.Request(
            self.url, method="POST", data=json.dumps(self.payload(to=to, body=body)).encode(),
            headers={
                "Content-Type": "application/json", "Accept": "application/json",
                "Idempotency-Key": key, "User-Agent": "PeerLog",
                **({"Authorization": f"Bearer {self.token}"} if self.token else {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            code = f"HTTP {exc.code}"
            exc.close()
            if exc.code >= 500:
                # A 5xx may come after the provider sent it: unknown, but the key makes a
                # retry safe.
                return SendResult.unknown("provider_error", code)
            if exc.code in TRANSIENT_HTTP:  # not sent: try later
                return SendResult.not_sent("provider_busy", code,
                                           retry_after=_retry_after(exc.headers))
            return SendResult.not_sent("provider_refused", code, permanent=True)
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, ConnectionRefusedError | socket.gaierror):
                return SendResult.not_sent("connect")
            return SendResult.unknown("broke_off")
        except (TimeoutError, http.client.HTTPException, OSError):
            return SendResult.unknown("broke_off")
        try:
            answer = json.loads(raw or b"{}")
        except ValueError:
            answer = {}
        return SendResult.sent(self.message_id(answer if isinstance(answer, dict) else {}))


def _retry_after(headers) -> float | None:
    try:
        return float(headers.get("Retry-After"))
    except (TypeError, ValueError):
        return None
