"""Real delivery servers for the reminder tests (never mocks).

- :class:`SmtpServer`: aiosmtpd on 127.0.0.1 with a free port; keeps every message it
  accepted, can refuse recipients and can hold its answer (``gate``) so a test can kill the
  sender while the server has the message but the sender has no answer.
- :class:`SmsProvider`: ``http.server`` in a thread playing a JSON SMS API that honours
  ``Idempotency-Key`` (a repeated key gets the first answer; nothing is sent twice), can be
  told to fail the next requests, and has the same gate.
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gate:
    """Lets a test hold a server's answer to the n-th message until it says go."""

    def __init__(self) -> None:
        self.hold_at: int | None = None
        self.arrived = threading.Event()
        self.release = threading.Event()

    def arm(self, at: int) -> None:
        self.hold_at, self.arrived, self.release = at, threading.Event(), threading.Event()

    def passing(self, count: int) -> bool:
        """Called with the server's running count; True when this one is held."""
        if self.hold_at is not None and count == self.hold_at:
            self.arrived.set()
            return True
        return False

    def open(self) -> None:
        self.hold_at = None
        self.release.set()


class SmtpServer:
    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list[dict] = []
        self.refuse: set[str] = set()
        self.gate = Gate()
        self.lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ARG002
        if address in self.refuse:  # as real servers do: the refusal quotes the address
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: ARG002
        import asyncio

        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append({
                "message_id": parsed["Message-ID"], "to": list(envelope.rcpt_tos),
                "subject": str(parsed["Subject"]), "body": parsed.get_content(),
            })
            held = self.gate.passing(len(self.messages))
        if held:
            await asyncio.get_running_loop().run_in_executor(None, self.gate.release.wait, 30)
        return "250 2.0.0 Message accepted for delivery"

    def by_message_id(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for m in self.messages:
            out[m["message_id"]] = out.get(m["message_id"], 0) + 1
        return out

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.gate.open()
        self.controller.stop()


class SmsProvider:
    """A JSON SMS API: POST /messages with Bearer token and Idempotency-Key."""

    TOKEN = "test-token"

    def __init__(self) -> None:
        self.requests: list[str] = []  # Idempotency-Key of every request, in order
        self.sent: list[dict] = []  # messages actually "delivered" (once per key)
        self.answers: dict[str, dict] = {}
        self.fail_next: list[int] = []  # HTTP codes to answer the next requests with
        self.refuse: set[str] = set()  # numbers refused with 400 and an error quoting them
        self.fail_after_sending: list[int] = []  # deliver, then answer with this code
        self.gate = Gate()
        self.lock = threading.Lock()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length", 0))
                payload = json.loads(self.rfile.read(length) or b"{}")
                key = self.headers.get("Idempotency-Key", "")
                if self.headers.get("Authorization") != f"Bearer {provider.TOKEN}":
                    return self.answer(401, {"error": "unauthorised"})
                held = False
                with provider.lock:
                    provider.requests.append(key)
                    if provider.fail_next:
                        return self.answer(provider.fail_next.pop(0), {"error": "try later"})
                    if key in provider.answers:  # a repeat: the first answer, sent once
                        code, body = 200, provider.answers[key]
                    elif (not str(payload.get("to", "")).startswith("+")
                          or payload.get("to") in provider.refuse):
                        return self.answer(400, {
                            "code": 21211, "error": f"The 'To' number {payload.get('to')} "
                            f"is not a valid phone number ({payload.get('to', '')[1:]})."})
                    else:
                        body = {"id": f"SM{len(provider.sent) + 1:04d}", "status": "queued"}
                        provider.answers[key] = body
                        provider.sent.append({"key": key, **payload})
                        code = 201
                        held = provider.gate.passing(len(provider.sent))
                        if provider.fail_after_sending:
                            return self.answer(provider.fail_after_sending.pop(0),
                                               {"error": "internal"})
                if held:
                    provider.gate.release.wait(30)
                return self.answer(code, body)

            def answer(self, code: int, body: dict):
                raw = json.dumps(body).encode()
                try:
                    self.send_response(code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(raw)))
                    self.end_headers()
                    self.wfile.write(raw)
                except OSError:  # the client died meanwhile (the kill test)
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/messages"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def delivered(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for m in self.sent:
            out[m["key"]] = out.get(m["key"], 0) + 1
        return out

    def start(self) -> SmsProvider:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.gate.open()
        self.server.shutdown()
        self.server.server_close()


def smtp_mailer(port: int) -> dict:
    return {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5}}


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens."""
    return free_port()


@pytest.fixture
def smtp():
    """A real SMTP server on 127.0.0.1 (settings untouched)."""
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def sms():
    """The local SMS provider (settings untouched)."""
    provider = SmsProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def smtp_server(smtp, settings):
    """The SMTP server, as the ``reminders`` mailer."""
    settings.MAILERS = {**settings.MAILERS, "reminders": smtp_mailer(smtp.port)}
    return smtp


@pytest.fixture
def smtp_down(settings, closed_port):
    """The ``reminders`` mailer points at a port where nothing listens."""
    settings.MAILERS = {**settings.MAILERS, "reminders": smtp_mailer(closed_port)}


@pytest.fixture
def sms_provider(sms, settings):
    """The SMS provider, as PEERLOG_SMS."""
    settings.PEERLOG_SMS = {**settings.PEERLOG_SMS, "URL": sms.url,
                            "TOKEN": SmsProvider.TOKEN, "TIMEOUT": 5}
    return sms


@pytest.fixture
def reachable(participant_factory):
    """``reachable(channels=("email",), **participant_fields)``: a participant due a reminder."""
    import datetime as dt

    from django.utils import timezone

    from peerlog.capture.models import ContactDetails

    counter = iter(range(1, 10_000))

    def make(channels=("email", "sms"), opt_out=False, registered_days_ago=40, **fields):
        n = next(counter)
        fields.setdefault("registered_at", timezone.now() - dt.timedelta(days=registered_days_ago))
        participant = participant_factory(**fields)
        ContactDetails.objects.create(
            participant=participant, channels=list(channels),
            email=f"person{n}@example.org", phone=f"+4477009{n:05d}",
            reminders_opt_out=opt_out,
        )
        return participant

    return make
