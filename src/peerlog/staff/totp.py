"""Time-based one-time passwords (RFC 6238 over RFC 4226), standard library only.

Staff confirm each sign-in with a six-digit code from an authenticator app. The algorithm is
thirty lines of hmac/struct, checked in the tests against the RFC's own test vectors, so
PeerLog carries no extra dependency for it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote

STEP = 30  # seconds per code
DIGITS = 6
WINDOW = 1  # accept the previous and next step too (clock drift)


def new_secret() -> str:
    """A random 160-bit key as base32 (what authenticator apps expect), without padding."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def _key(secret_b32: str) -> bytes:
    cleaned = secret_b32.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def hotp(key: bytes, counter: int, digits: int = DIGITS, digest: str = "sha1") -> str:
    """RFC 4226: HMAC of the 8-byte counter, dynamically truncated to ``digits`` digits."""
    mac = hmac.new(key, struct.pack(">Q", counter), getattr(hashlib, digest)).digest()
    offset = mac[-1] & 0x0F
    code = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(code % 10**digits).zfill(digits)


def totp(secret_b32: str, at: float | None = None, digits: int = DIGITS) -> str:
    """The code for time ``at`` (default: now)."""
    return hotp(_key(secret_b32), int((time.time() if at is None else at) // STEP), digits)


def verify(secret_b32: str, code: str, last_step: int = 0, at: float | None = None) -> int | None:
    """The time step ``code`` matches (within the window and later than ``last_step``), or None.

    Storing the returned step and passing it back as ``last_step`` makes each code single-use.
    """
    code = "".join(ch for ch in str(code) if ch.isdigit())
    if len(code) != DIGITS:
        return None
    now_step = int((time.time() if at is None else at) // STEP)
    key = _key(secret_b32)
    for step in range(now_step - WINDOW, now_step + WINDOW + 1):
        if step > last_step and hmac.compare_digest(hotp(key, step), code):
            return step
    return None


def provisioning_uri(secret_b32: str, account: str, issuer: str = "PeerLog") -> str:
    """The ``otpauth://`` URI an authenticator app can import (or show as a QR code)."""
    label = quote(f"{issuer}:{account}")
    return f"otpauth://totp/{label}?secret={secret_b32}&issuer={quote(issuer)}&digits={DIGITS}&period={STEP}"
