"""Changing how a person is contacted: one path for the person's own page, staff and an
inbound "STOP" text, so every change is audited the same way.

The audit trail records which fields changed and who changed them, never the values: the
trail is read by more people than may read contact details. Reminders read these fields
when they are planned and again when they are sent (:mod:`peerlog.outreach.remind`), so a
change takes effect in the next ``peerlog remind``.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from peerlog.capture import audit
from peerlog.capture.models import ContactDetails, Participant

CONTACT_FIELDS = ("channels", "email", "phone", "postal", "reminders_opt_out")
CHANNEL_FIELD = {"email": "email", "sms": "phone", "post": "postal"}


def mask_email(address: str) -> str:
    """``jo.bloggs@example.org`` -> ``j…@example.org``: enough to recognise, not to use."""
    if not address:
        return ""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}…@{domain}" if domain else "…"


def mask_phone(number: str) -> str:
    """``+447700900123`` -> ``…123``."""
    return f"…{number[-3:]}" if number else ""


def mask_postal(address: str) -> str:
    """Only the first few characters of the first line (usually the name)."""
    first = address.strip().splitlines()[0] if address.strip() else ""
    return f"{first[:3]}…" if first else ""


@transaction.atomic
def change(participant: Participant, actor: Any, via: str, **values: Any) -> list[str]:
    """Set the given contact fields (and ``language``) of ``participant``; audit the names
    of those that really changed, with ``via`` (``"link"``, ``"staff"``, ``"sms"``).

    Returns the changed field names (empty: nothing to record, e.g. a double submit).
    """
    contact, _created = ContactDetails.objects.select_for_update().get_or_create(
        participant=participant)
    changed = []
    for name in CONTACT_FIELDS:
        if name in values and getattr(contact, name) != values[name]:
            setattr(contact, name, values[name])
            changed.append(name)
    language = values.get("language")
    if language and language != participant.language:
        Participant.objects.filter(pk=participant.pk).update(language=language)
        participant.language = language
        changed.append("language")
    if not changed:
        return []
    contact.save()
    audit.record(actor, "contact.change", participant, fields=sorted(changed), via=via)
    return changed
