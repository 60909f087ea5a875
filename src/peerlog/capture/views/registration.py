"""Registration (appendix 3.1), one short page per step, saved as the person goes.

The answers so far live in a :class:`RegistrationDraft` keyed by a random key kept in the
browser session, encrypted because they may hold contact details. Nothing is stored as a
participant until the last page; then the participant, their contact details (encrypted, in
their own table) and their personal link are made in one transaction and the draft deleted.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets

from django import forms
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from peerlog.capture import links, personal_ids
from peerlog.capture.models import (
    Participant,
    PersonalId,
    Project,
    RegistrationDraft,
)
from peerlog.capture.services import CONTACT_FOR_CHANNEL, register_participant
from peerlog.capture.views import pages

SESSION_KEY = "peerlog_registration"
LINK_KEY = "peerlog_new_link"

# (step, section of the registration definition, item codes shown on that page or None = all)
STEPS: list[tuple[str, str, tuple[str, ...] | None]] = [
    ("consent", "consent", None),
    ("id", "id_details", None),
    ("contact", "contact", None),
    ("region", "about_you", ("region",)),
    ("project", "about_you", ("project",)),
    ("about-you", "more_about_you", None),
    ("interviews", "interviews", None),
    ("prize-draw", "prize_draw", None),
]
STEP_NAMES = [s[0] for s in STEPS]
CONSENTS = ("consent_information", "consent_reminders", "consent_data_use")


# --- the draft ------------------------------------------------------------------------------

def _draft(request: HttpRequest, create: bool = False) -> RegistrationDraft | None:
    key = request.session.get(SESSION_KEY)
    if key:
        draft = RegistrationDraft.objects.filter(session_key=key).first()
        if draft is not None or not create:
            return draft
    if not create:
        return None
    key = secrets.token_urlsafe(24)
    request.session[SESSION_KEY] = key
    return RegistrationDraft.objects.create(session_key=key, answers="{}")


def _answers(draft: RegistrationDraft | None) -> dict:
    if draft is None or not draft.answers:
        return {}
    return json.loads(draft.answers)


def _first_unfinished(draft: RegistrationDraft | None) -> str:
    done = set(draft.done_sections) if draft else set()
    return next((name for name in STEP_NAMES if name not in done), STEP_NAMES[-1])


# --- forms ----------------------------------------------------------------------------------

def _section(code: str):
    inst = pages.instrument("registration")
    return inst, next(s for s in inst.sections if s.code == code)


def _projects(region_code: str | None):
    return list(Project.objects.filter(active=True, region__code=region_code or "")
                .order_by("name"))


def build_form(step: str, data=None, answers: dict | None = None):
    """The SectionForm of one registration step, with the web-only rules added."""
    answers = answers or {}
    _step, section_code, only = STEPS[STEP_NAMES.index(step)]
    inst, section = _section(section_code)
    form = pages.section_form(inst, section, data=data, answers=answers)
    if only is not None:
        for code in list(form.fields):
            if code not in only:
                del form.fields[code]
    if step == "id":
        form.fields["date_completed"].initial = pages.today()
        form.initial.setdefault("date_completed", pages.today())
    if step == "region":
        form.fields["region"].required = True
    if step == "project":
        item = inst.items["project"]
        form.fields["project"] = forms.ChoiceField(
            label=item.text, help_text=item.help or "", required=True,
            choices=[(p.code, p.name) for p in _projects(answers.get("region"))],
            widget=forms.RadioSelect,
        )
    form.step = step
    return form, inst, section


def _check(step: str, form, answers: dict) -> None:
    """Rules the definition cannot say; each error is put at its field."""
    data = form.cleaned_data
    if step == "consent":
        for code in CONSENTS:
            if data.get(code) == "no":
                form.add_error(code, _(
                    "To take part you need to answer Yes to all three questions. If you do not "
                    "want to take part, that is fine: you do not need to do anything else."))
    elif step == "id":
        _check_personal_id(form, data.get("personal_id"))
        _check_date(form, "date_completed", data.get("date_completed"))
    elif step == "contact":
        channels = data.get("contact_channels") or []
        if not channels:
            form.add_error("contact_channels", _(
                "Choose at least one way for us to contact you, so we can send your reminders."))
        for channel, code in CONTACT_FOR_CHANNEL.items():
            if channel in channels and code in form.fields and not data.get(code) \
                    and code not in form.errors:
                form.add_error(code, {
                    "email": _("Enter your email address, or untick “By email”."),
                    "sms": _("Enter your mobile number, or untick “By text message”."),
                    "post": _("Enter your name and address, or untick “By post”."),
                }[channel])


def _check_personal_id(form, pid: str | None) -> None:
    if not pid or "personal_id" in form.errors:
        return
    issued = PersonalId.objects.filter(code=pid).first()
    if issued is None:
        form.add_error("personal_id", _(
            "We cannot find this personal ID. Please check it against your slip. If it is "
            "right, please ask your project coordinator: they can check it or give you a new "
            "one."))
    elif Participant.objects.filter(personal_id=issued).exists():
        form.add_error("personal_id", _(
            "This personal ID is already registered, so you do not need to register again. To "
            "fill in your log, open your personal link (it is in your reminders). If you have "
            "lost it, or this is not your ID, please ask your project coordinator."))


def _check_date(form, code: str, value) -> None:
    if value and code not in form.errors:
        if value > pages.today():
            form.add_error(code, _("This date is in the future. Please enter today's date."))
        elif value < pages.today() - dt.timedelta(days=366):
            form.add_error(code, _("This date is more than a year ago. Please enter today's date."))


# --- views ----------------------------------------------------------------------------------

@never_cache
def start(request: HttpRequest) -> HttpResponse:
    inst = pages.instrument("registration")
    draft = _draft(request)
    return render(request, "capture/register_start.html", {
        "instrument": inst, "resume": _first_unfinished(draft) if draft else None,
        "title": inst.title,
    })


@never_cache
@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, step: str) -> HttpResponse:
    if step not in STEP_NAMES:
        raise Http404
    draft = _draft(request, create=request.method == "POST" and step == STEP_NAMES[0])
    if request.method == "POST" and draft is None:
        # A page of a registration already finished (resubmitted, back button) or expired.
        if request.session.get(LINK_KEY):
            return redirect("capture:register_done")
        return redirect("capture:register_step", step=STEP_NAMES[0])
    answers = _answers(draft)
    first_open = _first_unfinished(draft)
    done = set(draft.done_sections) if draft else set()
    if STEP_NAMES.index(step) > STEP_NAMES.index(first_open) and step not in done:
        return redirect("capture:register_step", step=first_open)
    if request.method == "POST":
        form, inst, section = build_form(step, data=request.POST, answers=answers)
        if form.is_valid():
            _check(step, form, answers)
        if form.is_valid():
            page = form.answers()
            if step == "region" and page.get("region") != answers.get("region"):
                answers.pop("project", None)  # a project belongs to one region
                draft.done_sections = [s for s in draft.done_sections if s != "project"]
            for code in form.fields:
                answers.pop(code, None)
            answers.update(page)
            if step == "consent":
                answers["_consented_at"] = timezone.now().isoformat()
            draft.answers = json.dumps(answers)
            if step not in draft.done_sections:
                draft.done_sections = [*draft.done_sections, step]
            draft.save()
            if step == STEP_NAMES[-1]:
                return _finish(request, draft, answers)
            following = _first_unfinished(draft)
            nxt = STEP_NAMES[STEP_NAMES.index(step) + 1]
            return redirect("capture:register_step",
                            step=nxt if nxt in draft.done_sections else following)
    else:
        form, inst, section = build_form(step, answers=answers)
        if step == "region" and "region" not in answers:
            _preselect_region(form, answers)
    index = STEP_NAMES.index(step)
    page_blocks = pages.blocks(form, section)
    return render(request, "capture/register_step.html", {
        "instrument": inst, "section": section, "form": form, "blocks": page_blocks,
        "errors": pages.error_summary(form, page_blocks), "step": step,
        "conditional_css": pages.conditional_css(form, section),
        "title": section.title,
        "previous": STEP_NAMES[index - 1] if index else None,
        "progress": pages.progress(index + 1, len(STEPS)),
        "show_intro": step not in ("project",),
        "show_outro": step not in ("region",),
        "no_projects": step == "project" and not form.fields["project"].choices,
        "last": index == len(STEPS) - 1,
    })


def _preselect_region(form, answers: dict) -> None:
    """Nothing to preselect without an ID; with one, the region of the issuing project."""
    pid = answers.get("personal_id")
    issued = PersonalId.objects.filter(code=pid).select_related("batch__project__region").first()
    if issued is not None:
        form.initial["region"] = issued.batch.project.region.code


def _finish(request: HttpRequest, draft: RegistrationDraft, answers: dict) -> HttpResponse:
    missing = [name for name in STEP_NAMES if name not in draft.done_sections]
    if missing:
        return redirect("capture:register_step", step=missing[0])
    project = Project.objects.filter(code=answers.get("project"), active=True,
                                     region__code=answers.get("region")).first()
    if project is None:
        return redirect("capture:register_step", step="project")
    issued = PersonalId.objects.filter(code=answers.get("personal_id")).first()
    consented_at = answers.get("_consented_at")
    try:
        with transaction.atomic():
            if issued is None or Participant.objects.filter(personal_id=issued).exists():
                raise IntegrityError("personal ID not free")
            participant = register_participant(
                issued, project, answers, actor="participant", mode="online",
                language=pages.active_language(),
                consented_at=(dt.datetime.fromisoformat(consented_at) if consented_at
                              else timezone.now()),
            )
            token = links.new_token(participant, "registration")
            draft.delete()
    except IntegrityError:
        # The ID was registered meanwhile (another tab, another person): back to the ID page.
        draft.done_sections = [s for s in draft.done_sections if s != "id"]
        draft.save()
        return redirect("capture:register_step", step="id")
    request.session.pop(SESSION_KEY, None)
    request.session[LINK_KEY] = {
        "token": token, "email": "email" in participant.contact.channels,
        "id": personal_ids.display(issued.code),
    }
    return redirect("capture:register_done")


@never_cache
@require_http_methods(["GET", "POST"])
def done(request: HttpRequest) -> HttpResponse:
    """Thank you, and the personal link (shown while this browser session holds it)."""
    new = request.session.get(LINK_KEY)
    if request.method == "POST":
        request.session.pop(LINK_KEY, None)
        return redirect("capture:home")
    if not new:
        draft = _draft(request)
        if draft is not None:  # resubmitted or out-of-order: carry on where they were
            return redirect("capture:register_step", step=_first_unfinished(draft))
        return redirect("capture:home")
    link = request.build_absolute_uri(reverse("capture:link", args=[new["token"]]))
    inst = pages.instrument("registration")
    return render(request, "capture/register_done.html", {
        "link": link, "emailed": new["email"], "personal_id": new["id"],
        "title": _("You are registered"), "instrument": inst,
    })
