"""Outreach: the outbox of reminder messages, the lock of the reminder batch, prize draws.

Every message PeerLog sends goes through :class:`Message` first, recorded (and committed)
before anything leaves, with its own idempotency key. Its state machine::

    queued ──> sending ──> sent
                  │  └──> failed (next_attempt_at, attempts) ──> sending ...
                  │                   └─ gave up (no next attempt): staff decide
                  └──> in_doubt (a run died mid-send, and the channel takes no
                                 idempotency key): staff decide
    staff: in_doubt/failed ──> sent (marked by staff) | queued (resend) | cancelled
    any unsent message ──> cancelled (withdrawn, opted out, log done, month over)

The address is never copied here: it is read from :class:`ContactDetails` at send time.
The body carries the personal link, so it is stored encrypted (a retry sends the very same
text under the same key), and is dropped when the message is cancelled. A failure is kept
only redacted (a class, a numeric code and a fixed description, never the server's own
words, which quote addresses and numbers; see :mod:`peerlog.outreach.backends`). See
docs/reminders-and-draws.md.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerlog.capture.crypto import EncryptedTextField
from peerlog.capture.models import Participant


def new_key() -> str:
    return uuid.uuid4().hex


class Message(models.Model):
    class Purpose(models.TextChoices):
        REMINDER = "reminder", _("Reminder")
        LINK = "link", _("Personal link")  # asked for, sent at registration, or by staff

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("SMS")
        POST = "post", _("Post")  # a letter in a coordinator's mailing: recorded as sent

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        IN_DOUBT = "in_doubt", _("In doubt")
        CANCELLED = "cancelled", _("Cancelled")

    # The idempotency key: sent to the SMS provider as Idempotency-Key and used as the
    # email's Message-ID. Random, so it tells a provider nothing about the person.
    key = models.CharField(max_length=64, unique=True, default=new_key, editable=False)
    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.REMINDER)
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, related_name="outreach_messages"
    )
    month = models.CharField(max_length=7)  # YYYY-MM the message belongs to
    channel = models.CharField(max_length=10, choices=Channel.choices)
    log_number = models.PositiveIntegerField(null=True, blank=True)
    log_kind = models.CharField(max_length=20, blank=True)  # monthly | quarterly
    language = models.CharField(max_length=20, default="en")
    subject = models.CharField(max_length=200, blank=True)
    body = EncryptedTextField()  # carries the personal link

    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # The last failure, redacted: ERROR_KINDS key, "permanent|temporary|unknown", numeric code.
    error_kind = models.CharField(max_length=40, blank=True)
    error_class = models.CharField(max_length=20, blank=True)
    error_code = models.CharField(max_length=20, blank=True)
    provider_message_id = models.CharField(max_length=200, blank=True)
    history = models.JSONField(default=list, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    sending_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    resolution = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One reminder a month per participant and channel, whatever runs and crashes.
            models.UniqueConstraint(
                fields=["participant", "purpose", "month", "channel"],
                condition=Q(purpose="reminder"),
                name="outreach_one_reminder_per_month_and_channel",
            ),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]
        verbose_name = _("outbox message")

    def __str__(self) -> str:
        return f"{self.purpose} {self.month} {self.channel} ({self.state})"

    @property
    def gave_up(self) -> bool:
        return self.state == self.State.FAILED and self.next_attempt_at is None

    @property
    def needs_staff(self) -> bool:
        return self.state == self.State.IN_DOUBT or self.gave_up

    @property
    def last_error(self) -> str:
        """The redacted failure in words, e.g. "permanent failure, SMTP 550 5.1.1: the
        server refused the recipient's address"."""
        from peerlog.outreach.backends import ERROR_CLASSES, ERROR_KINDS

        if not self.error_kind:
            return ""
        head = ", ".join(str(part) for part in (ERROR_CLASSES.get(self.error_class, ""),
                                                self.error_code) if part)
        words = str(ERROR_KINDS.get(self.error_kind, ERROR_KINDS["other"]))
        return f"{head}: {words}" if head else words

    def set_error(self, kind: str = "", error_class: str = "", code: str = "") -> dict:
        """Record a redacted failure (or clear it, with no arguments); returns it for notes."""
        from peerlog.outreach.backends import safe_code, safe_kind

        self.error_kind = safe_kind(kind) if kind else ""
        self.error_class = error_class if error_class in ("permanent", "temporary",
                                                          "unknown") else ""
        self.error_code = safe_code(code)
        return {"kind": self.error_kind, "class": self.error_class, "code": self.error_code}

    def note(self, event: str, **detail) -> None:
        """Append to the message's own history (saved with the message)."""
        self.history = [*self.history, {"at": timezone.now().isoformat(), "event": event, **detail}]


class BatchLock(models.Model):
    """One row per batch job: who holds it, so two `peerlog remind` runs never overlap."""

    name = models.CharField(max_length=40, unique=True)
    host = models.CharField(max_length=200, blank=True)
    pid = models.IntegerField(null=True, blank=True)
    acquired_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} lock ({self.host}:{self.pid})" if self.pid else f"{self.name} lock"


class RemindRun(models.Model):
    """What one `peerlog remind` run did (staff see the latest)."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    host = models.CharField(max_length=200, blank=True)
    pid = models.IntegerField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"remind run {self.started_at:%Y-%m-%d %H:%M}"


class PrizeDraw(models.Model):
    """A monthly prize draw, kept with everything needed to redo it and get the same result."""

    month = models.CharField(max_length=7)  # YYYY-MM
    seed = models.CharField(max_length=64)  # hex, from `secrets`
    algorithm = models.CharField(max_length=20, default="v1")
    # Snapshot: [{"personal_id": ..., "project": ...}], sorted by personal ID.
    eligible = models.JSONField(default=list)
    individual_winner = models.CharField(max_length=20, blank=True)  # personal ID
    individual_winner_project = models.CharField(max_length=50, blank=True)
    project_drawn_person = models.CharField(max_length=20, blank=True)  # personal ID
    project_winner = models.CharField(max_length=50, blank=True)  # project code
    individual_prize = models.CharField(max_length=40, blank=True)
    project_prize = models.CharField(max_length=40, blank=True)
    drawn_at = models.DateTimeField(default=timezone.now)
    drawn_by = models.CharField(max_length=150)
    current = models.BooleanField(default=True)
    reason = models.TextField(blank=True)  # why a forced redraw replaced the earlier one
    # The end-of-evaluation draw (month "final"): the winners in prize order, and the last
    # day whose logs counted.
    winners = models.JSONField(default=list, blank=True)
    until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-month", "-drawn_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["month"], condition=Q(current=True), name="outreach_one_current_draw"
            ),
        ]
        verbose_name = _("prize draw")

    def __str__(self) -> str:
        return f"prize draw {self.month}"
