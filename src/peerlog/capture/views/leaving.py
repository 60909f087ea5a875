"""A person's own "I am leaving the project" date, through their personal link: the log
due then is their last one, quarterly (doc line 945; ``programme.end_for``)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from peerlog.capture import audit
from peerlog.capture.views.logs import participant_for


class LeavingForm(forms.Form):
    leaving_on = forms.DateField(
        label=gettext_lazy("The day you leave the project"), required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"],
        help_text=gettext_lazy("For example 27/03/2027. Leave it empty if you are not "
                               "leaving after all."),
        error_messages={"invalid": gettext_lazy(
            "Enter the date as day/month/year, for example 27/03/2027.")},
    )

    def clean_leaving_on(self) -> dt.date | None:
        day = self.cleaned_data["leaving_on"]
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError(_("This date has passed. Please enter today's date "
                                          "or a later one."))
        return day


@never_cache
@require_http_methods(["GET", "POST"])
def leaving(request: HttpRequest, token: str) -> HttpResponse:
    """The person says when they leave the project; their log due then is the last one."""
    participant = participant_for(token, request)
    form = LeavingForm(request.POST or None, initial={"leaving_on": participant.leaving_on})
    if request.method == "POST" and form.is_valid():
        day = form.cleaned_data["leaving_on"]
        if day != participant.leaving_on:  # a resent form changes nothing twice
            old = participant.leaving_on
            participant.leaving_on = day
            participant.save(update_fields=["leaving_on"])
            audit.record("participant", "participant.leaving", participant,
                         old=old.isoformat() if old else "", new=day.isoformat() if day else "")
        return redirect("capture:link", token=token)
    return render(request, "capture/leaving.html", {
        "title": _("I am leaving the project"), "form": form, "token": token,
        "participant": participant,
        "leaving_on": (formats.date_format(participant.leaving_on)
                       if participant.leaving_on else ""),
    })
