"""Encryption at rest for contact details.

Contact details (email, phone, postal address) are the only identifying data PeerLog keeps,
so they are encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``) before
they reach the database: a leaked database dump or backup reveals no one.

Keys come from ``PEERLOG_CONTACT_KEYS``: a comma-separated list of Fernet keys, newest first.
Encryption uses the first; decryption tries each (``MultiFernet``), so keys can be rotated
without downtime (``peerlog rotate-contact-key`` re-encrypts with the newest). Outside
production a key is generated once into ``PEERLOG_HOME/contact.key`` so the demo works with no
setup; in production a missing key is a start-up error, never a silent fallback.
"""

from __future__ import annotations

import os
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@cache
def _fernet() -> MultiFernet:
    raw = os.environ.get("PEERLOG_CONTACT_KEYS", "").strip()
    if not raw:
        if settings.PRODUCTION:
            raise ImproperlyConfigured("PEERLOG_CONTACT_KEYS must be set in production")
        path = settings.HOME / "contact.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(Fernet.generate_key())
            path.chmod(0o600)
        raw = path.read_text().strip()
    return MultiFernet([Fernet(k.strip().encode()) for k in raw.split(",") if k.strip()])


def reset_keys() -> None:
    """Forget cached keys (after the environment changed, e.g. in a key rotation)."""
    _fernet.cache_clear()


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A contact detail cannot be decrypted with the keys in PEERLOG_CONTACT_KEYS"
        ) from exc


def rotate(token: str) -> str:
    """Re-encrypt a token with the newest key."""
    return _fernet().rotate(token.encode("ascii")).decode("ascii")


class EncryptedTextField(models.TextField):
    """A text field stored as a Fernet token; empty stays empty (nothing to hide).

    Encrypted values cannot be searched or indexed; that is the point.
    """

    def from_db_value(self, value, expression, connection):  # noqa: ARG002
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)
