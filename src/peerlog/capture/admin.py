"""Django admin: enough to bootstrap regions, projects and staff accounts.

Contact details are deliberately not in the admin: reading them goes through an audited
view (see :func:`peerlog.capture.audit.view_contact`). Logs are read-only here; a change to
a log goes through the capture services so that it is scored and audited.
"""

from django.contrib import admin

from peerlog.capture import models


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown for reading only: changes go through services that score and audit them."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(models.Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "approach", "funding", "short_version", "double_entry"]
    list_filter = ["region", "approach", "funding", "short_version"]
    search_fields = ["name", "code"]


class PersonalIdInline(admin.TabularInline):
    model = models.PersonalId
    extra = 0
    readonly_fields = ["code"]
    can_delete = False


@admin.register(models.PersonalIdBatch)
class PersonalIdBatchAdmin(admin.ModelAdmin):
    list_display = ["project", "created_at", "note"]
    inlines = [PersonalIdInline]


@admin.register(models.Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ["personal_id", "project", "registered_at", "withdrawal"]
    list_filter = ["project__region", "withdrawal"]
    search_fields = ["personal_id__code"]
    exclude = ["registration_answers"]
    readonly_fields = [
        "personal_id", "consent_information", "consent_reminders", "consent_data_use",
        "consent_form_version", "consented_at", "registered_at",
    ]


@admin.register(models.Log)
class LogAdmin(ReadOnlyAdmin):
    list_display = ["typed_personal_id", "kind", "version", "mode", "completed_on", "status"]
    list_filter = ["kind", "version", "mode", "status"]
    search_fields = ["typed_personal_id"]


@admin.register(models.AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_label", "action", "target_type", "target_id"]
    list_filter = ["action"]

