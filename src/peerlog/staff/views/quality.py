"""Data-quality queue: each problem with its reason and the ways to resolve it."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peerlog.capture import audit, personal_ids
from peerlog.capture.models import Log
from peerlog.capture.services import SAME_DAY_DUPLICATE, TICKS, UNREGISTERED_ID
from peerlog.instruments import ScoringError
from peerlog.staff import quality
from peerlog.staff.access import role_required, visible_participants
from peerlog.staff.models import QualityReview, RepeatRegistration
from peerlog.staff.services import change_log
from peerlog.staff.views.common import ROW_LEVEL, csv_response, participant_or_404

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
    if request.method == "POST":
        outcome = request.POST.get("outcome", "")
        note = request.POST.get("note", "")[:500]
        try:
            with transaction.atomic():
                error = _resolve(request, log, reason, outcome, note)
        except ScoringError as exc:
            error = _("That value cannot be stored: %(e)s") % {"e": exc}
        if error is None:
            messages.success(request, _("Resolved."))
            return redirect("staff:quality")
    return render(request, "staff/quality_problem.html", {
        "log": log, "reason": reason, "label": quality.REASONS[reason],
        "outcomes": OUTCOMES[reason], "same_day": same_day, "error": error,
        "detail": ", ".join(quality.implausible(log)) if reason == quality.OUT_OF_RANGE else "",
        "answers": sorted(log.answers.items()),
    }, status=400 if error else 200)


def _resolve(request, log: Log, reason: str, outcome: str, note: str) -> str | None:
    user = request.user
    if outcome not in OUTCOMES[reason]:
        return _("Choose what to do.")
    if outcome == "match":
        code = personal_ids.normalise(request.POST.get("personal_id", ""))
        participant = visible_participants(user).filter(personal_id__code=code).first()
        if participant is None:
            return _("No participant of your projects has that personal ID.")
        change_log(log, user, f"quality: {reason} matched", participant=participant)
    elif outcome == "set_aside":
        change_log(log, user, f"quality: {reason} set aside", status=Log.Status.SET_ASIDE)
    elif outcome == "correct":
        code = request.POST.get("item", "").strip()
        raw = request.POST.get("value", "").strip()
        if code not in log.answers:
            return _("Choose one of the log's answers to correct.")
        value = int(raw) if raw.isdigit() else (None if raw == "" else raw)
        answers = dict(log.answers)
        if value is None:
            answers.pop(code)
        else:
            answers[code] = value
        change_log(log, user, f"quality: {reason} corrected", answers=answers)
    QualityReview.objects.update_or_create(
        log=log, reason=reason, defaults={"outcome": outcome, "note": note, "by": user})
    audit.record(user, "quality.resolve", log, reason=reason, outcome=outcome, note=note)
    return None


@role_required(*ROW_LEVEL)
@require_POST
def repeat_registration(request, pk: int):
    later = participant_or_404(request.user, pk)
    first = participant_or_404(request.user, request.POST.get("same_as"))
    outcome = request.POST.get("outcome")
    if outcome not in RepeatRegistration.Outcome.values or first.pk == later.pk:
        raise Http404
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
