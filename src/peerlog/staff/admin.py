"""Django admin for operators: staff profiles and user accounts, every change audited.

The console's administrator role is not a superuser and cannot open the admin. Passwords set
here pass Django's validators (the admin's own forms apply them) and, like any password set by
someone else, must be replaced by the person at their next sign-in
(:func:`peerlog.staff.models.password_set_by`); the audit names the operator.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group

from peerlog.capture import audit
from peerlog.capture.admin import AuditedAdmin
from peerlog.staff.models import StaffProfile, acting_as, password_set_by

User = get_user_model()


@admin.register(StaffProfile)
class StaffProfileAdmin(AuditedAdmin):
    list_display = ["user", "role", "must_change_password"]
    list_filter = ["role"]
    filter_horizontal = ["projects", "regions"]

    def save_model(self, request, obj, form, change) -> None:
        if not change:  # the account's password was set by someone else
            obj.must_change_password = True
        super().save_model(request, obj, form, change)


class AuditedUserAdmin(AuditedAdmin, UserAdmin):
    """Django's user admin, audited like every other, with the operator named as the actor of
    every password change."""

    def save_model(self, request, obj, form, change) -> None:
        if "password" in form.cleaned_data or "password1" in form.cleaned_data:
            password_set_by(obj, request.user)
        super().save_model(request, obj, form, change)

    def user_change_password(self, request, id, form_url=""):
        with acting_as(request.user):  # the password form saves; name the operator
            response = super().user_change_password(request, id, form_url)
        if (request.method == "POST" and response.status_code == 302
                and request.POST.get("usable_password") == "false"):
            user = self.get_object(request, admin.utils.unquote(id))
            if user is not None and not user.has_usable_password():
                audit.record(request.user, "staff.password_disabled", user)
        return response


admin.site.unregister(User)
admin.site.unregister(Group)  # PeerLog's roles are StaffProfile.role, not groups
admin.site.register(User, AuditedUserAdmin)
