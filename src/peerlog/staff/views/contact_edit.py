"""Staff edit a person's contact details (central researchers only, as for reading them).

The form is shown on the audited contact view (so the reading is recorded first); saving
goes through :func:`peerlog.capture.contact_changes.change`, which audits the names of the
changed fields, never their values. A role that may not read contact details may not change
them either: the view refuses it before reading anything.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from peerlog.capture import contact_changes
from peerlog.capture.contact_changes import CHANNEL_FIELD
from peerlog.capture.forms import PhoneField
from peerlog.capture.models import ContactDetails
from peerlog.capture.views.contact import CHANNEL_CHOICES, MISSING
from peerlog.staff.access import role_required
from peerlog.staff.views.common import CENTRAL, participant_or_404


class StaffContactForm(forms.Form):
    channels = forms.MultipleChoiceField(label=gettext_lazy("Ways of contact"), required=False,
                                         choices=CHANNEL_CHOICES,
                                         widget=forms.CheckboxSelectMultiple)
    email = forms.EmailField(label=gettext_lazy("Email"), required=False, max_length=254)
    phone = PhoneField(label=gettext_lazy("Mobile number"), required=False, max_length=40)
    postal = forms.CharField(label=gettext_lazy("Postal address"), required=False,
                             max_length=500, widget=forms.Textarea(attrs={"rows": 4}))
    reminders_opt_out = forms.BooleanField(label=gettext_lazy("Reminders stopped"),
                                           required=False)

    def clean(self) -> dict:
        data = super().clean()
        for channel in data.get("channels") or []:
            field = CHANNEL_FIELD[channel]
            if field not in self.errors and not data.get(field):
                self.add_error(field, MISSING[channel])
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        channels = [c for c, _label in CHANNEL_CHOICES if c in data["channels"]]
        return {"channels": channels, "reminders_opt_out": data["reminders_opt_out"],
                **{field: data[field] if channel in channels else ""
                   for channel, field in CHANNEL_FIELD.items()}}


def form_for(details: ContactDetails | None) -> StaffContactForm:
    """The edit form filled with the details just read on the audited view."""
    if details is None:
        return StaffContactForm()
    return StaffContactForm(initial={
        "channels": details.channels, "email": details.email, "phone": details.phone,
        "postal": details.postal, "reminders_opt_out": details.reminders_opt_out})


@role_required(CENTRAL)
@require_POST
@never_cache
def contact_edit(request, pk: int):
    person = participant_or_404(request.user, pk)
    form = StaffContactForm(request.POST)
    if not form.is_valid():
        response = render(request, "staff/contact_edit.html", {"person": person, "form": form},
                          status=400)
        response["Cache-Control"] = "no-store"
        return response
    changed = contact_changes.change(person, request.user, "staff", **form.values())
    messages.success(request, _("Contact details saved (%(fields)s).") % {
        "fields": ", ".join(changed)} if changed else _("Nothing was changed."))
    return redirect("staff:participant", person.pk)
