"""Settings in the console (issue 13, item 5): the programme's (central researchers) and each
project's (its coordinators, its region's researchers, central researchers), and a person's
leaving date. Every change is audited with the fields' old and new values; a form sent again
unchanged changes and records nothing. The Django admin stays for operators only.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings as django_settings
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from peerlog.capture import audit, programme
from peerlog.capture.models import Participant, ProgrammeSettings, Project
from peerlog.staff.access import role_of, role_required, visible_projects
from peerlog.staff.views.common import (
    CENTRAL,
    ROW_LEVEL,
    participant_or_404,
    plain,
    project_or_404,
    save_audited,
)

#: Separates the parts of a crisis contact on its line.
SEP = "|"


class CrisisContactsField(forms.CharField):
    """One contact a line, ``name | phone | when | what they offer``; empty: the UK national
    services (translated)."""

    widget = forms.Textarea(attrs={"rows": 5})

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, list):
            return "\n".join(f" {SEP} ".join(c.get(k, "") for k in ("name", "phone", "when",
                                                                   "text")) for c in value)
        return value or ""

    def to_python(self, value: Any) -> list[dict[str, str]]:
        contacts = []
        for n, line in enumerate(str(value or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split(SEP)]
            if len(parts) > 4 or not parts[0] or not any(parts[1:]):
                raise forms.ValidationError(
                    _("Line %(n)d: write a name, then | and a phone number (then, if you "
                      "like, | when | what they offer).") % {"n": n})
            parts += [""] * (4 - len(parts))
            contacts.append(dict(zip(("name", "phone", "when", "text"), parts, strict=True)))
        return contacts


class ProgrammeSettingsForm(forms.ModelForm):
    crisis_contacts = CrisisContactsField(
        label=gettext_lazy("Crisis contacts"), required=False,
        help_text=gettext_lazy("One a line: name | phone | when | what they offer. Leave "
                               "empty for Samaritans, NHS 111 and 999 (translated)."))

    class Meta:
        model = ProgrammeSettings
        fields = ["name", "partners", "prize_individual", "prize_project", "prize_final",
                  "crisis_contacts", "support_name", "support_email", "support_phone",
                  "programme_start", "programme_end", "information_text"]
        widgets = {"programme_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "programme_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "information_text": forms.Textarea(attrs={"rows": 8})}
        help_texts = {
            "programme_end": gettext_lazy("Optional. The log due in the last month before it "
                                          "is the quarterly one, and no log is due after it."),
            "information_text": gettext_lazy(
                "Leave empty for the standard information sheet (what the log is, what is "
                "kept, who sees it, how to stop, who to contact; translated). Your own text is "
                "shown as written, paragraphs separated by an empty line."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("name", "partners", "prize_individual", "prize_project", "prize_final",
                     "support_name", "support_email", "programme_start"):
            self.fields[name].required = True

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("programme_start"), data.get("programme_end")
        if start and end and end <= start:
            self.add_error("programme_end", _("The end must be after the start (%(start)s).")
                           % {"start": start.isoformat()})
        return data


class ProjectSettingsForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=gettext_lazy("Languages"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=django_settings.LANGUAGES,
        help_text=gettext_lazy("The languages this project's members use."))

    class Meta:
        model = Project
        fields = ["short_version", "double_entry", "languages", "active"]


def _current_settings() -> ProgrammeSettings:
    """The stored row, or an unsaved one holding the defaults (what is in force today)."""
    row = ProgrammeSettings.objects.filter(pk=1).first()
    if row is None:
        values = programme.defaults()
        row = ProgrammeSettings(**values)
    return row


@role_required(*ROW_LEVEL)
def settings_home(request: HttpRequest) -> HttpResponse:
    """The settings a person may change: the programme's (central researchers) and their
    projects'."""
    return render(request, "staff/settings.html", {
        "programme_allowed": role_of(request.user) == CENTRAL,
        "projects": visible_projects(request.user).select_related("region").order_by("name"),
    })


@role_required(CENTRAL)
@never_cache
def programme_settings(request: HttpRequest) -> HttpResponse:
    row = _current_settings()
    defaults = {f: getattr(row, f) for f in ProgrammeSettingsForm.Meta.fields}
    form = ProgrammeSettingsForm(request.POST or None, instance=row)
    if request.method == "POST" and form.is_valid():
        # unchanged defaults stay unstored, so the deployment's still apply
        changes = save_audited(request, form, "settings.programme", unsaved=defaults)
        messages.success(request, _("Programme settings saved.") if changes
                         else _("Nothing was changed."))
        return redirect("staff:programme_settings")
    return render(request, "staff/settings_form.html", {
        "form": form, "heading": _("Programme settings"),
        "intro": _("Names, prizes and contacts shown on participant pages, messages and paper "
                   "forms. Changes are recorded in the audit trail."),
    })


@role_required(*ROW_LEVEL)
@never_cache
def project_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """A project's own settings, for staff whose scope includes it (else: not found)."""
    project = project_or_404(request.user, pk)
    form = ProjectSettingsForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        changes = save_audited(request, form, "settings.project")
        messages.success(request, _("Project settings saved.") if changes
                         else _("Nothing was changed."))
        return redirect("staff:project_settings", project.pk)
    return render(request, "staff/settings_form.html", {
        "form": form, "heading": _("Settings of %(project)s") % {"project": project.name},
        "intro": _("Changes are recorded in the audit trail."),
    })


class LeavingForm(forms.Form):
    leaving_on = forms.DateField(
        label=gettext_lazy("Leaving date"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("The log due from the last month before it is the quarterly "
                               "one. Empty: not leaving."))


@role_required(*ROW_LEVEL)
@require_POST
@never_cache
def participant_leaving(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the day a person leaves their project (told to staff), audited."""
    person: Participant = participant_or_404(request.user, pk)
    form = LeavingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Leaving date: %(error)s") % {
            "error": " ".join(form.errors["leaving_on"])})
        return redirect("staff:participant", person.pk)
    day = form.cleaned_data["leaving_on"]
    if day != person.leaving_on:
        with transaction.atomic():
            old, person.leaving_on = person.leaving_on, day
            person.save(update_fields=["leaving_on"])
            audit.record(request.user, "participant.leaving", person,
                         old=plain(old) or "", new=plain(day) or "")
        messages.success(request, _("Leaving date saved."))
    return redirect("staff:participant", person.pk)
