"""Registration (appendix 3.1), one short page per step, saved as the person goes.

The answers so far live in a :class:`RegistrationDraft` keyed by a random key kept in the
browser session, encrypted because they may hold contact details. Nothing is stored as a
participant until the last page; then the participant, their contact details (encrypted, in
their own table) and their personal link are made in one transaction and the draft deleted.

The personal link is shown once, in the response to the last page: the token is kept in no
session, cookie or table (only its hash, in :class:`PersonalLink`). Looking up personal IDs
and starting registrations are rate-limited per client address (:mod:`..ratelimit`), and the
ID page answers "not issued" and "already registered" alike, so IDs cannot be enumerated.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets

from django import forms
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from peerlog.capture import audit, links, personal_ids, ratelimit
from peerlog.capture.models import (
    Participant,
    PersonalId,
    Project,
    RegistrationDraft,
)
from peerlog.capture.services import CONTACT_FOR_CHANNEL, register_participant
from peerlog.capture.views import errors, pages
from peerlog.export.columns import OTHER_SPECIFY

SESSION_KEY = "peerlog_registration"
#: Set when this browser has just registered (no token: the link was shown once).
REGISTERED_KEY = "peerlog_registered"

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
#: Characters kept of a "please specify" answer (a description, not a story).
OTHER_SPECIFY_MAX = 200


# --- the draft ------------------------------------------------------------------------------

def _draft(request: HttpRequest) -> RegistrationDraft | None:
    key = request.session.get(SESSION_KEY)
    return RegistrationDraft.objects.filter(session_key=key).first() if key else None


def _new_draft(request: HttpRequest) -> RegistrationDraft:
    key = secrets.token_urlsafe(24)
    draft = RegistrationDraft.objects.create(session_key=key, answers="{}")
    request.session[SESSION_KEY] = key
    return draft


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


def _projects(region_code: str | None) -> list[tuple[str, str]]:
    return list(Project.objects.filter(active=True, region__code=region_code or "")
                .order_by("name").values_list("code", "name"))


def _issuing_project(answers: dict) -> Project | None:
    """The project that was issued the personal ID typed on the ID page."""
    issued = (PersonalId.objects.filter(code=answers.get("personal_id") or "")
              .select_related("batch__project__region").first())
    return issued.batch.project if issued else None


def build_form(step: str, data=None, answers: dict | None = None,
               project_choices: list[tuple[str, str]] | None = None):
    """The SectionForm of one registration step, with the web-only rules added
    (``project_choices`` given: the project list is not read from the database)."""
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
    for code in OTHER_SPECIFY:
        if code in form.fields:  # a few words, not a paragraph: one line
            form.fields[code].max_length = OTHER_SPECIFY_MAX
            form.fields[code].widget = forms.TextInput(attrs={"maxlength": OTHER_SPECIFY_MAX})
    if step == "project":
        item = inst.items["project"]
        form.fields["project"] = forms.ChoiceField(
            label=item.text, help_text=item.help or "", required=True,
            choices=(project_choices if project_choices is not None
                     else _projects(answers.get("region"))),
            widget=forms.RadioSelect,
        )
    form.step = step
    return form, inst, section


def _check(step: str, form, answers: dict, request: HttpRequest) -> None:
    """Rules the definition cannot say; each error is put at its field."""
    data = form.cleaned_data
    if step == "consent":
        for code in CONSENTS:
            if data.get(code) == "no":
                form.add_error(code, _(
                    "To take part you need to answer Yes to all three questions. If you do not "
                    "want to take part, that is fine: you do not need to do anything else."))
    elif step == "id":
        _check_personal_id(form, data.get("personal_id"), request)
        _check_date(form, "date_completed", data.get("date_completed"))
    elif step == "project":
        _check_project(form, data.get("project"), answers, request)
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


def _check_personal_id(form, pid: str | None, request: HttpRequest) -> None:
    """One answer for an ID never issued and an ID already registered: the page must not
    tell a stranger which IDs exist. Lookups are limited per client address and per ID."""
    if not pid or "personal_id" in form.errors:
        return
    limits = settings.PEERLOG
    by_client = ratelimit.hit("register-id-client", ratelimit.client_address(request),
                              limits["REGISTER_ID_LIMIT_PER_CLIENT"])
    by_id = ratelimit.hit("register-id", pid, limits["REGISTER_ID_LIMIT_PER_ID"])
    if not (by_client and by_id):
        form.rate_limited = True
        form.add_error("personal_id", _(
            "You have tried several personal IDs in a short time, so to keep everyone's IDs "
            "safe we cannot check another one just now. Please try again in an hour, or ask "
            "your project coordinator."))
        return
    issued = PersonalId.objects.filter(code=pid).first()
    if issued is None or Participant.objects.filter(personal_id=issued).exists():
        form.add_error("personal_id", _(
            "We cannot register this personal ID. Please check it against your slip. If you "
            "have registered before, you do not need to register again: open your personal "
            "link (it is in your reminders). Otherwise, please ask your project coordinator."))


def _check_project(form, code: str | None, answers: dict, request: HttpRequest) -> None:
    """A project other than the one that issued the ID only by an explicit choice (a box to
    tick), which staff then check."""
    issuing = _issuing_project(answers)
    if not code or issuing is None or code == issuing.code:
        return
    chosen = dict(form.fields["project"].choices).get(code, code)
    form.confirm_other = {"code": code, "name": chosen}
    if request.POST.get("confirm_other") != code:
        form.add_error("project", _(
            "Your personal ID was given out by {issuing}. If you take part in {chosen} "
            "instead, tick “Yes, register me with {chosen}” below: your project coordinator "
            "will check it. Otherwise, please choose {issuing}.").format(
                issuing=issuing.name, chosen=chosen))


def _check_date(form, code: str, value) -> None:
    if value and code not in form.errors:
        if value > pages.today():
            form.add_error(code, _("This date is in the future. Please enter today's date."))
        elif value < pages.today() - dt.timedelta(days=366):
            form.add_error(code, _("This date is more than a year ago. Please enter today's date."))


# --- views ---------------------------------------------------------------------------------

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
    """One registration page. If the database cannot be reached when it is sent, the page
    comes back (503) with what was typed, to be sent again."""
    if step not in STEP_NAMES:
        raise Http404
    try:
        return _step(request, step)
    except errors.DB_UNAVAILABLE:
        if request.method != "POST":
            raise
        return _step_unavailable(request, step)


def _step(request: HttpRequest, step: str) -> HttpResponse:
    switched = pages.switch_language(request)  # the page again in another language
    posted = request.method == "POST" and switched is None
    draft = _draft(request)
    starting = posted and step == STEP_NAMES[0] and draft is None
    if posted and draft is None and not starting:
        # A page of a registration already finished (resubmitted, back button) or expired.
        if request.session.get(REGISTERED_KEY):
            return redirect("capture:register_done")
        return redirect("capture:register_step", step=STEP_NAMES[0])
    answers = _answers(draft)
    first_open = _first_unfinished(draft)
    done = set(draft.done_sections) if draft else set()
    if STEP_NAMES.index(step) > STEP_NAMES.index(first_open) and step not in done:
        return redirect("capture:register_step", step=first_open)
    status = 200
    if posted:
        form, inst, section = build_form(step, data=request.POST, answers=answers)
        if form.is_valid():
            _check(step, form, answers, request)
        if form.is_valid() and starting and not ratelimit.hit(
                "register-start", ratelimit.client_address(request),
                settings.PEERLOG["REGISTER_START_LIMIT_PER_CLIENT"]):
            form.rate_limited = True
            form.add_error(None, _(
                "Many registrations have been started from this connection in a short time, so "
                "we cannot start another one just now. Please try again in an hour, or ask "
                "your project coordinator."))
        if form.is_valid():
            if starting:
                draft = _new_draft(request)
            page = form.answers()
            if step == "region" and page.get("region") != answers.get("region"):
                answers.pop("project", None)  # a project belongs to one region
                draft.done_sections = [s for s in draft.done_sections if s != "project"]
            for code in form.fields:
                answers.pop(code, None)
            answers.update(page)
            if step == "consent":
                answers["_consented_at"] = timezone.now().isoformat()
            if step == "project":
                answers["_other_project"] = getattr(form, "confirm_other", {}).get("code", "")
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
        if getattr(form, "rate_limited", False):
            status = 429
    else:
        form, inst, section = build_form(step, answers=answers)
        _preselect(step, form, answers)
        if switched:
            pages.keep_typed(form, request.POST)
    return pages.remember_language(_render_step(request, step, form, inst, section,
                                                status=status), switched)


def _render_step(request: HttpRequest, step: str, form, inst, section, status: int = 200,
                 **extra) -> HttpResponse:
    index = STEP_NAMES.index(step)
    page_blocks = pages.blocks(form, section)
    choices = form.fields["project"].choices if step == "project" else []
    return render(request, "capture/register_step.html", {
        "instrument": inst, "section": section, "form": form, "blocks": page_blocks,
        "errors": pages.error_summary(form, page_blocks), "step": step,
        "conditional_css": pages.conditional_css(form, section),
        "title": section.title,
        "previous": STEP_NAMES[index - 1] if index else None,
        "progress": pages.progress(index + 1, len(STEPS)),
        "show_intro": step not in ("project",),
        "show_outro": step not in ("region",),
        "no_projects": step == "project" and not choices,
        "project_choices": choices,
        "confirm_other": getattr(form, "confirm_other", None),
        "last": index == len(STEPS) - 1,
        "page_form": pages.PAGE_FORM,
        **extra,
    }, status=status)


def _step_unavailable(request: HttpRequest, step: str) -> HttpResponse:
    """The page as it was sent, drawn without the database (the project page's list comes
    back in hidden fields: used to draw the page, never to store)."""
    errors.without_database(request)
    choices = None
    if step == "project":
        carried = request.POST.getlist("project_choice")
        choices = [tuple(c.split("|", 1)) for c in carried if "|" in c][:200]
    form, inst, section = build_form(step, data=request.POST, project_choices=choices)
    form.is_valid()
    errors.logger.warning("Registration page not saved, database unavailable: %s",
                          request.path)
    response = _render_step(request, step, form, inst, section, status=503, unavailable=True)
    response["Retry-After"] = "60"
    return response


def _preselect(step: str, form, answers: dict) -> None:
    """The region and project of the project that was issued the ID, until the person
    chooses."""
    if step not in ("region", "project") or step in answers:
        return
    issuing = _issuing_project(answers)
    if issuing is None:
        return
    if step == "region":
        form.initial["region"] = issuing.region.code
    elif issuing.code in dict(form.fields["project"].choices):
        form.initial["project"] = issuing.code


def _finish(request: HttpRequest, draft: RegistrationDraft, answers: dict) -> HttpResponse:
    """Store the registration and show the personal link, once, in this response."""
    missing = [name for name in STEP_NAMES if name not in draft.done_sections]
    if missing:
        return redirect("capture:register_step", step=missing[0])
    project = Project.objects.filter(code=answers.get("project"), active=True,
                                     region__code=answers.get("region")).first()
    if project is None:
        return redirect("capture:register_step", step="project")
    issued = (PersonalId.objects.filter(code=answers.get("personal_id"))
              .select_related("batch__project").first())
    other_project = issued is not None and issued.batch.project_id != project.pk
    if other_project and answers.get("_other_project") != project.code:
        draft.done_sections = [s for s in draft.done_sections if s != "project"]
        draft.save()
        return redirect("capture:register_step", step="project")
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
            if other_project:
                Participant.objects.filter(pk=participant.pk).update(other_project_chosen=True)
                audit.record("participant", "participant.other_project", participant,
                             issuing_project=issued.batch.project.code, chosen_project=project.code)
            token = links.new_token(participant, "registration")
            # The link also goes by email/SMS where the person chose one, queued with the
            # participant so neither exists without the other.
            from peerlog.outreach import newlink

            channels = tuple(c for c in newlink.link_channels(participant)
                             if c in participant.contact.channels)
            queued = newlink.queue_link(participant, actor="participant", origin="registration",
                                        token=token, channels=channels)
            draft.delete()
    except IntegrityError:
        # The ID was registered meanwhile (another tab, another person): back to the ID page.
        draft.done_sections = [s for s in draft.done_sections if s != "id"]
        draft.save()
        return redirect("capture:register_step", step="id")
    newlink.send_queued(queued)
    request.session.pop(SESSION_KEY, None)
    request.session[REGISTERED_KEY] = True
    inst = pages.instrument("registration")
    link = request.build_absolute_uri(reverse("capture:link", args=[token]))
    return render(request, "capture/register_done.html", {
        "link": link, "qr_svg": qr_svg(link, _("QR code of your personal link")),
        "sent_by": channels,
        "personal_id": personal_ids.display(issued.code),
        "title": _("You are registered"), "instrument": inst,
    })


def qr_svg(text: str, title: str) -> str:
    """``text`` as a QR code, an inline SVG (no image request, no JavaScript)."""
    import segno
    from django.utils.html import escape

    svg = segno.make(text, error="m").svg_inline(scale=4, svgclass="qr", lineclass=None,
                                                  title=escape(title))
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(title)}" ', 1)


@never_cache
def done(request: HttpRequest) -> HttpResponse:
    """After registering: the link was shown once and is not kept, so this page says where it
    is now (reminders) and how to get it again."""
    if not request.session.get(REGISTERED_KEY):
        draft = _draft(request)
        if draft is not None:  # resubmitted or out-of-order: carry on where they were
            return redirect("capture:register_step", step=_first_unfinished(draft))
        return redirect("capture:home")
    inst = pages.instrument("registration")
    return render(request, "capture/register_done.html", {
        "link": None, "title": _("You are registered"), "instrument": inst,
    })
