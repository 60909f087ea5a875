"""Who is due a reminder, and for which log (read-only).

The schedule (shared/design/instruments.md): the first log is quarterly, then one a month,
every third log quarterly again (logs 1, 4, 7, ...); :mod:`peerlog.capture.schedule` says
which log a personal link opens, and this module counts logs the same way (every log but
those set aside, so a paper log held for second entry counts). A participant is due a
reminder when their last log (or, before the first one, their registration) is at least
``PEERLOG["REMINDER_AFTER_DAYS"]`` days old (28 by default), an online log counting from the
day it was received (:func:`peerlog.capture.schedule.counted_on`). A person with a leaving
date, or in a programme with an end, is due by the link's own rule
(:func:`peerlog.capture.schedule.is_due`: the last log quarterly, none after it). The outbox's
unique (participant, month, channel) keeps it to one reminder a month.

Nobody is due who withdrew (either kind), did not consent to reminders, opted out of them,
has no email/SMS channel, or belongs to an inactive project.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, Count, DateField, F, Max, Q, When
from django.db.models.functions import Greatest, TruncDate
from django.utils import timezone

from peerlog.capture import programme
from peerlog.capture import schedule as capture_schedule
from peerlog.capture.models import ContactDetails, Log, Participant

REMINDER_CHANNELS = ("email", "sms")  # "post" is paper, sent by a coordinator


def month_key(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """``"2026-03"`` -> (1 March, 1 April): first day and the day after the month."""
    year, mon = (int(part) for part in month.split("-"))
    start = dt.date(year, mon, 1)
    end = dt.date(year + (mon == 12), mon % 12 + 1, 1)
    return start, end


def log_kind(number: int) -> str:
    """Logs 1, 4, 7, ... are quarterly, the others monthly (the participant pages' rule)."""
    return capture_schedule.kind_of_log(number)


@dataclass(frozen=True)
class Due:
    participant: Participant
    log_number: int
    kind: str
    last_activity: dt.date
    channels: tuple[str, ...]


def reachable_channels(participant: Participant) -> tuple[str, ...]:
    """The participant's chosen reminder channels that have an address, in a fixed order."""
    contact: ContactDetails | None = getattr(participant, "contact", None)
    if contact is None or contact.reminders_opt_out:
        return ()
    chosen = set(contact.channels or ())
    out = []
    if "email" in chosen and contact.email:
        out.append("email")
    if "sms" in chosen and contact.phone:
        out.append("sms")
    return tuple(out)


def may_remind(participant: Participant) -> str:
    """Empty if reminders may go to ``participant``, else the reason they may not."""
    if participant.withdrawal:
        return "withdrawn"
    if not participant.consent_reminders:
        return "no consent to reminders"
    if not participant.project.active:
        return "project inactive"
    contact = getattr(participant, "contact", None)
    if contact is not None and contact.reminders_opt_out:
        return "opted out of reminders"
    return ""


#: The day a log counts from (the SQL of :func:`peerlog.capture.schedule.counted_on`).
COUNTED_ON = Case(
    When(logs__mode=Log.Mode.ONLINE,
         then=Greatest("logs__completed_on", TruncDate("logs__received_at"))),
    default=F("logs__completed_on"), output_field=DateField(),
)


def candidates():
    """Participants who may be reminded at all, with their log count and last log date."""
    counted = ~Q(logs__status=Log.Status.SET_ASIDE) & Q(logs__isnull=False)
    return (
        Participant.objects.filter(
            withdrawal="", consent_reminders=True, project__active=True,
            contact__reminders_opt_out=False,
        )
        .select_related("contact", "personal_id", "project")
        .annotate(
            logs_so_far=Count("logs", filter=counted),
            last_log_on=Max(COUNTED_ON, filter=counted),
        )
        .order_by("pk")
    )


def due(today: dt.date | None = None, after_days: int | None = None) -> list[Due]:
    today = today or timezone.localdate()
    after_days = settings.PEERLOG["REMINDER_AFTER_DAYS"] if after_days is None else after_days
    out = []
    for participant in candidates():
        last = participant.last_log_on or timezone.localdate(participant.registered_at)
        ending = (participant.logs_so_far
                  and programme.end_for(participant.leaving_on) is not None)
        if ending and not capture_schedule.is_due(participant, today):
            continue
        if not ending and (today - last).days < after_days:
            continue
        channels = reachable_channels(participant)
        if not channels:
            continue
        number = participant.logs_so_far + 1
        kind = capture_schedule.kind_of_log(
            number, last=capture_schedule.is_last(participant, today))
        out.append(Due(participant, number, kind, last, channels))
    return out
