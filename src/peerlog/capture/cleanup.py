"""``peerlog cleanup``: delete what participant pages leave behind once it is no longer
needed. Idempotent; run it daily (cron, a systemd timer).

What goes, and after how long (``PEERLOG`` settings, days; docs/participant-pages.md):

- expired browser sessions (Django's own expiry date);
- registrations started and not finished, ``REGISTRATION_DRAFT_DAYS`` after their last page
  (they may hold contact details);
- logs started and not sent, ``LOG_DRAFT_DAYS`` after their last page (they hold answers), and
  the bare keys of sent logs after the same time (they only catch a resubmitted last page);
- personal links that expired or were revoked more than ``DEAD_LINK_DAYS`` ago (until then
  the page of such a link can say "expired" rather than "not recognised");
- rate-limit counters older than ``RATE_LIMIT_KEEP_DAYS``;
- the bodies of outbox messages sent more than ``SENT_MESSAGE_BODY_DAYS`` ago (each carries a
  personal link; the message row, its state and history stay for the outbox's record);
- audit events older than ``AUDIT_KEEP_DAYS`` (default six years: they are evidence).

A setting of 0 for the last two means keep for ever. Stored logs, participants and contact
details are never touched here.
"""

from __future__ import annotations

import datetime as dt
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from peerlog.capture import audit
from peerlog.capture.models import (
    AuditEvent,
    Draft,
    PersonalLink,
    RateLimit,
    RegistrationDraft,
)

DB_SESSION_ENGINES = ("django.contrib.sessions.backends.db",
                      "django.contrib.sessions.backends.cached_db")


def _days(name: str) -> dt.timedelta:
    return dt.timedelta(days=settings.PEERLOG[name])


def _expired_sessions(now: dt.datetime) -> int:
    if settings.SESSION_ENGINE in DB_SESSION_ENGINES:
        from django.contrib.sessions.models import Session

        return Session.objects.filter(expire_date__lt=now).delete()[0]
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    return 0


def _sent_message_bodies(now: dt.datetime) -> int:
    """Blank the bodies of messages sent long enough ago (0 days: keep them)."""
    from peerlog.outreach.models import Message

    if not settings.PEERLOG["SENT_MESSAGE_BODY_DAYS"]:
        return 0
    return (Message.objects.filter(state=Message.State.SENT,
                                   sent_at__lt=now - _days("SENT_MESSAGE_BODY_DAYS"))
            .exclude(body="").update(body=""))


def _old_audit_events(now: dt.datetime) -> int:
    """Delete audit events past their keeping time (0 days: keep them). A queryset delete:
    ``AuditEvent.delete`` refuses single deletions, so nothing else removes them."""
    if not settings.PEERLOG["AUDIT_KEEP_DAYS"]:
        return 0
    return AuditEvent.objects.filter(at__lt=now - _days("AUDIT_KEEP_DAYS")).delete()[0]


def cleanup(now: dt.datetime | None = None) -> dict[str, int]:
    """Delete what has outlived its use; returns how many of each kind were removed."""
    now = now or timezone.now()
    with transaction.atomic():
        removed = {
            "expired sessions": _expired_sessions(now),
            "unfinished registrations": RegistrationDraft.objects.filter(
                updated_at__lt=now - _days("REGISTRATION_DRAFT_DAYS")).delete()[0],
            "unsent logs": Draft.objects.filter(
                log__isnull=True, updated_at__lt=now - _days("LOG_DRAFT_DAYS")).delete()[0],
            "keys of sent logs": Draft.objects.filter(
                log__isnull=False, updated_at__lt=now - _days("LOG_DRAFT_DAYS")).delete()[0],
            "dead personal links": PersonalLink.objects.filter(
                Q(expires_at__lt=now - _days("DEAD_LINK_DAYS"))
                | Q(revoked_at__lt=now - _days("DEAD_LINK_DAYS"))).delete()[0],
            "rate-limit counters": RateLimit.objects.filter(
                window_start__lt=now - _days("RATE_LIMIT_KEEP_DAYS")).delete()[0],
        }
        removed["bodies of sent messages"] = _sent_message_bodies(now)
        removed["audit events"] = _old_audit_events(now)
        if any(removed.values()):
            audit.record("cli", "capture.cleanup", "participant pages",
                         **{k.replace(" ", "_").replace("-", "_"): v for k, v in removed.items()})
    return removed
