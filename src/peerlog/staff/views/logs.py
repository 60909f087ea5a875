"""One stored log: its answers with their labels as on the paper, its version history, and
a correction form (several answers at once, chosen by label, a reason required).

Corrections go through :func:`peerlog.staff.services.change_log` (re-scored, flags
recomputed, audited with before/after). The version history is those audit events
(``log.change``): one record of every change, which withdrawal already redacts, rather than
a second copy of old answers that would need its own deletion.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peerlog.capture import audit
from peerlog.capture.models import AuditEvent, Log
from peerlog.capture.personal_ids import display
from peerlog.instruments import TICKED, ScoringError, languages
from peerlog.instruments.model import Instrument, Item
from peerlog.staff import quality
from peerlog.staff.access import role_required
from peerlog.staff.layout import instrument_for
from peerlog.staff.services import change_log
from peerlog.staff.views.common import ROW_LEVEL, int_param, text_param

CORRECTABLE = ("single", "integer", "count", "text", "multi")
MAX_VALUE_DIGITS = 6  # no answer is a number this long
NO_ANSWER = gettext_lazy("no answer")
TICK_WORDS = ("t", "tick", "ticked", "✓", "x")


def form_title(code: str) -> str:
    """An instrument's title for people ("Monthly log (short version)"), never its code."""
    try:
        return instrument_for(code).title
    except Exception:  # an unknown or retired definition: say so rather than fail the page
        return _("Form no longer in use (%(code)s)") % {"code": code}


def language_name(code: str) -> str:
    names = {lang.code: lang.name for lang in languages()}
    return names.get(code, code)


def shown_value(item: Item | None, value: Any) -> str:
    """An answer as the paper shows it: the option's label, a number, or "ticked"."""
    if value is None or value == "" or value == []:
        return str(NO_ANSWER)
    if value == TICKED:
        return _("ticked (no number)")
    if item is not None and item.options:
        if isinstance(value, list):
            return "; ".join(shown_value(item, v) for v in value)
        option = item.option(value)
        if option is not None:
            return option.text
    return str(value)


@dataclass
class Field:
    item: Item
    section: str
    name: str
    value: Any  # stored value
    raw: Any  # what the form shows: typed text, or the chosen option value(s) as text
    error: str = ""

    @property
    def shown(self) -> str:
        return shown_value(self.item, self.value)

    @property
    def label(self) -> str:
        return self.item.text

    @property
    def correctable(self) -> bool:
        return self.item.type in CORRECTABLE

    @property
    def choices(self) -> list[tuple[str, str, bool]]:
        """(value, label, chosen) of each option, for the form."""
        chosen = self.raw if isinstance(self.raw, list) else [self.raw]
        return [(str(o.value), o.text, str(o.value) in chosen) for o in self.item.options]


def _raw(item: Item, value: Any) -> Any:
    if item.type == "multi":
        return [str(v) for v in (value or [])]
    if value is None:
        return ""
    if value == TICKED:
        return "t"
    return str(value)


def fields_of(instrument: Instrument, answers: dict) -> list[Field]:
    out = []
    for section in instrument.sections:
        for item in section.items:
            if item.type not in CORRECTABLE and item.code not in answers:
                continue
            value = answers.get(item.code)
            out.append(Field(item, section.title, f"a-{item.code}", value, _raw(item, value)))
    return out


def parse(item: Item, request: HttpRequest, current: Any) -> tuple[Any, Any, str]:
    """(new value, what to show again, error) for one item of a posted correction.

    A field not on the posted form leaves the answer as it is.
    """
    name = f"a-{item.code}"
    if item.type == "multi":
        if f"m-{item.code}" not in request.POST:
            return current, _raw(item, current), ""
        chosen = [text_param(v, 100) for v in request.POST.getlist(name)]
        allowed = {str(v): v for v in item.option_values}
        if any(c not in allowed for c in chosen):
            return current, chosen, _("Choose from the answers listed.")
        values = [v for v in item.option_values if str(v) in chosen]
        return (values or None), chosen, ""
    if name not in request.POST:
        return current, _raw(item, current), ""
    raw = text_param(request.POST.get(name), 500).strip()
    if raw == _raw(item, current):  # left as stored, even if the stored value is odd
        return current, raw, ""
    if raw == "":
        return None, raw, ""
    if item.type == "single":
        for option in item.options:
            if str(option.value) == raw:
                return option.value, raw, ""
        return current, raw, _("Choose one of the answers listed.")
    if item.type in ("integer", "count"):
        if item.type == "count" and raw.lower() in TICK_WORDS:
            return TICKED, raw, ""
        if not (raw.isascii() and raw.isdecimal()):
            hint = _(" (or t for a tick)") if item.type == "count" else ""
            return current, raw, _("Type a whole number in the digits 0-9%(hint)s.") % {
                "hint": hint}
        if len(raw) > MAX_VALUE_DIGITS:
            return current, raw, _("That number is too long to be an answer.")
        return int(raw), raw, ""
    return raw, raw, ""


UNREADABLE = gettext_lazy("Some answers could not be read: see the messages beside them.")


def corrected_answers(fields: list[Field], request: HttpRequest, stored: dict
                      ) -> tuple[dict, bool]:
    """The stored answers with a posted correction applied, and whether any answer could not
    be read (that field then keeps what was typed and carries its message). Shared by the log
    page and the data-quality queue, so a correction reads the same everywhere."""
    answers = dict(stored)
    for field in fields:
        value, field.raw, field.error = parse(field.item, request, field.value)
        if field.error:
            continue
        if value is None:
            answers.pop(field.item.code, None)
        else:
            answers[field.item.code] = value
    return answers, any(f.error for f in fields)


def history(log: Log, instrument: Instrument) -> list[dict[str, Any]]:
    """The log's earlier versions, newest first, from its ``log.change`` audit events."""
    events = AuditEvent.objects.filter(target_type="capture.log", target_id=str(log.pk),
                                       action="log.change").order_by("-at", "-pk")
    out = []
    for event in events:
        detail = event.detail if isinstance(event.detail, dict) else {}
        changes = []
        answers = (detail.get("changed") or {}).get("answers") or {}
        for code, pair in answers.items():
            item = instrument.items.get(code)
            before, after = (pair + [None, None])[:2] if isinstance(pair, list) else (pair, None)
            changes.append({"label": item.text if item else code,
                            "before": shown_value(item, before),
                            "after": shown_value(item, after)})
        for key, pair in (detail.get("changed") or {}).items():
            if key == "answers" or not isinstance(pair, list) or len(pair) != 2:
                continue
            changes.append({"label": OTHER_CHANGES.get(key, key), "before": pair[0],
                            "after": pair[1]})
        out.append({"at": event.at, "by": event.actor_label,
                    "reason": reason_words(str(detail.get("reason", ""))),
                    "changes": changes})
    return out


def reason_words(reason: str) -> str:
    """A stored change reason with any data-quality code in words
    ("quality: same_day_duplicate set aside" -> "quality: Two logs ... set aside")."""
    for code, label in quality.REASONS.items():
        reason = reason.replace(code, str(label))
    return reason


OTHER_CHANGES = {
    "participant": gettext_lazy("Participant (record number)"),
    "typed_personal_id": gettext_lazy("Personal ID as written"),
    "completed_on": gettext_lazy("Date completed"), "status": gettext_lazy("Status"),
}


def _log_or_404(user: Any, pk: Any) -> Log:
    pk = pk if isinstance(pk, int) else int_param(pk)
    log = (quality.visible_logs(user).filter(pk=pk).select_related("participant__personal_id")
           .first() if pk is not None else None)
    if log is None:
        raise Http404
    return log


@role_required(*ROW_LEVEL)
def log_page(request: HttpRequest, pk: int) -> HttpResponse:
    log = _log_or_404(request.user, pk)
    instrument = instrument_for(log.instrument)
    fields = fields_of(instrument, log.answers)
    reason, error = "", ""
    if request.method == "POST":
        reason = text_param(request.POST.get("reason", ""), 300).strip()
        answers, unreadable = corrected_answers(fields, request, log.answers)
        if unreadable:
            error = str(UNREADABLE)
        elif answers == log.answers:
            error = _("Nothing was changed: change at least one answer.")
        elif len(reason) < 5:
            error = _("Say why the log is being corrected (at least 5 characters), e.g. "
                      "“typing slip: the paper says Agree”.")
        else:
            try:
                with transaction.atomic():
                    change_log(log, request.user, f"correction: {reason}", answers=answers)
            except ScoringError as exc:
                error = _("These answers cannot be stored: %(e)s") % {"e": exc}
            else:
                messages.success(request, _("Log corrected. The earlier version is kept in its "
                                            "history below."))
                return redirect("staff:log", log.pk)
    else:
        audit.record(request.user, "log.view", log)
    participant = log.participant
    return render(request, "staff/log.html", {
        "log": log, "title": instrument.title, "fields": fields, "error": error,
        "reason": reason, "history": history(log, instrument),
        "language": language_name(log.language),
        "flags": [str(quality.REASONS.get(f, f)) for f in log.flags if f in quality.REASONS],
        "personal_id": display(participant.personal_id.code) if participant
        else log.typed_personal_id,
    }, status=400 if error else 200)
