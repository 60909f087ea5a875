"""Paper: printable forms, the paper entry screen, double entry and resolving differences.

Double entry (per project): the first entry stores the log *held*; a second person types
the same paper form blind (they never see the first entry's answers); if every field agrees
the log counts, otherwise it stays held until a third person, who typed neither entry,
resolves each difference. Projects without double entry store the first entry as complete.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from peerlog.capture import audit, personal_ids
from peerlog.capture.forms import PAPER, SectionForm
from peerlog.capture.models import Log, PersonalId
from peerlog.capture.services import find_participant, outside_scope, programme_start, store_log
from peerlog.instruments import ScoringError, offered
from peerlog.staff.access import role_required, visible_projects
from peerlog.staff.layout import (
    ENTRY_INSTRUMENTS,
    PAPER_INSTRUMENTS,
    instrument_for,
    paper_layout,
    shipped_languages,
)
from peerlog.staff.models import PaperEntry
from peerlog.staff.pdf import paper_form_pdf
from peerlog.staff.services import PaperRegistrationError, change_log, register_from_paper
from peerlog.staff.views.common import ROW_LEVEL, pdf_response, text_param
from peerlog.staff.views.logs import CORRECTABLE, Field, parse, shown_value

ID_FIELD, DATE_FIELD = "personal_id", "date_completed"
# Registration: region and project are chosen on the entry screen, not typed from the paper.
NOT_ENTERED = ("region", "project")


# --- Printable forms ----------------------------------------------------------------------

def form_choice_label(code: str) -> str:
    """A form's title as people know it (the registration form's title is the study's)."""
    title = instrument_for(code).title
    return _("Registration form (%(title)s)") % {"title": title} if code == "registration" \
        else title


class PaperFormChoice(forms.Form):
    instrument = forms.ChoiceField(label=gettext_lazy("Form"), choices=())
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=())
    personal_id = forms.CharField(label=gettext_lazy("Personal ID to print on it (optional)"),
                                  required=False, max_length=40)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = [(c, form_choice_label(c))
                                             for c in PAPER_INSTRUMENTS]
        self.fields["language"].choices = [(x.code, x.name) for x in shipped_languages()]

    def clean_personal_id(self):
        raw = self.cleaned_data["personal_id"]
        if not raw.strip():
            return ""
        return _clean_id(raw)


def _clean_id(raw: str) -> str:
    pid = personal_ids.clean(raw)
    if pid is None:
        raise forms.ValidationError(_("A personal ID has digits only (spaces and dashes are "
                                      "ignored): check what is written on the form."))
    return pid


@role_required(*ROW_LEVEL)
def paper_forms(request):
    form = PaperFormChoice(request.GET or None)
    if request.GET and form.is_valid():
        params = f"?personal_id={form.cleaned_data['personal_id']}" if form.cleaned_data[
            "personal_id"] else ""
        from django.urls import reverse

        return redirect(reverse("staff:paper_form_pdf", args=[
            form.cleaned_data["instrument"], form.cleaned_data["language"]]) + params)
    return render(request, "staff/paper_forms.html", {
        "form": form, "instruments": PAPER_INSTRUMENTS, "languages": shipped_languages(),
    })


@role_required(*ROW_LEVEL)
def paper_form_pdf_view(request, code: str, language: str):
    if code not in PAPER_INSTRUMENTS or language not in {x.code for x in shipped_languages()} \
            or not offered(code, language):  # a full form a short-only translation leaves out
        raise Http404
    raw = request.GET.get("personal_id", "")
    pid = personal_ids.clean(raw) if raw.strip() else ""
    if pid is None:
        raise Http404
    if pid and not PersonalId.objects.filter(
            code=pid, batch__project__in=visible_projects(request.user)).exists():
        raise Http404  # only IDs issued to the staff member's own projects are printed
    suffix = f"-{pid}" if pid else ""
    return pdf_response(paper_form_pdf(code, language, pid), f"{code}-{language}{suffix}.pdf")


# --- The entry screen ----------------------------------------------------------------------

class EntryStart(forms.Form):
    project = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Project"))
    instrument = forms.ChoiceField(label=gettext_lazy("Form"), choices=())
    language = forms.ChoiceField(label=gettext_lazy("Language of the paper form"), choices=())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects = visible_projects(user)
        if len(projects[:2]) == 1:  # a coordinator of one project need not choose it
            self.fields["project"].initial = projects[0].pk
            self.fields["project"].empty_label = None
        self.fields["instrument"].choices = [(c, form_choice_label(c))
                                             for c in ENTRY_INSTRUMENTS]
        self.fields["language"].choices = [(x.code, x.name) for x in shipped_languages()]


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier (the month's last day if shorter)."""
    import calendar

    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


CONFIRM_OLDER_THAN_MONTHS = 3


class PaperIdForm(forms.Form):
    """The ID and date as written. A well-formed ID is taken as written (one no one
    registered is flagged, not refused: the paper exists and the log must be kept and
    matched later), but it must be digits: anything else is a typing slip (or an attack on
    whoever opens the export in a spreadsheet).

    Dates: not before the programme started (setting ``PROGRAMME_START``), not after
    tomorrow (time zones, forms dated the next morning); a date more than three months back
    is stored only when the typist ticks that they checked it against the paper, because
    a mistyped year is the commonest date slip and it moves a log out of every figure.
    """

    personal_id = forms.CharField(label=gettext_lazy("Personal ID"), max_length=40,
                                  widget=forms.TextInput(attrs={"inputmode": "numeric",
                                                                "autocomplete": "off"}))
    # Typed as written on paper (dd/mm/yy), one text box: faster than a date picker.
    date_completed = forms.DateField(
        label=gettext_lazy("Date on the form (dd/mm/yy)"),
        input_formats=["%d/%m/%y", "%d/%m/%Y", "%d%m%y", "%d%m%Y", "%d.%m.%y", "%d.%m.%Y",
                       "%d-%m-%y", "%d-%m-%Y", "%Y-%m-%d"],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off",
                                      "size": 10}))
    confirm_old_date = forms.BooleanField(
        label=gettext_lazy("I have checked the paper: the date is more than three months ago"),
        required=False, widget=forms.HiddenInput)
    confirm_id = forms.BooleanField(
        label=gettext_lazy("I have checked the paper: store the personal ID as written"),
        required=False, widget=forms.HiddenInput)

    def __init__(self, *args, project=None, **kwargs):
        """``project``: the project the log is entered for; its IDs are checked (a wrong
        check digit, or an ID not issued to it, asks the typist to confirm or correct)."""
        super().__init__(*args, **kwargs)
        self.project = project

    def clean_personal_id(self):
        return _clean_id(self.cleaned_data["personal_id"])

    def id_doubt(self, code: str) -> str:
        """Why a well-formed ID looks mistyped ("" when it does not)."""
        if self.project is None:
            return ""
        shown = personal_ids.display(code)
        if not personal_ids.is_valid(code):
            return _("The check digit of %(id)s does not fit: the ID is probably mistyped. "
                     "Correct it from the paper, or, if the paper says exactly this, tick the "
                     "box below and store the form again.") % {"id": shown}
        if not PersonalId.objects.filter(code=code, batch__project=self.project).exists():
            # The same words whether the ID belongs to another project or to none: no leak.
            return _("%(id)s was not issued to %(project)s: check the number on the paper. "
                     "If the paper says exactly this, tick the box below and store the form "
                     "again.") % {"id": shown, "project": self.project}
        return ""

    def clean_date_completed(self):
        value = self.cleaned_data["date_completed"]
        today = timezone.localdate()
        start = programme_start()
        if value > today + dt.timedelta(days=1):
            raise forms.ValidationError(_("This date is in the future: check the day, month "
                                          "and year on the form."))
        if value < start:
            raise forms.ValidationError(
                _("This date is before the programme started (%(start)s): check the year on "
                  "the form.") % {"start": start.strftime("%d/%m/%Y")})
        return value

    def clean(self):
        data = super().clean()
        value = data.get(DATE_FIELD)
        old = value is not None and value < months_before(
            timezone.localdate(), CONFIRM_OLDER_THAN_MONTHS)
        if old or data.get("confirm_old_date"):
            self.fields["confirm_old_date"].widget = forms.CheckboxInput()
        if old and not data.get("confirm_old_date"):
            self.add_error("confirm_old_date", _(
                "The date on the form is more than three months ago. If that is what the "
                "paper says, tick this box and store the form again."))
        doubt = self.id_doubt(data[ID_FIELD]) if data.get(ID_FIELD) else ""
        if doubt or data.get("confirm_id"):
            self.fields["confirm_id"].widget = forms.CheckboxInput()
        if doubt and not data.get("confirm_id"):
            self.add_error(ID_FIELD, doubt)
        return data


def entry_forms(instrument, data=None, prefix_answers=None, project=None):
    """The forms of one paper entry: ID/date, then one SectionForm per section (paper mode).
    The ID of a log is checked against ``project`` (a registration has its own checks)."""
    id_form = PaperIdForm(data, prefix="id", project=None if instrument.kind == "registration"
                          else project)
    sections = []
    for section in instrument.sections:
        if not any(i.code not in (ID_FIELD, DATE_FIELD, *NOT_ENTERED) for i in section.items):
            continue
        f = SectionForm(instrument, section, data, mode=PAPER, prefix=section.code,
                        answers_so_far=prefix_answers or {})
        for code in (ID_FIELD, DATE_FIELD, *NOT_ENTERED):
            f.fields.pop(code, None)
        for field in f.fields.values():
            field.required = False  # a blank on paper is a blank, never a reason to refuse
        sections.append(f)
    return id_form, sections


def consents_given(section_forms) -> bool:
    """The paper form's three agreements, like the web's (doc 6902-6903: "it is necessary to
    answer 'Yes' to all of the three questions"): each one not "Yes" gets a message at its
    field, and nothing is stored."""
    from peerlog.capture.views.registration import CONSENTS

    ok = True
    for f in section_forms:
        for code in CONSENTS:
            if code in f.fields and f.cleaned_data.get(code) != "yes":
                f.add_error(code, _(
                    "The form must say Yes to all three agreements; without this one the "
                    "person cannot be registered. Check the paper: if it says No or is blank, "
                    "do not enter this form and ask the project to contact the person."))
                ok = False
    return ok


def collect(id_form, section_forms) -> dict:
    """All values of a valid entry, including the ID and date as typed."""
    answers = {}
    for f in section_forms:
        answers.update(f.answers())
    return {
        ID_FIELD: personal_ids.normalise(id_form.cleaned_data[ID_FIELD]),
        DATE_FIELD: id_form.cleaned_data[DATE_FIELD].isoformat(),
        **answers,
    }


def _entry_groups(paper_section, form):
    """The bound fields of one section, shaped like the paper (grid, scale matrix, list)."""
    groups = []
    for pg in paper_section.groups:
        items = [i for i in pg.items if i.code in form.fields]
        if not items:
            continue
        entry = {"group": pg.group, "layout": pg.layout}
        if pg.layout == "grid":
            entry["columns"] = pg.columns
            entry["rows"] = [{"text": r.text, "help": r.help,
                              "cells": [form[c.code] if c is not None and c.code in form.fields
                                        else None for c in r.cells]} for r in pg.rows]
        elif pg.layout == "scale":
            entry["options"] = pg.options
            rows = []
            for item in items:
                bf = form[item.code]
                value = "" if bf.value() is None else str(bf.value())
                rows.append({"item": item, "field": bf, "name": bf.html_name,
                             "choices": [{"value": str(o.value), "text": o.text,
                                          "id": f"{bf.auto_id}_{n}",
                                          "checked": value == str(o.value)}
                                         for n, o in enumerate(pg.options)]})
            entry["rows"] = rows
        else:
            entry["fields"] = [form[i.code] for i in items]
        groups.append(entry)
    return groups


def _render_entry(request, *, instrument, project, language, id_form, section_forms, title,
                  log=None, status=200):
    by_section = {f.section.code: f for f in section_forms}
    layout = [{"section": s, "form": by_section[s.code],
               "groups": _entry_groups(s, by_section[s.code])}
              for s in paper_layout(instrument) if s.code in by_section]
    return render(request, "staff/paper_entry.html", {
        "instrument": instrument, "project": project, "language": language,
        "id_form": id_form, "layout": layout, "title": title, "log": log,
        "has_errors": id_form.errors or any(f.errors for f in section_forms),
        "submission_key": re.sub(r"[^0-9A-Za-z_-]", "", request.POST.get("submission_key", ""))
        [:40] or uuid.uuid4().hex,
    }, status=status)


@role_required(*ROW_LEVEL)
def entry_start(request):
    form = EntryStart(request.GET or None, user=request.user)
    if request.GET and form.is_valid():
        return redirect("staff:entry", form.cleaned_data["project"].pk,
                        form.cleaned_data["instrument"], form.cleaned_data["language"])
    projects = visible_projects(request.user)
    awaiting = (Log.objects.filter(status=Log.Status.HELD, paper_entries__kind="first",
                                   paper_entries__project__in=projects)
                .exclude(paper_entries__kind="second").distinct()
                .select_related(None).prefetch_related("paper_entries__project"))
    differing = (Log.objects.filter(status=Log.Status.HELD, paper_entries__kind="second",
                                    paper_entries__project__in=projects)
                 .exclude(paper_entries__kind="resolution").distinct())
    me = request.user.pk
    return render(request, "staff/entry_start.html", {
        "form": form,
        "awaiting": [{"log": log, "mine": _typists(log) & {me}} for log in awaiting[:200]],
        "differing": [{"log": log, "mine": _typists(log) & {me}}
                      for log in differing.prefetch_related("paper_entries")[:200]],
    })


def _typists(log: Log) -> set[int]:
    """Who typed an entry of this log: they may neither type it again nor resolve it."""
    return {e.entered_by_id for e in log.paper_entries.all()}


@role_required(*ROW_LEVEL)
def entry(request, project: int, code: str, language: str):
    project = visible_projects(request.user).filter(pk=project).first()
    if (project is None or code not in ENTRY_INSTRUMENTS
            or language not in {x.code for x in shipped_languages()}
            or not offered(code, language)):
        raise Http404
    instrument = instrument_for(code, language)
    data = request.POST if request.method == "POST" else None
    id_form, section_forms = entry_forms(instrument, data, project=project)
    title = _("Paper entry: %(form)s") % {"form": instrument.title}
    if request.method == "POST":
        key = request.POST.get("submission_key", "")
        if id_form.is_valid() and all(f.is_valid() for f in section_forms):
            values = collect(id_form, section_forms)
            if code == "registration" and not consents_given(section_forms):
                return _render_entry(request, instrument=instrument, project=project,
                                     language=language, id_form=id_form,
                                     section_forms=section_forms, title=title, status=400)
            if code == "registration":
                try:
                    person = register_from_paper(project, values, request.user, language)
                except PaperRegistrationError as exc:
                    messages.error(request, str(exc))
                else:
                    messages.success(request, _("Registered %(id)s in %(project)s.") % {
                        "id": personal_ids.display(person.personal_id.code),
                        "project": project})
                    return redirect("staff:entry", project.pk, code, language)
                return _render_entry(request, instrument=instrument, project=project,
                                     language=language, id_form=id_form,
                                     section_forms=section_forms, title=title, status=400)
            try:
                log = store_paper_first(project, code, language, values, request.user, key,
                                        scope=visible_projects(request.user))
            except ScoringError as exc:
                messages.error(request, _("This entry cannot be stored: %(e)s") % {"e": exc})
            else:
                if log.status == Log.Status.HELD:
                    messages.success(request, _("Stored as the first entry of log %(n)s; it is "
                                                "held until a second person enters the same "
                                                "form.") % {"n": log.pk})
                else:
                    messages.success(request, _("Log %(n)s stored.") % {"n": log.pk})
                return redirect("staff:entry", project.pk, code, language)
        return _render_entry(request, instrument=instrument, project=project, language=language,
                             id_form=id_form, section_forms=section_forms, title=title,
                             status=400)
    return _render_entry(request, instrument=instrument, project=project, language=language,
                         id_form=id_form, section_forms=section_forms, title=title)


def _answers_only(values: dict) -> dict:
    return {k: v for k, v in values.items() if k not in (ID_FIELD, DATE_FIELD)}


@transaction.atomic
def store_paper_first(project, code, language, values, user, submission_key, *, scope) -> Log:
    """Store the first entry of a paper form; the ID is looked up only inside ``scope``
    (the typist's projects), so an ID of another project makes an unregistered log."""
    submission_key = re.sub(r"[^0-9A-Za-z_-]", "", submission_key or "")[:40] or uuid.uuid4().hex
    log, created = store_log(
        instrument=code, answers=_answers_only(values), typed_personal_id=values[ID_FIELD],
        completed_on=dt.date.fromisoformat(values[DATE_FIELD]), mode=Log.Mode.PAPER,
        # The key is the typist's own: another person's key can never return their log.
        submission_key=f"paper-{user.pk}-{submission_key}", language=language,
        entered_by=user, scope=scope,
        status=Log.Status.HELD if project.double_entry else Log.Status.COMPLETE,
    )
    if created:
        PaperEntry.objects.create(log=log, project=project, kind=PaperEntry.Kind.FIRST,
                                  entered_by=user, values=values)
    return log


def differences(first: dict, second: dict) -> list[str]:
    """Field codes on which two entries of the same form disagree."""
    return sorted(c for c in set(first) | set(second) if first.get(c) != second.get(c))


def _held_log(request, pk, kind_present, kind_absent):
    projects = visible_projects(request.user)
    log = (Log.objects.filter(pk=pk, status=Log.Status.HELD, paper_entries__kind=kind_present,
                              paper_entries__project__in=projects)
           .exclude(paper_entries__kind=kind_absent).first())
    if log is None:
        raise Http404
    return log


@role_required(*ROW_LEVEL)
def second_entry(request, pk: int):
    log = _held_log(request, pk, "first", "second")
    first = log.paper_entries.get(kind=PaperEntry.Kind.FIRST)
    if first.entered_by_id == request.user.pk:
        messages.error(request, _("A second entry must be typed by someone else."))
        return redirect("staff:entry_start")
    instrument = instrument_for(log.instrument, log.language)
    data = request.POST if request.method == "POST" else None
    id_form, section_forms = entry_forms(instrument, data, project=first.project)
    title = _("Second entry of log %(n)s: %(form)s") % {"n": log.pk, "form": instrument.title}
    if request.method == "POST" and id_form.is_valid() and all(f.is_valid()
                                                               for f in section_forms):
        values = collect(id_form, section_forms)
        with transaction.atomic():
            PaperEntry.objects.create(log=log, project=first.project,
                                      kind=PaperEntry.Kind.SECOND, entered_by=request.user,
                                      values=values)
            diff = differences(first.values, values)
            if not diff:
                change_log(log, request.user, "double entry agreed", status=Log.Status.COMPLETE)
                messages.success(request, _("Both entries agree: log %(n)s now counts.")
                                 % {"n": log.pk})
            else:
                audit.record(request.user, "log.double_entry_differs", log, fields=diff)
                messages.warning(request, ngettext(
                    "The entries differ in %(n)s field; log %(id)s is held until someone else "
                    "resolves it.",
                    "The entries differ in %(n)s fields; log %(id)s is held until someone else "
                    "resolves them.", len(diff)) % {"n": len(diff), "id": log.pk})
        return redirect("staff:entry_start")
    return _render_entry(request, instrument=instrument, project=first.project,
                         language=log.language, id_form=id_form, section_forms=section_forms,
                         title=title, log=log, status=400 if request.method == "POST" else 200)


def _label(instrument, code):
    if code == ID_FIELD:
        return _("Personal ID")
    if code == DATE_FIELD:
        return _("Date on the form")
    item = instrument.items.get(code)
    return item.text if item else code


def _shown(instrument, code, value):
    """An entry's value as the paper shows it: an option's label, a date, a grouped ID."""
    if value is None:
        return _("(blank)")
    if code == ID_FIELD:
        return personal_ids.display(str(value))
    if code == DATE_FIELD:
        return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
    return shown_value(instrument.items.get(code), value)


def _typed(instrument, code, request, row) -> tuple[object, str]:
    """(value, error) of "what the paper shows", typed or chosen by the third person."""
    if code == ID_FIELD:
        row["raw"] = raw = text_param(request.POST.get(f"a-{code}"), 40).strip()
        pid = personal_ids.clean(raw)
        return (pid, "") if pid else (None, _("A personal ID has digits only: check the "
                                              "number on the paper."))
    if code == DATE_FIELD:
        row["raw"] = raw = text_param(request.POST.get(f"a-{code}"), 20).strip()
        try:
            day = PaperIdForm.base_fields[DATE_FIELD].clean(raw)
        except forms.ValidationError:
            return None, _("Type the date as dd/mm/yy.")
        return day.isoformat(), ""
    field = row["field"]
    value, field.raw, error = parse(field.item, request, None)
    return value, error


@role_required(*ROW_LEVEL)
def resolve_entry(request, pk: int):
    log = _held_log(request, pk, "second", "resolution")
    first = log.paper_entries.get(kind=PaperEntry.Kind.FIRST)
    second = log.paper_entries.get(kind=PaperEntry.Kind.SECOND)
    if request.user.pk in (first.entered_by_id, second.entered_by_id):
        messages.error(request, _("Differences are resolved by a third person, who typed "
                                  "neither entry."))
        return redirect("staff:entry_start")
    instrument = instrument_for(log.instrument, log.language)
    diff = differences(first.values, second.values)
    rows = []
    for c in diff:
        item = instrument.items.get(c)
        field = (Field(item, "", f"a-{c}", None, "") if item is not None
                 and item.type in CORRECTABLE else None)
        rows.append({"code": c, "label": _label(instrument, c), "field": field, "raw": "",
                     "first": _shown(instrument, c, first.values.get(c)),
                     "second": _shown(instrument, c, second.values.get(c)),
                     "pick": "", "error": ""})
    missing = []
    if request.method == "POST":
        resolved = dict(first.values)
        for row in rows:
            c = row["code"]
            row["pick"] = pick = request.POST.get(f"pick_{c}", "")
            if pick == "paper" and (row["field"] is not None or c in (ID_FIELD, DATE_FIELD)):
                value, row["error"] = _typed(instrument, c, request, row)
            elif pick in ("first", "second"):
                value = (first.values if pick == "first" else second.values).get(c)
                if row["field"] is not None:  # keep what was typed in "the paper shows"
                    row["field"].raw = text_param(request.POST.get(f"a-{c}"), 500)
            else:
                row["error"] = _("Choose the first entry, the second, or type what the paper "
                                 "shows.")
                continue
            if row["error"]:
                continue
            if value is None:
                resolved.pop(c, None)
            else:
                resolved[c] = value
        missing = [row["code"] for row in rows if row["error"]]
        if not missing:
            with transaction.atomic():
                PaperEntry.objects.create(log=log, project=first.project,
                                          kind=PaperEntry.Kind.RESOLUTION,
                                          entered_by=request.user, values=resolved)
                typed = personal_ids.normalise(resolved.get(ID_FIELD, log.typed_personal_id))
                date = resolved.get(DATE_FIELD)
                scope = visible_projects(request.user)
                change_log(log, request.user, "double entry resolved",
                           answers=_answers_only(resolved),
                           typed_personal_id=typed,
                           participant=find_participant(typed, scope=scope),
                           out_of_scope=outside_scope(typed, scope=scope),
                           completed_on=dt.date.fromisoformat(date) if date else None,
                           status=Log.Status.COMPLETE)
            messages.success(request, _("Differences resolved: log %(n)s now counts.")
                             % {"n": log.pk})
            return redirect("staff:entry_start")
    return render(request, "staff/resolve_entry.html", {
        "log": log, "rows": rows, "missing": missing, "instrument": instrument,
        "first": first, "second": second, "project": first.project,
        "personal_id": personal_ids.display(log.typed_personal_id),
    }, status=400 if missing else 200)
