"""The log pages behind a personal link: start or resume the log that is due, one page per
section, saved page by page, stored once; thank-you; my progress.

The link carries a random token; only its SHA-256 hash is stored, so looking a person up needs
the token itself. A personal ID alone opens nothing.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from peerlog.capture import links, progress_chart, schedule
from peerlog.capture.models import Draft, Log, Participant
from peerlog.capture.services import store_log
from peerlog.capture.views import crisis, errors, pages

HIDDEN_ON_WEB = {"personal_id"}  # known from the link: never asked again online
LOG_INSTRUMENTS = ("monthly", "quarterly", "monthly_short", "quarterly_short")


class LinkNotWorking(Http404):
    """A wrong, expired or revoked personal link: the 404 page explains which
    (:func:`peerlog.capture.views.errors.not_found`)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.link_reason = reason


def participant_for(token: str, request: HttpRequest | None = None) -> Participant:
    """The participant whose link this is, or a 404 that says why the link does not work.

    Until the person picks a language on this device, pages are in the language they
    registered in (also the page of an expired link).
    """
    return _link_for(token, request)[0]


def _link_for(token: str, request: HttpRequest | None = None, draft_key: str | None = None):
    """:func:`participant_for`, and with ``draft_key`` the drafts found by the same query."""
    participant, status, found = links.lookup(token, draft_key)
    if (participant is not None and request is not None
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and participant.language in pages.instrument_languages()):
        translation.activate(participant.language)
        request.LANGUAGE_CODE = participant.language
    if status != "ok":
        raise LinkNotWorking(status)
    return participant, found


def open_draft(participant: Participant) -> Draft | None:
    # At most one (a constraint): no ORDER BY to compile or run.
    return next(iter(Draft.objects.filter(participant=participant, log__isnull=True)[:1]), None)


def start_draft(participant: Participant) -> Draft:
    """The open log, or a new one of the kind that is due (one open log per person)."""
    draft = open_draft(participant)
    if draft is not None:
        return draft
    try:
        with transaction.atomic():
            return Draft.objects.create(
                participant=participant, instrument=schedule.due_instrument(participant),
                submission_key=secrets.token_hex(32),
            )
    except IntegrityError:  # another tab or a double click started it a moment ago
        draft = open_draft(participant)
        if draft is None:
            raise
        return draft


def sections_of(draft: Draft):
    inst = pages.instrument(draft.instrument)
    return inst, list(inst.sections)


def first_unfinished(draft: Draft, sections) -> str:
    done = set(draft.done_sections)
    return next((s.code for s in sections if s.code not in done), sections[-1].code)


def _context(request, participant, token, **extra):
    return {"token": token, "participant": participant, **extra}


def _withdrawn(request, participant, token):
    return render(request, "capture/withdrawn.html",
                  _context(request, participant, token, title=_("Thank you")))


@never_cache
@require_http_methods(["GET", "POST"])
def link(request: HttpRequest, token: str) -> HttpResponse:
    """Start page of the personal link: which log is due, start or carry on."""
    participant = participant_for(token, request)
    if participant.withdrawal:
        return _withdrawn(request, participant, token)
    draft = open_draft(participant)
    due = draft is not None or schedule.is_due(participant)
    if request.method == "POST":
        if not due:  # one log per due period: the page says when the next one is
            return redirect("capture:link", token=token)
        draft = start_draft(participant)
        _inst, sections = sections_of(draft)
        return redirect("capture:log_page", token=token,
                        section=first_unfinished(draft, sections))
    code = draft.instrument if draft else schedule.due_instrument(participant)
    inst = pages.instrument(code)
    last = schedule.last_log(participant)
    return render(request, "capture/link.html", _context(
        request, participant, token, title=inst.title, instrument=inst, draft=draft,
        length=pages.form_length(inst, hidden=HIDDEN_ON_WEB), last=last, due=due,
        next_due=schedule.next_due_on(participant, last) if last else None,
        finished=bool(last) and not due and schedule.finished(participant, last),
        changeable=None if due else schedule.changeable_log(participant),
        done_pages=len(draft.done_sections) if draft else 0,
    ))


# --- changing the log just sent ---------------------------------------------------------------

CHANGE_REASON = "changed by the participant through their link"
NOT_CHANGED_ON_WEB = HIDDEN_ON_WEB | {"date_completed"}  # the date fixes the due period


def _changeable(request: HttpRequest, token: str) -> tuple[Participant, Log | None]:
    participant = participant_for(token, request)
    if participant.withdrawal or open_draft(participant) is not None:
        return participant, None
    return participant, schedule.changeable_log(participant)


@never_cache
def change(request: HttpRequest, token: str) -> HttpResponse:
    """The pages of the log sent in the last few days, each one to change."""
    participant, log = _changeable(request, token)
    if log is None:
        return redirect("capture:link", token=token)
    inst = pages.instrument(log.instrument)
    return render(request, "capture/change.html", _context(
        request, participant, token, title=_("Change your log"), instrument=inst, log=log,
        sections=inst.sections, saved=request.GET.get("saved", ""),
        until=log.received_at + dt.timedelta(days=schedule.CHANGE_DAYS),
    ))


@never_cache
@require_http_methods(["GET", "POST"])
def change_page(request: HttpRequest, token: str, section: str) -> HttpResponse:
    """One page of the log sent, with its answers: saving changes that same log (re-scored,
    audited with the participant as the actor), never a new one."""
    from peerlog.staff.services import change_log

    participant, log = _changeable(request, token)
    if log is None:
        return redirect("capture:link", token=token)
    switched = pages.switch_language(request)
    posted = request.method == "POST" and switched is None
    inst = pages.instrument(log.instrument)
    sec = next((s for s in inst.sections if s.code == section), None)
    if sec is None:
        raise Http404
    answers = dict(log.answers)
    form = pages.section_form(inst, sec, data=request.POST if posted else None, answers=answers)
    for code in NOT_CHANGED_ON_WEB:
        form.fields.pop(code, None)
    if switched:
        pages.keep_typed(form, request.POST)
    if posted and form.is_valid():
        for item in sec.items:
            if item.code not in NOT_CHANGED_ON_WEB:
                answers.pop(item.code, None)
        answers.update(form.answers())
        with transaction.atomic():
            change_log(log, "participant", CHANGE_REASON, answers=answers)
        return redirect(reverse("capture:change", args=[token]) + f"?saved={sec.code}")
    skipped = pages.skipped_by_condition(sec, answers)
    page_blocks = pages.blocks(form, sec, skip=NOT_CHANGED_ON_WEB | skipped)
    return pages.remember_language(render(request, "capture/change_page.html", _context(
        request, participant, token, title=sec.title, instrument=inst, section=sec, form=form,
        blocks=page_blocks, errors=pages.error_summary(form, page_blocks), log=log,
        conditional_css=pages.conditional_css(form, sec), page_form=pages.PAGE_FORM,
    )), switched)


@never_cache
@require_http_methods(["GET", "POST"])
def log_page(request: HttpRequest, token: str, section: str) -> HttpResponse:
    """One page of the log. If the database cannot be reached when it is sent, the page comes
    back (503) with what was typed, to be sent again."""
    try:
        return _log_page(request, token, section)
    except errors.DB_UNAVAILABLE:
        if request.method != "POST":
            raise
        return _log_page_unavailable(request, token, section)


def _log_page(request: HttpRequest, token: str, section: str) -> HttpResponse:
    key = request.POST.get("key", "") if request.method == "POST" else ""
    # The link, the person, the open draft and whether the key is of a log already stored:
    # one query (peerlog.capture.linklookup).
    participant, found = _link_for(token, request, draft_key=key)
    if participant.withdrawal:
        return _withdrawn(request, participant, token)
    switched = pages.switch_language(request)  # the page again in another language
    posted = request.method == "POST" and switched is None
    finished, draft = found.finished, found.open_draft
    if finished:  # a resubmitted page of a log already stored
        return redirect("capture:thanks", token=token)
    if draft is None:
        return redirect("capture:link", token=token)
    inst, sections = sections_of(draft)
    codes = [s.code for s in sections]
    if section not in codes:
        raise Http404
    index = codes.index(section)
    first_open = first_unfinished(draft, sections)
    if index > codes.index(first_open) and section not in draft.done_sections:
        return redirect("capture:log_page", token=token, section=first_open)
    sec = sections[index]
    answers = dict(draft.answers)
    data = request.POST if posted else None
    form = pages.section_form(inst, sec, data=data, answers=answers)
    for code in HIDDEN_ON_WEB:
        form.fields.pop(code, None)
    if switched:
        pages.keep_typed(form, request.POST)
    if "date_completed" in form.fields:
        form.initial.setdefault("date_completed", pages.today())
    if posted and form.is_valid() and "date_completed" in form.cleaned_data:
        _check_date(form, form.cleaned_data.get("date_completed"), earliest_date(participant))
    if posted and form.is_valid():
        for item in sec.items:
            answers.pop(item.code, None)
        answers.update(form.answers())
        draft.answers = answers
        if section not in draft.done_sections:
            draft.done_sections = [*draft.done_sections, section]
        if all(c in draft.done_sections for c in codes):
            return _finish(request, participant, token, draft)
        draft.save(update_fields=["answers", "done_sections", "updated_at"])
        nxt = codes[index + 1] if index + 1 < len(codes) else first_unfinished(draft, sections)
        if nxt not in draft.done_sections:
            nxt = first_unfinished(draft, sections)
        return redirect("capture:log_page", token=token, section=nxt)
    skipped = pages.skipped_by_condition(sec, answers)
    page_blocks = pages.blocks(form, sec, skip=HIDDEN_ON_WEB | skipped)
    return pages.remember_language(render(request, "capture/log_page.html", _context(
        request, participant, token, title=sec.title, instrument=inst, section=sec, form=form,
        page_form=pages.PAGE_FORM,
        blocks=page_blocks, errors=pages.error_summary(form, page_blocks), key=draft.submission_key,
        conditional_css=pages.conditional_css(form, sec),
        previous=codes[index - 1] if index else None,
        progress=pages.progress(index + 1, len(codes)), last=index == len(codes) - 1,
        show_instrument_intro=index == 0, skipped=",".join(sorted(skipped)),
        signpost=request.method == "GET" and index > 0 and crisis.after(sections[index - 1],
                                                                         answers),
        crisis_contacts=crisis.contacts(),
    )), switched)


def _log_page_unavailable(request: HttpRequest, token: str, section: str) -> HttpResponse:
    """The page as it was sent, drawn from the request alone (the instrument, language and
    questions not shown come in hidden fields: used to draw the page, never to store)."""
    language = request.POST.get("lang", "")
    if language in dict(settings.LANGUAGES):
        translation.activate(language)
        request.LANGUAGE_CODE = language
    code = request.POST.get("instrument", "")
    if code not in LOG_INSTRUMENTS:
        return errors.unavailable(request)
    inst = pages.instrument(code)
    codes = [s.code for s in inst.sections]
    if section not in codes:
        return errors.unavailable(request)
    index = codes.index(section)
    sec = inst.sections[index]
    known = {item.code for item in sec.items}
    skipped = {c for c in request.POST.get("skipped", "").split(",") if c in known}
    form = pages.section_form(inst, sec, data=request.POST)
    for name in HIDDEN_ON_WEB:
        form.fields.pop(name, None)
    page_blocks = pages.blocks(form, sec, skip=HIDDEN_ON_WEB | skipped)
    errors.logger.warning("Log page not saved, database unavailable: %s",
                          request.path.replace(token, "…"))
    errors.without_database(request)
    response = render(request, "capture/log_page.html", {
        "token": token, "participant": None, "title": sec.title, "instrument": inst,
        "section": sec, "form": form, "blocks": page_blocks,
        "errors": pages.error_summary(form, page_blocks), "key": request.POST.get("key", ""),
        "conditional_css": pages.conditional_css(form, sec),
        "previous": codes[index - 1] if index else None,
        "progress": pages.progress(index + 1, len(codes)), "last": index == len(codes) - 1,
        "show_instrument_intro": index == 0, "skipped": ",".join(sorted(skipped)),
        "unavailable": True,
    }, status=503)
    response["Retry-After"] = "60"
    return response


def earliest_date(participant: Participant) -> dt.date:
    """The earliest date an online log may carry: the person's last due date, that is the
    date of their latest log, or their registration if they have none. A log cannot be
    backdated into an earlier period (or an earlier prize draw)."""
    registered = timezone.localdate(participant.registered_at)
    latest = (participant.logs.exclude(status=Log.Status.SET_ASIDE)
              .order_by("-completed_on").values_list("completed_on", flat=True).first())
    return min(max(registered, latest or registered), pages.today())


def _check_date(form, value, earliest: dt.date) -> None:
    if value is None:
        return
    today = pages.today()
    if value > today:
        form.add_error("date_completed", _("This date is in the future. Please enter today's "
                                           "date, or leave it as it is."))
    elif value < earliest:
        form.add_error("date_completed", _(
            "This date is before your last log or your registration ({date}). Please enter a "
            "date from {date} to today.").format(date=formats.date_format(earliest)))


def _finish(request, participant: Participant, token: str, draft: Draft) -> HttpResponse:
    answers = dict(draft.answers)
    completed = answers.get("date_completed")
    completed_on = dt.date.fromisoformat(completed) if completed else pages.today()
    answers.setdefault("date_completed", completed_on.isoformat())
    with transaction.atomic():
        log, _created = store_log(scope=participant,
            instrument=draft.instrument, answers=answers,
            typed_personal_id=participant.personal_id.code, completed_on=completed_on,
            mode=Log.Mode.ONLINE, submission_key=draft.submission_key,
            language=pages.active_language(),
        )
        # The answers now live in the log; the draft keeps only its key, to recognise a
        # resubmitted last page.
        Draft.objects.filter(pk=draft.pk).update(log=log, answers={},
                                                 done_sections=draft.done_sections)
    return redirect("capture:thanks", token=token)


@never_cache
def thanks(request: HttpRequest, token: str) -> HttpResponse:
    participant = participant_for(token, request)
    last = participant.logs.order_by("-received_at").first()
    inst = pages.instrument(last.instrument) if last else None
    return render(request, "capture/thanks.html", _context(
        request, participant, token, title=_("Thank you"), instrument=inst, log=last,
        next_kind=schedule.kind_of_log(schedule.logs_so_far(participant) + 1),
        next_due=schedule.next_due_on(participant),
        finished=schedule.finished(participant),
        changeable=schedule.changeable_log(participant),
        signpost=bool(inst) and crisis.after(inst.sections[-1], last.answers),
        crisis_contacts=crisis.contacts(),
    ))


@never_cache
def my_progress(request: HttpRequest, token: str) -> HttpResponse:
    """The person's own wellbeing and hope over time, explained; nothing about anyone else."""
    participant = participant_for(token, request)
    logs = list(participant.logs.filter(status=Log.Status.COMPLETE)
                .order_by("completed_on", "received_at"))
    points = [{"date": log.completed_on, "wellbeing": log.scores.get("wellbeing"),
               "hope": log.scores.get("hope")} for log in logs]
    rtl = translation.get_language_bidi()
    return render(request, "capture/progress.html", _context(
        request, participant, token, title=_("My progress"), points=points,
        wellbeing_chart=progress_chart.chart(
            [(p["date"], p["wellbeing"]) for p in points], 7, 35, rtl=rtl),
        hope_chart=progress_chart.chart([(p["date"], p["hope"]) for p in points], 12, 48,
                                        rtl=rtl),
    ))
