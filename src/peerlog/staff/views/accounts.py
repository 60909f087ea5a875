"""Staff accounts (administrators): create, unlock, reset a password or an authenticator.

Every password set here passes Django's password validators and is a first password: the
person must choose their own at their next sign-in, as after an authenticator reset. Each
act is audited with the administrator as the actor and the account as the target.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import SetPasswordForm
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from peerlog.capture import audit
from peerlog.capture.models import Project, Region
from peerlog.staff import lockout
from peerlog.staff.access import role_required
from peerlog.staff.models import BackupCode, Role, StaffProfile, TotpDevice, password_set_by
from peerlog.staff.views.common import ADMIN


class AccountForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("User name"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("Email"), required=False)
    password = forms.CharField(
        label=gettext_lazy("First password"), strip=False,
        help_text=gettext_lazy("The person chooses their own password when they first sign in."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)
    projects = forms.ModelMultipleChoiceField(queryset=Project.objects.all(), required=False,
                                              label=gettext_lazy("Projects (coordinators)"))
    regions = forms.ModelMultipleChoiceField(queryset=Region.objects.all(), required=False,
                                             label=gettext_lazy("Regions (regional researchers)"))

    def clean_username(self) -> str:
        name = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=name).exists():
            raise forms.ValidationError(_("That user name is taken."))
        return name

    def clean(self):
        data = super().clean()
        password = data.get("password")
        if password:
            # The same validators as every other path, with the account's own name and email.
            candidate = get_user_model()(username=data.get("username", ""),
                                         email=data.get("email", ""))
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return data


@role_required(ADMIN)
def accounts(request: HttpRequest) -> HttpResponse:
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            user = get_user_model().objects.create_user(data["username"], data["email"],
                                                        data["password"])
            profile = StaffProfile.objects.create(user=user, role=data["role"],
                                                  must_change_password=True)
            profile.projects.set(data["projects"])
            profile.regions.set(data["regions"])
            audit.record(request.user, "staff.account_create", user, role=data["role"])
        messages.success(request, _("Account %(name)s created.") % {"name": user.username})
        return redirect("staff:accounts")
    profiles = StaffProfile.objects.select_related("user").prefetch_related(
        "projects", "regions").order_by("user__username")
    confirmed = set(TotpDevice.objects.filter(confirmed=True).values_list("user_id", flat=True))
    rows = [{"profile": p, "locked": lockout.locked_addresses(p.user.username),
             "has_totp": p.user_id in confirmed} for p in profiles]
    return render(request, "staff/accounts.html", {"form": form, "rows": rows})


@role_required(ADMIN)
@require_POST
def account_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    profile = StaffProfile.objects.filter(pk=pk).select_related("user").first()
    if profile is None or action not in ("unlock", "reset_totp"):
        raise Http404
    if action == "unlock":
        lockout.unlock(profile.user.username)
    else:
        with transaction.atomic():
            TotpDevice.objects.filter(user=profile.user).delete()
            BackupCode.objects.filter(user=profile.user).delete()  # new ones at enrolment
            # The person sets a new password themselves before any other page.
            StaffProfile.objects.filter(pk=profile.pk).update(must_change_password=True)
    audit.record(request.user, f"staff.{action}", profile.user)
    messages.success(request, _("Done."))
    return redirect("staff:accounts")


@role_required(ADMIN)
def account_password(request: HttpRequest, pk: int) -> HttpResponse:
    """Set a first password for someone who forgot theirs (they replace it at sign-in)."""
    profile = get_object_or_404(StaffProfile.objects.select_related("user"), pk=pk)
    form = SetPasswordForm(profile.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        password_set_by(profile.user, request.user)  # audited as a reset, by this admin
        form.save()
        messages.success(request, _("New first password set for %(name)s. They will choose "
                                    "their own when they sign in.")
                         % {"name": profile.user.username})
        return redirect("staff:accounts")
    return render(request, "staff/account_password.html", {"form": form, "profile": profile})
