"""Reminders and draws in the console (issue 13, item 9): who ``peerlog remind`` would
contact today and by which channel, "send now" (the same run as the daily job), the outbox in
plain words, and the monthly prize draw.

| role | preview and outbox | send now, run a draw |
|---|---|---|
| coordinator, regional researcher | their projects' people | no |
| central researcher | everyone | yes |

Sending and drawing act on the whole programme (one run sends every project's reminders;
one draw is among everyone), so only the programme-wide role may start them. No page shows
an address: the channel only.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from peerlog.capture import audit, personal_ids
from peerlog.capture.schedule import instrument_code
from peerlog.outreach import draw as draws
from peerlog.outreach import remind, schedule
from peerlog.outreach.models import Message, PrizeDraw
from peerlog.staff.access import role_of, role_required, visible_participants, visible_projects
from peerlog.staff.monitoring import CHANNEL_LABELS
from peerlog.staff.views.common import CENTRAL, ROW_LEVEL

SENDERS = (CENTRAL,)

# The outbox's states in words, for people who never read a mail server's log.
STATE_WORDS = {
    "queued": gettext_lazy("Waiting to be sent by the next reminder run."),
    "sending": gettext_lazy("Being sent now."),
    "sent": gettext_lazy("Sent."),
    "failed": gettext_lazy("Not sent yet: it will be tried again."),
    "gave_up": gettext_lazy("Not sent: PeerLog has stopped trying. Check the person's details "
                            "with them, then resend or cancel it in the outbox."),
    "in_doubt": gettext_lazy("Not known whether it went: sending was interrupted. Resend it "
                             "(the person may get it twice) or mark it sent, in the outbox."),
    "cancelled": gettext_lazy("Not sent, and will not be."),
}


def state_words(msg: Message) -> str:
    if msg.channel == Message.Channel.POST and msg.state == Message.State.SENT:
        return str(_("In a post mailing (letter printed for posting)."))
    return str(STATE_WORDS["gave_up" if msg.gave_up else msg.state])


def preview(user, today: dt.date) -> list[dict]:
    """Who the reminder run would contact today, and how (what ``plan`` would record)."""
    month = schedule.month_key(today)
    mine = set(visible_participants(user).values_list("pk", flat=True))
    reminded = set(Message.objects.filter(
        purpose=Message.Purpose.REMINDER, month=month,
        channel__in=schedule.REMINDER_CHANNELS).values_list("participant_id", flat=True))
    rows = []
    for due in schedule.due(today):
        person = due.participant
        if person.pk not in mine or person.pk in reminded:
            continue
        rows.append({
            "pk": person.pk, "id": personal_ids.display(person.personal_id.code),
            "project": person.project, "language": person.language,
            "form": instrument_code(due.kind, person.uses_short_version),
            "channels": ", ".join(str(CHANNEL_LABELS[c]) for c in due.channels),
        })
    return rows


def last_month(today: dt.date) -> str:
    return schedule.month_key(today.replace(day=1) - dt.timedelta(days=1))


class DrawForm(forms.Form):
    month = forms.RegexField(label=gettext_lazy("Month (YYYY-MM)"), regex=r"^\d{4}-\d{2}$",
                             max_length=7, error_messages={
                                 "invalid": gettext_lazy("Type the month as YYYY-MM, for "
                                                         "example 2026-03.")})


def _page(request: HttpRequest, draw_form: DrawForm | None = None,
          status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    mine = Message.objects.filter(participant__project__in=visible_projects(request.user))
    outbox = (mine.select_related("participant__personal_id", "participant__project")
              .order_by("-created_at", "-id")[:100])
    attention = mine.filter(Q(state=Message.State.IN_DOUBT)
                            | Q(state=Message.State.FAILED, next_attempt_at__isnull=True)).count()
    return render(request, "staff/reminders.html", {
        "rows": preview(request.user, today), "today": today,
        "may_send": role_of(request.user) in SENDERS,
        "outbox": [{"msg": m, "id": personal_ids.display(m.participant.personal_id.code),
                    "words": state_words(m), "error": m.last_error} for m in outbox],
        "attention": attention,
        "draw_form": draw_form or DrawForm(initial={"month": last_month(today)}),
        "draws": PrizeDraw.objects.filter(current=True)[:12],
    }, status=status)


@role_required(*ROW_LEVEL)
def reminders_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


@require_POST
@role_required(*SENDERS)
def send_now(request: HttpRequest) -> HttpResponse:
    """Run ``peerlog remind`` now: the same plan and send, under the same lock, so a double
    click or the scheduled job at the same time never sends twice."""
    try:
        counts: Counter = remind.run()
    except remind.AlreadyRunning:
        messages.warning(request, _("A reminder run is going on already: nothing more was "
                                    "started. Its messages appear in the outbox below."))
        return redirect("staff:reminders")
    audit.record(request.user, "outreach.remind_now", "reminders", **dict(counts))
    messages.success(request, _(
        "Reminder run done: %(planned)s planned, %(sent)s sent, %(failed)s to try again, "
        "%(attention)s need a person.") % {
        "planned": counts.get("planned", 0), "sent": counts.get("sent", 0),
        "failed": counts.get("failed", 0),
        "attention": counts.get("gave_up", 0) + counts.get("in_doubt", 0)})
    return redirect("staff:reminders")


@require_POST
@role_required(*SENDERS)
def run_draw(request: HttpRequest) -> HttpResponse:
    """The month's prize draw (``peerlog draw``): a month drawn already shows its draw; a
    redraw needs the command line and a reason."""
    form = DrawForm(request.POST)
    if form.is_valid():
        try:
            record, created = draws.draw(form.cleaned_data["month"], actor=request.user)
        except draws.DrawError as exc:
            form.add_error("month", _("%(month)s cannot be drawn: %(why)s.") % {
                "month": form.cleaned_data["month"], "why": exc})
        else:
            if created:
                messages.success(request, _("Prize draw for %(month)s made.") % {
                    "month": record.month})
            else:
                messages.info(request, _("%(month)s was drawn already: this is that draw.") % {
                    "month": record.month})
            return redirect(reverse("outreach:draw", args=[record.pk]))
    return _page(request, form, status=400)
