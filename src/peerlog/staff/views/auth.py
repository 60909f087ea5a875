"""Signing in: password, then a code from an authenticator app; lockout after failures.

A password alone never signs anyone in: it only opens the second step, held in the session
for five minutes. Staff without an authenticator enrol one at their first sign-in (the secret
is shown as text and as an ``otpauth://`` link). Every failure of either step counts towards
the lockout of :mod:`peerlog.staff.lockout`.
"""

from __future__ import annotations

import time

from django import forms
from django.contrib import auth
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from peerlog.capture import audit
from peerlog.staff import lockout, totp
from peerlog.staff.access import role_of
from peerlog.staff.models import TotpDevice

PENDING = "staff_pending_user"
PENDING_AT = "staff_pending_at"
NEXT = "staff_next"
PENDING_SECONDS = 300


class PasswordForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("User name"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username"}))
    password = forms.CharField(label=gettext_lazy("Password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Six-digit code from your authenticator app"), max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


def _locked_message(until) -> str:
    return _("Too many failed attempts. This account is locked until %(time)s; please try "
             "again then.") % {"time": until.strftime("%H:%M")}


@sensitive_post_parameters("password")
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    form = PasswordForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        until = lockout.locked_until(username)
        if until:
            error = _locked_message(until)
        else:
            user = auth.authenticate(request, username=username,
                                     password=form.cleaned_data["password"])
            if user is None or role_of(user) is None and not user.is_superuser:
                lockout.record_failure(username, "password")
                until = lockout.locked_until(username)
                error = _locked_message(until) if until else _(
                    "That user name and password do not match a staff account.")
            else:
                request.session.cycle_key()
                request.session[PENDING] = user.pk
                request.session[PENDING_AT] = time.time()
                nxt = request.GET.get("next", "")
                if url_has_allowed_host_and_scheme(nxt, {request.get_host()}):
                    request.session[NEXT] = nxt
                return redirect("staff:login_code")
    return render(request, "staff/login.html", {"form": form, "error": error},
                  status=200 if error is None else 401)


def _pending_user(request: HttpRequest):
    pk, at = request.session.get(PENDING), request.session.get(PENDING_AT, 0)
    if pk is None or time.time() - at > PENDING_SECONDS:
        return None
    return get_user_model().objects.filter(pk=pk, is_active=True).first()


@never_cache
def code_view(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        return redirect("staff:login")
    device = TotpDevice.objects.filter(user=user).first()
    if device is None:
        device = TotpDevice.objects.create(user=user, secret=totp.new_secret())
    enrolling = not device.confirmed
    form = CodeForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        until = lockout.locked_until(user.get_username())
        step = None if until else totp.verify(device.secret, form.cleaned_data["code"],
                                              device.last_step)
        if until:
            error = _locked_message(until)
        elif step is None:
            lockout.record_failure(user.get_username(), "code")
            until = lockout.locked_until(user.get_username())
            error = _locked_message(until) if until else _(
                "That code is not right. Codes change every 30 seconds; enter the one shown now.")
        else:
            device.last_step = step
            device.confirmed = True
            device.save(update_fields=["last_step", "confirmed"])
            lockout.clear(user.get_username())
            nxt = request.session.get(NEXT) or ""
            for key in (PENDING, PENDING_AT, NEXT):
                request.session.pop(key, None)
            auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            audit.record(user, "staff.enrol_totp" if enrolling else "staff.sign_in", user)
            # A superuser without a staff role has only the Django admin.
            return redirect(nxt or ("staff:home" if role_of(user) else "admin:index"))
    context = {"form": form, "error": error, "enrolling": enrolling}
    if enrolling:
        context["secret"] = " ".join(device.secret[i:i + 4] for i in range(0, 32, 4))
        context["uri"] = totp.provisioning_uri(device.secret, user.get_username())
    return render(request, "staff/login_code.html", context,
                  status=200 if error is None else 401)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    auth.logout(request)
    return redirect("staff:login")
