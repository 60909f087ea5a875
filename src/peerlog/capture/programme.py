"""The programme's own names, numbers, contacts and dates, as pages and forms want them.

Definitions say ``{online_network}`` or ``{prize_individual}``; every page, paper form and
reference table fills them from the same place through :func:`instrument_settings`. The values
are the central researcher's (:class:`~peerlog.capture.models.ProgrammeSettings`, edited in
the staff console), each empty one falling back to the deployment's default
(``settings.PEERLOG``, then the evaluation's values in
:data:`peerlog.instruments.model.DEFAULT_SETTINGS`).

Participant pages read them on every request, so the row is cached (one cache read, no
query); saving the settings forgets the cached copy. Another worker process keeps its own
copy for at most :data:`CACHE_SECONDS` (docs/operations.md, "Programme settings").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError

from peerlog.instruments.model import DEFAULT_SETTINGS

CACHE_KEY = "peerlog:programme-settings"
CACHE_SECONDS = 300

#: The stored fields a page may read (``ProgrammeSettings`` columns but its key and stamp).
FIELDS = ("name", "partners", "prize_individual", "prize_project", "prize_final",
          "crisis_contacts", "support_name", "support_email", "support_phone",
          "programme_start", "programme_end", "information_text")


@dataclass(frozen=True)
class Programme:
    """The settings in force: stored values, else the defaults."""

    name: str
    partners: str
    prize_individual: str
    prize_project: str
    prize_final: str
    crisis_contacts: tuple[dict[str, Any], ...]
    support_name: str
    support_email: str
    support_phone: str
    start: dt.date
    end: dt.date | None
    information_text: str  # empty: the default text of the information page


def _stored() -> dict[str, Any]:
    """The stored row as plain values (``{}`` without one): from the cache, else one query."""
    row = cache.get(CACHE_KEY)
    if row is None:
        from peerlog.capture.models import ProgrammeSettings

        try:
            row = ProgrammeSettings.objects.filter(pk=1).values(*FIELDS).first() or {}
        except (DatabaseError, RuntimeError):
            # No database to read: before `migrate`, or code run with database access
            # blocked (form checks, the test suite's database-free tests). The defaults, not
            # cached, so the next read asks again.
            return {}
        cache.set(CACHE_KEY, row, CACHE_SECONDS)
    return row


def forget() -> None:
    """Drop the cached row (called when the settings are saved)."""
    cache.delete(CACHE_KEY)


def defaults() -> dict[str, Any]:
    """What each setting is when nothing is stored (shown as the form's starting values)."""
    peerlog = settings.PEERLOG
    return {
        "name": DEFAULT_SETTINGS["programme_name"],
        "partners": DEFAULT_SETTINGS["programme_partners"],
        "prize_individual": DEFAULT_SETTINGS["prize_individual"],
        "prize_project": DEFAULT_SETTINGS["prize_project"],
        "prize_final": DEFAULT_SETTINGS["prize_final"],
        "crisis_contacts": [],
        "support_name": peerlog["SUPPORT_NAME"],
        "support_email": peerlog["SUPPORT_EMAIL"],
        "support_phone": peerlog["SUPPORT_PHONE"],
        "programme_start": dt.date.fromisoformat(str(peerlog["PROGRAMME_START"])),
        "programme_end": None,
        "information_text": "",
    }


def current() -> Programme:
    """The programme settings in force now."""
    values = defaults()
    values.update({k: v for k, v in _stored().items() if v not in ("", None, [])})
    return Programme(
        name=values["name"], partners=values["partners"],
        prize_individual=values["prize_individual"], prize_project=values["prize_project"],
        prize_final=values["prize_final"],
        crisis_contacts=tuple(values["crisis_contacts"]),
        support_name=values["support_name"], support_email=values["support_email"],
        support_phone=values["support_phone"], start=values["programme_start"],
        end=values["programme_end"], information_text=values["information_text"],
    )


def instrument_settings() -> dict[str, str]:
    """The values of the instrument texts' ``{placeholders}``."""
    now = current()
    return {
        "online_network": settings.PEERLOG["ONLINE_NETWORK_NAME"],
        # the random digits plus the check digit
        "personal_id_length": str(settings.PEERLOG["PERSONAL_ID_DIGITS"] + 1),
        "programme_name": now.name,
        "programme_partners": now.partners,
        "prize_individual": now.prize_individual,
        "prize_project": now.prize_project,
        "prize_final": now.prize_final,
        "contact_name": now.support_name,
        "contact_email": now.support_email,
        "contact_phone": now.support_phone,
    }


def support_contact() -> str:
    """Who reminders and link messages name for help: the support contact set in the console
    (name, phone, email), else the deployment's phrase (``PEERLOG["SUPPORT_CONTACT"]``)."""
    stored = _stored()
    fields = ("support_name", "support_phone", "support_email")
    if not any(stored.get(f) for f in fields):
        return settings.PEERLOG["SUPPORT_CONTACT"]
    # A field left empty in the console falls back to the deployment's (as current() does).
    values = defaults() | {f: stored[f] for f in fields if stored.get(f)}
    return ", ".join(values[f] for f in fields if values[f])


def crisis_contacts() -> list[dict[str, Any]]:
    """Who to call in a crisis: the programme's own list (shown as written), else the
    deployment's (``PEERLOG["CRISIS_CONTACTS"]``), which defaults to UK national services."""
    stored = current().crisis_contacts
    if stored:
        return [dict(c) for c in stored]
    return settings.PEERLOG["CRISIS_CONTACTS"]


def end_for(leaving_on: dt.date | None) -> dt.date | None:
    """The day a person's logging ends: their leaving date or the programme's end, whichever
    comes first (None: neither is set)."""
    ends = [d for d in (leaving_on, current().end) if d is not None]
    return min(ends) if ends else None
