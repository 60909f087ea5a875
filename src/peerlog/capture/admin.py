"""Django admin: for operators (superusers made with ``peerlog manage createsuperuser``) to
bootstrap regions and projects. Not a way round the console.

Participants, logs, contact details, drafts, registrations in progress and personal links are
not in the admin at all: every read or change of them goes through the console, which scopes
and audits it. The audit trail and ID batches are shown read-only. Every change the admin can
make is written to PeerLog's audit trail, with the operator as the actor.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from peerlog.capture import audit, models


class AuditedAdmin(admin.ModelAdmin):
    """Adds, changes and deletes are recorded in the audit trail (``admin.*`` actions)."""

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        # Field names only, never values; a password field is recorded by its own event.
        fields = sorted(f for f in form.changed_data if not f.startswith("password"))
        audit.record(request.user, "admin.change" if change else "admin.add", obj,
                     fields=fields)

    def delete_model(self, request, obj) -> None:
        audit.record(request.user, "admin.delete", obj, label=str(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            audit.record(request.user, "admin.delete", obj, label=str(obj))
        super().delete_queryset(request, queryset)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown for reading only: changes go through services that score and audit them."""

    def has_change_permission(self, request, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request, obj: Any = None) -> bool:
        return False


@admin.register(models.Region)
class RegionAdmin(AuditedAdmin):
    list_display = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(models.Project)
class ProjectAdmin(AuditedAdmin):
    list_display = ["name", "region", "approach", "funding", "short_version", "double_entry"]
    list_filter = ["region", "approach", "funding", "short_version"]
    search_fields = ["name", "code"]


@admin.register(models.PersonalIdBatch)
class PersonalIdBatchAdmin(ReadOnlyAdmin):
    """Batches are issued in the console (which makes the check digits and the slips)."""

    list_display = ["project", "created_at", "note"]


@admin.register(models.AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_label", "action", "target_type", "target_id"]
    list_filter = ["action"]
