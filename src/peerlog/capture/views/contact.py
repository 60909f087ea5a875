"""How we contact you: through their personal link a person changes their email address,
mobile number and postal address, the ways we contact them, their language, and stops or
restarts reminders.

Current details are shown masked ("j…@example.org"), never in full: a link may be opened on
a shared device. An empty box keeps what we have; unticking a way of contact erases its
address (we keep only what is used, as at registration). Changes are audited by field name
(:mod:`peerlog.capture.contact_changes`) and apply from the next reminder run.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from peerlog.capture import contact_changes
from peerlog.capture.contact_changes import CHANNEL_FIELD
from peerlog.capture.forms import PhoneField
from peerlog.capture.models import ContactDetails, Participant
from peerlog.capture.views import pages
from peerlog.capture.views.logs import _withdrawn, participant_for

CHANNEL_CHOICES = [("email", gettext_lazy("By email")), ("sms", gettext_lazy("By text message")),
                   ("post", gettext_lazy("By post"))]
MISSING = {
    "email": gettext_lazy("Enter your email address, or untick “By email”."),
    "sms": gettext_lazy("Enter your mobile number, or untick “By text message”."),
    "post": gettext_lazy("Enter your name and address, or untick “By post”."),
}


class ContactForm(forms.Form):
    """Empty address boxes keep the current address (``current``: the stored details)."""

    channels = forms.MultipleChoiceField(
        label=gettext_lazy("How would you like us to contact you?"), required=False,
        choices=CHANNEL_CHOICES, widget=forms.CheckboxSelectMultiple)
    email = forms.EmailField(
        label=gettext_lazy("Email address"), required=False, max_length=254,
        error_messages={"invalid": gettext_lazy(
            "Enter an email address like name@example.org.")})
    phone = PhoneField(label=gettext_lazy("Mobile number"), required=False, max_length=40)
    postal = forms.CharField(label=gettext_lazy("Name and postal address"), required=False,
                             max_length=500, widget=forms.Textarea(attrs={"rows": 4}))
    language = forms.ChoiceField(label=gettext_lazy("Language of our messages and pages"),
                                 widget=forms.RadioSelect)
    reminders = forms.ChoiceField(
        label=gettext_lazy("Reminders"), widget=forms.RadioSelect,
        choices=[("on", gettext_lazy("Send me a reminder when my log is due")),
                 ("off", gettext_lazy("Stop my reminders"))])

    def __init__(self, *args, current: ContactDetails, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.current = current
        self.fields["language"].choices = [(lang.code, lang.name) for lang in pages.languages()]
        shown = {"email": contact_changes.mask_email(current.email),
                 "phone": contact_changes.mask_phone(current.phone),
                 "postal": contact_changes.mask_postal(current.postal)}
        for name, masked in shown.items():
            self.fields[name].help_text = (
                _("We have %(masked)s. Leave this empty to keep it.") % {"masked": masked}
                if masked else _("We have none."))

    def clean(self) -> dict:
        data = super().clean()
        channels = data.get("channels") or []
        if "channels" not in self.errors and not channels:
            self.add_error("channels", _(
                "Choose at least one way for us to contact you. To stop reminders, choose "
                "“Stop my reminders” below."))
        for channel in channels:
            field = CHANNEL_FIELD[channel]
            if field not in self.errors and not data.get(field) \
                    and not getattr(self.current, field):
                self.add_error(field, MISSING[channel])
        return data

    def values(self) -> dict:
        """The stored values this form asks for (kept, replaced or erased)."""
        data = self.cleaned_data
        channels = [c for c, _label in CHANNEL_CHOICES if c in data["channels"]]
        out = {"channels": channels, "language": data["language"],
               "reminders_opt_out": data["reminders"] == "off"}
        for channel, field in CHANNEL_FIELD.items():
            out[field] = (data[field] or getattr(self.current, field)) \
                if channel in channels else ""
        return out


def _initial(participant: Participant, current: ContactDetails) -> dict:
    return {"channels": current.channels, "language": participant.language,
            "reminders": "off" if current.reminders_opt_out else "on"}


@never_cache
@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest, token: str) -> HttpResponse:
    participant = participant_for(token, request)
    if participant.withdrawal:
        return _withdrawn(request, participant, token)
    current = (ContactDetails.objects.filter(participant=participant).first()
               or ContactDetails(participant=participant))
    form = ContactForm(request.POST or None, current=current,
                       initial=_initial(participant, current))
    if request.method == "POST" and form.is_valid():
        contact_changes.change(participant, "participant", "link", **form.values())
        response = redirect(reverse("capture:contact", args=[token]) + "?saved=1")
        language = form.cleaned_data["language"]
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language,
                            max_age=settings.LANGUAGE_COOKIE_AGE, samesite="Lax",
                            secure=settings.LANGUAGE_COOKIE_SECURE)
        return response
    errors = [{"anchor": form[name].auto_id if name not in ("channels", "language", "reminders")
               else f"{form[name].auto_id}_0", "label": form.fields[name].label,
               "message": " ".join(messages)} for name, messages in form.errors.items()]
    return render(request, "capture/contact.html", {
        "token": token, "participant": participant, "form": form, "errors": errors,
        "title": _("How we contact you"), "saved": request.GET.get("saved") == "1"
        and request.method == "GET",
        "address_fields": [form["email"], form["phone"], form["postal"]],
    }, status=400 if form.errors else 200)
