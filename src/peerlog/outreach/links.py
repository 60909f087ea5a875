"""The personal link a reminder carries: ``<SITE_URL>/l/<token>/``.

Only a SHA-256 hash of a link token is stored (docs/decisions.md), so a reminder cannot
look up an existing link: it issues a fresh one and stores the new hash, which retires the
previous link (like a password-reset link; a forwarded old reminder opens nothing). One
token is issued per participant per month and shared by that month's email and SMS; the
message text is kept encrypted in the outbox so a retry sends the very same link.

The participant pages own link handling: if :mod:`peerlog.capture.links` provides
``issue_link(participant) -> url``, it is used instead of the fallback here.
"""

from __future__ import annotations

import importlib
import secrets

from django.conf import settings

from peerlog.capture.models import Participant


def _capture_issue_link():
    try:
        module = importlib.import_module("peerlog.capture.links")
    except ModuleNotFoundError as exc:
        if exc.name == "peerlog.capture.links":
            return None
        raise
    return getattr(module, "issue_link", None)


def issue_link(participant: Participant) -> str:
    """A working personal link for ``participant`` (the previous one stops working)."""
    if (capture_issue := _capture_issue_link()) is not None:
        return capture_issue(participant)
    token = secrets.token_urlsafe(24)
    participant.link_token_hash = Participant.hash_token(token)
    Participant.objects.filter(pk=participant.pk).update(
        link_token_hash=participant.link_token_hash
    )
    return f"{settings.PEERLOG['SITE_URL']}/l/{token}/"
