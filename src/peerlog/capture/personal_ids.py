"""Personal IDs: short numbers people can copy from a slip, with a check digit.

In the evaluation IDs were four bare digits, and logs typed with a wrong ID could not be
matched to anyone. Each PeerLog ID ends in a Damm check digit, which catches every
single-digit typo and every swap of two adjacent digits, so a typo is reported at once
instead of producing an "unregistered" log. Pure Python: the paper forms, the web pages
and imports all use it.
"""

from __future__ import annotations

import secrets
import unicodedata

# Damm's totally anti-symmetric quasigroup of order 10 (Damm 2004).
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)


def check_digit(digits: str) -> str:
    interim = 0
    for ch in digits:
        interim = _DAMM[interim][int(ch)]
    return str(interim)


def ascii_digits(text: str) -> str:
    """Decimal digits of any script as ASCII ("٤٨٣" -> "483"); other characters kept."""
    out = []
    for ch in text:
        value = unicodedata.decimal(ch, None) if not ch.isascii() else None
        out.append(str(value) if value is not None else ch)
    return "".join(out)


# Separators people put between digit groups: ASCII and typographic dashes, the minus
# sign, full-width hyphen-minus, dots.
SEPARATORS = frozenset("-.\u2010\u2011\u2012\u2013\u2014\u2212\uff0d\u30fc")
MAX_LENGTH = 20  # well above any issued ID; longer input is not an ID


def normalise(typed: str) -> str:
    """What people type, as stored: spaces and dashes dropped ("123 45-6" -> "123456"),
    digits of other scripts (Arabic-Indic, Eastern Arabic-Indic, full-width) read as ASCII
    digits. Never raises: callers that must refuse non-digits use :func:`clean`."""
    return ascii_digits("".join(ch for ch in str(typed)
                                if not ch.isspace() and ch not in SEPARATORS))


def clean(raw: str) -> str | None:
    """The normalised ID when it is ASCII digits only (1 to ``MAX_LENGTH`` of them), else None.

    Digits only is what keeps a typed ID from ever being a formula or markup in an export;
    the check digit is not required here (a mistyped paper ID is still stored and matched
    later), :func:`is_valid` checks it.
    """
    pid = normalise(raw)
    if not pid or len(pid) > MAX_LENGTH or not (pid.isascii() and pid.isdecimal()):
        return None
    return pid


def is_valid(personal_id: str) -> bool:
    """True when the ID is all digits and its last digit checks the rest."""
    pid = normalise(personal_id)
    return len(pid) >= 2 and clean(pid) == pid and check_digit(pid) == "0"


def new_id(body_digits: int, taken: set[str] | None = None) -> str:
    """A random, unused ID: ``body_digits`` random digits (no leading zero) + check digit."""
    taken = taken or set()
    for _ in range(10_000):
        body = str(secrets.randbelow(9 * 10 ** (body_digits - 1)) + 10 ** (body_digits - 1))
        pid = body + check_digit(body)
        if pid not in taken:
            return pid
    raise RuntimeError("No free personal IDs left at this length; raise PERSONAL_ID_DIGITS")


def display(personal_id: str) -> str:
    """Grouped in threes for reading aloud and copying ("483920" -> "483 920")."""
    return " ".join(personal_id[i : i + 3] for i in range(0, len(personal_id), 3))
