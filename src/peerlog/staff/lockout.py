"""Locking an account after repeated failed sign-ins.

Five failures (wrong password or wrong code) within 15 minutes lock the account for 15
minutes from the last failure. Failures are counted by user name, whether or not the account
exists, so the lockout tells an attacker nothing about which names are real. A successful
sign-in clears the count.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from peerlog.capture import audit
from peerlog.staff.models import LoginFailure

MAX_FAILURES = 5
WINDOW = dt.timedelta(minutes=15)
LOCK = dt.timedelta(minutes=15)


def _key(username: str) -> str:
    return (username or "").strip().lower()[:150]


def locked_until(username: str, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the account unlocks, or None if it is not locked now."""
    now = now or timezone.now()
    recent = list(
        LoginFailure.objects.filter(username=_key(username), at__gte=now - WINDOW - LOCK)
        .order_by("-at").values_list("at", flat=True)[: MAX_FAILURES * 4]
    )
    # Locked when some run of MAX_FAILURES failures within WINDOW ends less than LOCK ago.
    for i in range(len(recent) - MAX_FAILURES + 1):
        newest, oldest = recent[i], recent[i + MAX_FAILURES - 1]
        if newest - oldest <= WINDOW and now - newest < LOCK:
            return newest + LOCK
    return None


def record_failure(username: str, stage: str = "password") -> None:
    LoginFailure.objects.create(username=_key(username), stage=stage)
    if locked_until(username):
        audit.record(_key(username) or "anonymous", "staff.locked_out", "staff_account",
                     username=_key(username))


def clear(username: str) -> None:
    LoginFailure.objects.filter(username=_key(username)).delete()
