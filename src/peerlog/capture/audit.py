"""The audit trail: one call per auditable act, so no view can forget a field."""

from __future__ import annotations

from typing import Any

from django.db import models

from peerlog.capture.models import AuditEvent, ContactDetails, Participant


def actor_label(actor: Any) -> str:
    if actor is None:
        return "system"
    if isinstance(actor, str):
        return actor
    return getattr(actor, "username", None) or str(actor)


def record(actor: Any, action: str, target: models.Model | str, **detail: Any) -> AuditEvent:
    """Append one event.

    ``actor`` is a user, a label such as ``"participant"`` or ``"cli"``, or None (system);
    ``target`` is the object acted on, or a label for acts on no one object (an export).
    """
    user = actor if getattr(actor, "is_authenticated", False) else None
    if isinstance(target, models.Model):
        target_type, target_id = target._meta.label_lower, str(target.pk)
    else:
        target_type, target_id = target, ""
    return AuditEvent.objects.create(
        actor=user,
        actor_label=actor_label(actor),
        action=action,
        target_type=target_type,
        target_id=target_id,
        detail=detail,
    )


def view_contact(participant: Participant, actor: Any, reason: str) -> ContactDetails | None:
    """The only sanctioned way to read contact details: the reading is audited first."""
    contact = ContactDetails.objects.filter(participant=participant).first()
    record(actor, "contact.view", participant, reason=reason)
    return contact
