"""One-time backup codes for staff sign-in (a lost or broken phone).

Ten codes are made at a time and shown once; only an HMAC of each (keyed with the site's
secret key and the account, so a copy of the database alone cannot test guesses) is stored.
A code is spent by one conditional UPDATE, so two requests racing with one code sign in once.
Making new codes deletes every old one. Failures count towards the sign-in throttle like a
wrong authenticator code (the caller records them).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from peerlog.staff.models import BackupCode

COUNT = 10
LENGTH = 10  # characters of ALPHABET: about 49 bits
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


def _hash(user, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"backup-code:{user.pk}:{code}".encode(), hashlib.sha256).hexdigest()


def normalise(code: str) -> str | None:
    """A typed backup code without spaces or dashes, lower case; None if it cannot be one."""
    text = "".join(ch for ch in str(code).strip().lower() if not ch.isspace() and ch not in "-‐‑–")
    if len(text) != LENGTH or any(ch not in ALPHABET for ch in text):
        return None
    return text


def display(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def new_codes(user) -> list[str]:
    """Replace the account's backup codes with ``COUNT`` new ones; returns them to show once."""
    codes = ["".join(secrets.choice(ALPHABET) for _i in range(LENGTH)) for _n in range(COUNT)]
    with transaction.atomic():
        BackupCode.objects.filter(user=user).delete()
        BackupCode.objects.bulk_create(BackupCode(user=user, code_hash=_hash(user, c))
                                       for c in codes)
    return [display(c) for c in codes]


def use(user, code: str) -> bool:
    """Spend ``code`` if it is one of the account's unused codes."""
    code = normalise(code)
    if code is None:
        return False
    return bool(BackupCode.objects.filter(user=user, code_hash=_hash(user, code),
                                          used_at__isnull=True).update(used_at=timezone.now()))


def unused(user) -> int:
    return BackupCode.objects.filter(user=user, used_at__isnull=True).count()
