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
from peerlog.instruments import TICKED, ScoringError
from peerlog.staff import quality
from peerlog.staff.access import role_of, role_required, visible_participants
from peerlog.staff.models import QualityReview, RepeatRegistration, Role
from peerlog.staff.services import change_log
from peerlog.staff.views.common import ROW_LEVEL, csv_response, participant_or_404, text_param

# reason -> outcomes offered (outcome code, label)
OUTCOMES = {
    UNREGISTERED_ID: ("match", "set_aside"),
    SAME_DAY_DUPLICATE: ("set_aside", "keep"),
    TICKS: ("keep_ticks", "correct"),
    quality.OUT_OF_RANGE: ("keep", "correct", "set_aside"),
}


@role_required(*ROW_LEVEL)
def queue(request):
    problems = quality.queue(request.user)
    counts = quality.usable_counts(request.user)
    return render(request, "staff/quality.html", {
        "problems": problems, "counts": counts, "classes": list(quality.CLASSES.values()),
        "reasons": quality.REASONS,
    })


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
    posted = {}
    if request.method == "POST":
        posted = {name: text_param(request.POST.get(name, ""), 200)
                  for name in ("outcome", "personal_id", "item", "value")}
        posted["note"] = text_param(request.POST.get("note", ""), 500)
        try:
            with transaction.atomic():
                error = _resolve(request, log, reason, posted["outcome"], posted["note"])
        except ScoringError as exc:
            error = _("That value cannot be stored: %(e)s") % {"e": exc}
        if error is None:
            messages.success(request, _("Resolved."))
            return redirect("staff:quality")
    answers = sorted(log.answers.items())
    if DATE_ITEM not in log.answers:
        answers.append((DATE_ITEM, log.completed_on.isoformat()))
    detail = ", ".join(quality.implausible(log)) if reason == quality.OUT_OF_RANGE else ""
    if reason == UNREGISTERED_ID and OUT_OF_SCOPE_ID in log.flags and may_match_anywhere(
            request.user):
        detail = str(quality.OUT_OF_SCOPE_LABEL)
    return render(request, "staff/quality_problem.html", {
        "log": log, "reason": reason, "label": quality.REASONS[reason],
        "outcomes": OUTCOMES[reason], "same_day": same_day, "error": error,
        "detail": detail, "answers": answers, "posted": posted,
    }, status=400 if error else 200)


DATE_ITEM = "date_completed"
MAX_VALUE_DIGITS = 6  # no answer is a number this long; int() of thousands of digits is slow


def may_match_anywhere(user) -> bool:
    return role_of(user) == Role.CENTRAL_RESEARCHER


def corrected_value(log: Log, code: str, raw: str) -> object:
    """A typed correction as an answer value (None: clear the answer); raises ValueError
    with a message for the person when it cannot be one."""
    if raw == "":
        return None
    if raw.isascii() and raw.isdecimal():
        if len(raw) > MAX_VALUE_DIGITS:
            raise ValueError(_("That number is too long to be an answer."))
        return int(raw)
    if code.startswith("ps_") and raw.lower() in ("t", TICKED):
        return TICKED
    if any(ch.isdigit() for ch in raw) and not any(ch.isalpha() for ch in raw):
        raise ValueError(_("Type the number in the digits 0-9."))
    return raw


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


def _resolve(request, log: Log, reason: str, outcome: str, note: str) -> str | None:
    user = request.user
    if outcome not in OUTCOMES[reason]:
        return _("Choose what to do.")
    if outcome == "match":
        code = personal_ids.clean(request.POST.get("personal_id", ""))
        if code is None:
            return _("A personal ID has digits only: check the number.")
        participant = visible_participants(user).filter(personal_id__code=code).first()
        if participant is None:
            return _("No participant of your projects has that personal ID.")
        change_log(log, user, f"quality: {reason} matched", participant=participant,
                   out_of_scope=False)
    elif outcome == "set_aside":
        change_log(log, user, f"quality: {reason} set aside", status=Log.Status.SET_ASIDE)
    elif outcome == "correct":
        code = text_param(request.POST.get("item", ""), 100).strip()
        raw = text_param(request.POST.get("value", ""), 200).strip()
        if code not in log.answers and code != DATE_ITEM:
            return _("Choose one of the log's answers to correct.")
        answers = dict(log.answers)
        try:
            completed_on = corrected_date(raw) if code == DATE_ITEM else None
            value = None if code == DATE_ITEM else corrected_value(log, code, raw)
        except ValueError as exc:
            return str(exc)
        if completed_on is not None:
            if DATE_ITEM in answers:
                answers[DATE_ITEM] = completed_on.isoformat()
        elif value is None:
            answers.pop(code)
        else:
            answers[code] = value
        change_log(log, user, f"quality: {reason} corrected", answers=answers,
                   completed_on=completed_on)
    QualityReview.objects.update_or_create(
        log=log, reason=reason, defaults={"outcome": outcome, "note": note, "by": user})
    audit.record(user, "quality.resolve", log, reason=reason, outcome=outcome, note=note)
    return None


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
