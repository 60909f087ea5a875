"""Time-based one-time passwords (RFC 6238) with pyotp, each code accepted once.

pyotp computes the codes; PeerLog adds what it does not: the time step a code matched (stored
as ``TotpDevice.last_step``, so a code cannot be replayed) and reading codes typed with any
decimal digits (Arabic-Indic, Persian, full-width), spaces or dashes.
"""

from __future__ import annotations

import datetime as dt
import time
import unicodedata

import pyotp
from pyotp.utils import strings_equal

STEP = 30  # seconds per code
DIGITS = 6
WINDOW = 1  # accept the previous and next step too (clock drift)


def new_secret() -> str:
    """A random 160-bit key as base32 (what authenticator apps expect), without padding."""
    return pyotp.random_base32(32)


def _totp(secret_b32: str, digits: int = DIGITS) -> pyotp.TOTP:
    return pyotp.TOTP(secret_b32.replace(" ", "").upper(), digits=digits, interval=STEP)


def totp(secret_b32: str, at: float | None = None, digits: int = DIGITS) -> str:
    """The code for time ``at`` (default: now)."""
    return _totp(secret_b32, digits).at(time.time() if at is None else at)


def normalise_code(code: str) -> str | None:
    """``code`` as ASCII digits (any script's decimal digits; spaces and dashes dropped), or
    None when it holds anything else."""
    digits = []
    for ch in str(code).strip():
        if ch.isspace() or ch in "-‐‑–":
            continue
        if not ch.isdecimal():
            return None
        digits.append(str(unicodedata.decimal(ch)))
    return "".join(digits)


def verify(secret_b32: str, code: str, last_step: int = 0, at: float | None = None) -> int | None:
    """The time step ``code`` matches (within the window and later than ``last_step``), or None.

    Storing the returned step and passing it back as ``last_step`` makes each code single-use.
    """
    code = normalise_code(code) or ""
    if len(code) != DIGITS:
        return None
    otp = _totp(secret_b32)
    now_step = otp.timecode(_when(at))
    for step in range(now_step - WINDOW, now_step + WINDOW + 1):
        if step > last_step and strings_equal(otp.generate_otp(step), code):
            return step
    return None


def _when(at: float | None) -> dt.datetime:
    return dt.datetime.fromtimestamp(time.time() if at is None else at, tz=dt.UTC)


def provisioning_uri(secret_b32: str, account: str, issuer: str = "PeerLog") -> str:
    """The ``otpauth://`` URI an authenticator app can import (or show as a QR code)."""
    return _totp(secret_b32).provisioning_uri(name=account, issuer_name=issuer)
