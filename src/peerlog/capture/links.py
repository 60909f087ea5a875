"""Personal links: issue, resolve and revoke the bearer tokens of ``/l/<token>/``.

Every part of PeerLog that hands a person their link (the registration page, reminders,
staff re-sending a link, the demo) calls :func:`issue_link`; the participant pages resolve
it with :func:`participant_for_token`. Typing a personal ID never stands in for a link.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.utils import timezone

from peerlog.capture import linklookup
from peerlog.capture.models import Participant, PersonalLink

TOKEN_BYTES = 32
MAX_TOKEN_LENGTH = 100


def new_token(participant: Participant, purpose: str) -> str:
    """A fresh token for ``participant``; only its hash is stored."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = timezone.now()
    PersonalLink.objects.create(
        participant=participant,
        token_hash=Participant.hash_token(token),
        purpose=purpose,
        created_at=now,
        expires_at=now + dt.timedelta(days=settings.PEERLOG["LINK_LIFETIME_DAYS"]),
    )
    return token


def link_path(token: str) -> str:
    return f"/l/{token}/"


def issue_link(participant: Participant, purpose: str = "reminder") -> str:
    """A new working link, as a full address on this site (for messages)."""
    return settings.PEERLOG["SITE_URL"] + link_path(new_token(participant, purpose))


def link_status(token: str) -> tuple[Participant | None, str]:
    """``(participant, "ok")`` for a live link; otherwise why it does not work, so the page can
    say so: ``(None, "unknown")`` (mistyped, cut short, or deleted long ago), or
    ``(participant, "expired" | "revoked")``."""
    participant, status, _found = lookup(token)
    return participant, status


def lookup(token: str, draft_key: str | None = None
           ) -> tuple[Participant | None, str, linklookup.Found | None]:
    """:func:`link_status`, and with ``draft_key`` (a log page) the person's drafts from the
    same query (:mod:`peerlog.capture.linklookup`, the participant pages' hot path)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None, "unknown", None
    found = linklookup.find(Participant.hash_token(token), draft_key)
    link = found.link
    if link is None:
        return None, "unknown", None
    if link.revoked_at is not None:
        return link.participant, "revoked", found
    if link.expires_at <= timezone.now():
        return link.participant, "expired", found
    return link.participant, "ok", found


def participant_for_token(token: str) -> Participant | None:
    """The participant a live (unexpired, unrevoked) link belongs to, else None."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    link = (
        PersonalLink.objects.select_related("participant__project", "participant__personal_id")
        .filter(token_hash=Participant.hash_token(token), revoked_at__isnull=True,
                expires_at__gt=timezone.now())
        .first()
    )
    return link.participant if link else None


def revoke_links(participant: Participant) -> int:
    """Stop every link of ``participant`` working; returns how many were live."""
    return PersonalLink.objects.filter(participant=participant, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
