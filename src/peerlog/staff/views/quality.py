"""Data-quality queue: each problem with its reason and the ways to resolve it."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from peerlog.capture import audit, personal_ids
from peerlog.capture.models import Log
from peerlog.capture.services import (
    OUT_OF_SCOPE_ID,
    SAME_DAY_DUPLICATE,
    TICKS,
    UNREGISTERED_ID,
    programme_start,
)
from peerlog.instruments import ScoringError
from peerlog.staff import quality
from peerlog.staff.access import role_of, role_required, visible_participants
from peerlog.staff.layout import instrument_for
from peerlog.staff.models import QualityReview, RepeatRegistration, Role
from peerlog.staff.services import change_log
from peerlog.staff.views.common import ROW_LEVEL, csv_response, participant_or_404, text_param
from peerlog.staff.views.logs import UNREADABLE, corrected_answers, fields_of

# reason -> outcomes offered (outcome code, label)
OUTCOMES = {
    UNREGISTERED_ID: ("match", "set_aside"),
    SAME_DAY_DUPLICATE: ("set_aside", "keep"),
    TICKS: ("keep_ticks", "correct"),
    quality.OUT_OF_RANGE: ("keep", "correct", "set_aside"),
}


BULK_OUTCOMES = ("set_aside", "match")


def _queue_page(request, posted: dict | None = None, error: str = "", status: int = 200):
    problems = quality.queue(request.user)
    counts = quality.usable_counts(request.user)
    return render(request, "staff/quality.html", {
        "problems": problems, "counts": counts, "classes": list(quality.CLASSES.values()),
        "reasons": quality.REASONS, "posted": posted or {"ticked": []}, "error": error,
        "bulk": {reason for reason, outcomes in OUTCOMES.items()
                 if set(outcomes) & set(BULK_OUTCOMES)},
        "matchable": UNREGISTERED_ID,
    }, status=status)


@role_required(*ROW_LEVEL)
def queue(request):
    return _queue_page(request)


@role_required(*ROW_LEVEL)
def counts_csv(request):
    rows = quality.usable_counts(request.user)
    return csv_response("peerlog-usable-logs.csv", ["project", *quality.CLASSES, "total"],
                        ([r["project"], *r["counts"], r["total"]] for r in rows))


def _log_or_404(user, pk):
    log = quality.visible_logs(user).filter(pk=pk).first()
    if log is None:
        raise Http404
    return log


def _correction_fields(log: Log):
    return fields_of(instrument_for(log.instrument, log.language), log.answers)


@role_required(*ROW_LEVEL)
def problem(request, pk: int, reason: str):
    if reason not in OUTCOMES:
        raise Http404
    log = _log_or_404(request.user, pk)
    same_day = []
    if reason == SAME_DAY_DUPLICATE and log.participant_id:
        same_day = (quality.visible_logs(request.user)
                    .filter(participant_id=log.participant_id, completed_on=log.completed_on)
                    .exclude(pk=log.pk))
    error = None
    fields = _correction_fields(log) if "correct" in OUTCOMES[reason] else []
    posted = {"date": log.completed_on.strftime("%d/%m/%Y")}
    if request.method == "POST":
        posted = {name: text_param(request.POST.get(name, ""), 200)
                  for name in ("outcome", "personal_id", "date")}
        posted["note"] = text_param(request.POST.get("note", ""), 500)
        try:
            with transaction.atomic():
                error = _resolve(request, log, reason, posted, fields)
        except ScoringError as exc:
            error = _("That value cannot be stored: %(e)s") % {"e": exc}
        if error is None:
            messages.success(request, _("Resolved."))
            return redirect("staff:quality")
    detail = quality.implausible_words(log) if reason == quality.OUT_OF_RANGE else ""
    if reason == UNREGISTERED_ID and OUT_OF_SCOPE_ID in log.flags and may_match_anywhere(
            request.user):
        detail = str(quality.OUT_OF_SCOPE_LABEL)
    return render(request, "staff/quality_problem.html", {
        "log": log, "reason": reason, "label": quality.REASONS[reason],
        "outcomes": OUTCOMES[reason], "same_day": same_day, "error": error,
        "detail": detail, "fields": fields, "posted": posted,
    }, status=400 if error else 200)


DATE_ITEM = "date_completed"


def may_match_anywhere(user) -> bool:
    return role_of(user) == Role.CENTRAL_RESEARCHER


def corrected_date(raw: str) -> dt.date:
    """A typed date correction, inside the dates any log may carry (raises ValueError)."""
    from peerlog.staff.views.paper import PaperIdForm

    field = PaperIdForm.base_fields[DATE_ITEM]
    try:
        value = field.clean(raw)
    except forms.ValidationError as exc:
        raise ValueError(_("Type the date as dd/mm/yy.")) from exc
    start = programme_start()
    if value < start:
        raise ValueError(_("This date is before the programme started (%(start)s).")
                         % {"start": start.strftime("%d/%m/%Y")})
    if value > timezone.localdate() + dt.timedelta(days=1):
        raise ValueError(_("This date is in the future."))
    return value


def _participant_with(user, typed: str):
    """The participant of the user's projects with this personal ID (None if none)."""
    code = personal_ids.clean(typed)
    if not code:
        return None
    return visible_participants(user).filter(personal_id__code=code).first()


def _decide(user, log: Log, reason: str, outcome: str, note: str, participant=None) -> None:
    """Record one decision on one problem: change the log (set aside, matched), the review
    row and the audit event. Corrections change the log before calling this."""
    if outcome == "match":
        change_log(log, user, f"quality: {reason} matched", participant=participant,
                   out_of_scope=False)
    elif outcome == "set_aside":
        change_log(log, user, f"quality: {reason} set aside", status=Log.Status.SET_ASIDE)
    QualityReview.objects.update_or_create(
        log=log, reason=reason, defaults={"outcome": outcome, "note": note, "by": user})
    audit.record(user, "quality.resolve", log, reason=reason, outcome=outcome, note=note)


def _resolve(request, log: Log, reason: str, posted: dict, fields) -> str | None:
    user, outcome = request.user, posted["outcome"]
    if outcome not in OUTCOMES[reason]:
        return _("Choose what to do.")
    participant = None
    if outcome == "match":
        if personal_ids.clean(posted["personal_id"]) is None:
            return _("A personal ID has digits only: check the number.")
        participant = _participant_with(user, posted["personal_id"])
        if participant is None:
            return _("No participant of your projects has that personal ID.")
    elif outcome == "correct":
        answers, unreadable = corrected_answers(fields, request, log.answers)
        completed_on = None
        raw_date = posted["date"].strip()
        if raw_date and raw_date != log.completed_on.strftime("%d/%m/%Y"):
            try:
                completed_on = corrected_date(raw_date)
            except ValueError as exc:
                return str(exc)
            if completed_on == log.completed_on:
                completed_on = None
        if unreadable:
            return str(UNREADABLE)
        if answers == log.answers and completed_on is None:
            return _("Nothing was changed: change the answers that differ from the paper.")
        if completed_on is not None and DATE_ITEM in answers:
            answers[DATE_ITEM] = completed_on.isoformat()
        change_log(log, user, f"quality: {reason} corrected", answers=answers,
                   completed_on=completed_on)
    _decide(user, log, reason, outcome, posted["note"], participant)
    return None


def _open_problems(user, ticked: list[str]) -> list[tuple[Log, str]]:
    """The ticked (log, reason) pairs that are open problems the user may act on; anything
    else posted (another project's log, a decided problem, a made-up reason) is dropped."""
    wanted = {}
    for value in ticked:
        pk, _sep, reason = value.partition(":")
        if reason in OUTCOMES and pk.isascii() and pk.isdecimal() and len(pk) <= 12:
            wanted.setdefault(int(pk), set()).add(reason)
    logs = quality.visible_logs(user).exclude(status=Log.Status.SET_ASIDE).filter(
        pk__in=list(wanted))
    decided = set(QualityReview.objects.filter(log__in=logs).values_list("log_id", "reason"))
    out = []
    for log in logs.order_by("pk"):
        for reason in sorted(wanted[log.pk]):
            still = reason in log.flags or (reason == quality.OUT_OF_RANGE
                                            and quality.implausible(log))
            if still and (log.pk, reason) not in decided:
                out.append((log, reason))
    return out


@role_required(*ROW_LEVEL)
@require_POST
def bulk(request):
    """Set aside, or match, every ticked problem with one submit (no JavaScript): the same
    decisions as one problem's page, each audited on its own."""
    ticked = [text_param(v, 40) for v in request.POST.getlist("problem")][:500]
    posted = {"ticked": ticked, "personal_id": text_param(request.POST.get("personal_id"), 40),
              "action": text_param(request.POST.get("action"), 20),
              "note": text_param(request.POST.get("note"), 500)}
    action = posted["action"]
    chosen = [(log, reason) for log, reason in _open_problems(request.user, ticked)
              if action in OUTCOMES[reason]]
    if action not in BULK_OUTCOMES:
        return _queue_page(request, posted, _("Choose what to do with the ticked logs."), 400)
    if not chosen:
        return _queue_page(request, posted, _("Tick at least one log that can be dealt with "
                                              "this way."), 400)
    one = None
    if action == "match" and posted["personal_id"].strip():
        one = _participant_with(request.user, posted["personal_id"])
        if one is None:
            return _queue_page(request, posted, _("No participant of your projects has the "
                                                  "personal ID typed for matching."), 400)
    done, unmatched = 0, []
    with transaction.atomic():
        for log, reason in chosen:
            participant = None
            if action == "match":
                participant = one or _participant_with(request.user, log.typed_personal_id)
                if participant is None:
                    unmatched.append(log.typed_personal_id)
                    continue
            _decide(request.user, log, reason, action, posted["note"], participant)
            done += 1
    if done:
        messages.success(request, ngettext("%(n)s log dealt with.", "%(n)s logs dealt with.",
                                           done) % {"n": done})
    if unmatched:
        messages.warning(request, _("Not matched (no participant of your projects has the ID "
                                    "written on them): %(ids)s.") % {"ids": ", ".join(unmatched)})
    return redirect("staff:quality")


@role_required(*ROW_LEVEL)
@require_POST
def repeat_registration(request, pk: int):
    later = participant_or_404(request.user, pk)
    first = participant_or_404(request.user, request.POST.get("same_as", ""))
    outcome = request.POST.get("outcome")
    if outcome not in RepeatRegistration.Outcome.values or first.pk == later.pk:
        raise Http404
    if RepeatRegistration.objects.filter(participant=later).exists():
        messages.info(request, _("This registration has already been decided."))
        return redirect("staff:quality")
    with transaction.atomic():
        RepeatRegistration.objects.create(
            participant=later, same_as=first if outcome == "same_person" else None,
            outcome=outcome, by=request.user)
        if outcome == RepeatRegistration.Outcome.SAME_PERSON:
            for log in later.logs.all():
                change_log(log, request.user, "quality: repeat registration routed",
                           participant=first)
        audit.record(request.user, "quality.repeat_registration", later, outcome=outcome,
                     same_as=first.pk)
    messages.success(request, _("Resolved."))
    return redirect("staff:quality")
