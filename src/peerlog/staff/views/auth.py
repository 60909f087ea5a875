"""Signing in: password, then a code from an authenticator app; throttled; own passwords.

A password alone never signs anyone in: it only opens the second step, held in the session
for five minutes. Staff without an authenticator enrol one at their first sign-in (the secret
is shown as text and as an ``otpauth://`` link). Every failure of either step counts towards
the throttle of :mod:`peerlog.staff.lockout` (django-axes). Staff change their own password
on a page of the console; someone whose password was set by another person, or whose
authenticator was reset, is held on that page (see :mod:`peerlog.staff.middleware`).
"""

from __future__ import annotations

import datetime as dt
import time

from django import forms
from django.contrib import auth, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import PasswordChangeView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from peerlog.capture import audit
from peerlog.capture.views.registration import qr_svg
from peerlog.staff import backup_codes, lockout, middleware, totp
from peerlog.staff.access import role_of, role_required
from peerlog.staff.models import StaffProfile, TotpDevice, password_set_by
from peerlog.staff.views.common import EVERYONE

PENDING = "staff_pending_user"
PENDING_AT = "staff_pending_at"
NEXT = "staff_next"
PENDING_SECONDS = 300


class PasswordForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("User name"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username"}))
    password = forms.CharField(label=gettext_lazy("Password"), strip=False, max_length=4096,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Six-digit code from your authenticator app"), max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    is_backup = False

    def clean_code(self) -> str:
        raw = self.cleaned_data["code"]
        code = totp.normalise_code(raw)
        if code is not None and len(code) == totp.DIGITS:
            return code
        backup = backup_codes.normalise(raw)
        if backup is not None:
            self.is_backup = True
            return backup
        raise forms.ValidationError(
            _("Enter the six digits your authenticator app shows, for example 123456, or one "
              "of your backup codes."))


def _locked_message(until: dt.datetime) -> str:
    return _("Too many failed attempts. Signing in to this account from here is paused until "
             "%(time)s; please try again then.") % {
        "time": timezone.localtime(until).strftime("%H:%M")}


@sensitive_post_parameters("password")
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    form = PasswordForm(request.POST or None)
    error, status = None, 200
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        # The throttle backend refuses a paused name before any password is hashed.
        user = auth.authenticate(request, username=username,
                                 password=form.cleaned_data["password"])
        if user is not None and role_of(user) is None and not user.is_superuser:
            lockout.record_failure(request, username)  # a real password, but no staff account
            user = None
        if user is None:
            until = lockout.locked_until(request, username)
            error, status = (_locked_message(until), 429) if until else (
                _("That user name and password do not match a staff account."), 401)
        else:
            request.session.cycle_key()
            request.session[PENDING] = user.pk
            request.session[PENDING_AT] = time.time()
            nxt = request.GET.get("next", "")
            if url_has_allowed_host_and_scheme(nxt, {request.get_host()},
                                               require_https=request.is_secure()):
                request.session[NEXT] = nxt
            return redirect("staff:login_code")
    return render(request, "staff/login.html", {"form": form, "error": error}, status=status)


def _pending_user(request: HttpRequest):
    pk, at = request.session.get(PENDING), request.session.get(PENDING_AT, 0)
    if pk is None or not isinstance(at, int | float) or time.time() - at > PENDING_SECONDS:
        return None
    return get_user_model().objects.filter(pk=pk, is_active=True).first()


@sensitive_post_parameters("code")
@never_cache
def code_view(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        return redirect("staff:login")
    device, _created = TotpDevice.objects.get_or_create(
        user=user, defaults={"secret": totp.new_secret()})
    enrolling = not device.confirmed
    form = CodeForm(request.POST or None)
    error, status = None, 200
    username = user.get_username()
    if request.method == "POST" and form.is_valid():
        until = lockout.locked_until(request, username)
        code, by_backup = form.cleaned_data["code"], form.is_backup
        if until:
            ok = False
        elif by_backup:  # spent in one statement; never during enrolment
            ok = not enrolling and backup_codes.use(user, code)
        else:
            step = totp.verify(device.secret, code, device.last_step)
            # Claim the step in one statement: two requests racing with one code sign in once.
            ok = step is not None and bool(TotpDevice.objects.filter(
                pk=device.pk, last_step__lt=step).update(last_step=step, confirmed=True))
        if not ok and not until:  # a wrong backup code counts like a wrong authenticator code
            lockout.record_failure(request, username)
            until = lockout.locked_until(request, username)
        if until:
            error, status = _locked_message(until), 429
        elif not ok:
            error, status = (_("That backup code is not right, or it has been used already.")
                             if by_backup else _(
                "That code is not right. Codes change every 30 seconds; enter the one shown "
                "now.")), 401
        else:
            nxt = request.session.get(NEXT) or ""
            for key in (PENDING, PENDING_AT, NEXT):
                request.session.pop(key, None)
            auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            middleware.start(request)
            if by_backup:
                audit.record(user, "staff.sign_in_backup_code", user,
                             unused_left=backup_codes.unused(user))
            else:
                audit.record(user, "staff.enrol_totp" if enrolling else "staff.sign_in", user)
            # A superuser without a staff role has only the Django admin.
            if enrolling and role_of(user):  # next: make the backup codes (shown once)
                return redirect(f"{reverse('staff:backup_codes')}?first=1")
            return redirect(nxt or ("staff:home" if role_of(user) else "admin:index"))
    elif request.method == "POST":
        status = 400
    context = {"form": form, "error": error, "enrolling": enrolling}
    if enrolling:
        context["secret"] = " ".join(device.secret[i:i + 4] for i in range(0, 32, 4))
        context["uri"] = totp.provisioning_uri(device.secret, username)
        context["qr"] = qr_svg(context["uri"], _("QR code of your authenticator key"))
    else:
        context["backup_left"] = backup_codes.unused(user)
    return render(request, "staff/login_code.html", context, status=status)


@role_required(*EVERYONE)
@never_cache
def backup_codes_page(request: HttpRequest) -> HttpResponse:
    """How many backup codes are left; make new ones (the old ones stop working), shown in
    the POST's response only: they are never stored in clear, so cannot be shown again."""
    user = request.user
    if request.method == "POST":
        codes = backup_codes.new_codes(user)
        audit.record(user, "staff.backup_codes_new", user, count=len(codes))
        return render(request, "staff/backup_codes_new.html", {"codes": codes})
    return render(request, "staff/backup_codes.html", {
        "unused": backup_codes.unused(user), "first": request.GET.get("first") == "1"})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    auth.logout(request)
    return redirect("staff:login")


class OwnPasswordForm(PasswordChangeForm):
    """Django's form (old password, new twice, every password validator), plus: the new
    password differs from the old one (a required change must change something)."""

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if self.user.check_password(data.get("new_password1") or ""):
            self.add_error("new_password1",
                           _("Choose a password different from your current one."))
        return data

    def save(self, commit: bool = True):
        password_set_by(self.user, self.user)
        return super().save(commit)


class OwnPasswordView(PasswordChangeView):
    """Staff change their own password (audited as done by themselves)."""

    form_class = OwnPasswordForm
    template_name = "staff/password_change.html"
    success_url = reverse_lazy("staff:home")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["required"] = StaffProfile.objects.filter(
            user=self.request.user, must_change_password=True).exists()
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        if not role_of(self.request.user):
            return redirect("admin:index")
        return response


password_change = OwnPasswordView.as_view()
