"""Which log is due for a participant (shared/design/instruments.md, "Schedule").

The first log after registering is quarterly; then one a month; every third log is quarterly
again (logs 1, 4, 7, ...), and the last log of the study is quarterly too (doc line 945): the
last one is the log started when no further log would fall due before the person's end (their
leaving date or the programme's end, :func:`peerlog.capture.programme.end_for`). The short
version is used when the participant's own setting, or else their project's, says so.

Due periods count an online log by the day it was received, not the date typed on it: a log
dated back to the previous one must not make the next log due at once (paper logs keep their
paper date; docs/decisions.md, "Backdated online logs").
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from peerlog.capture import programme
from peerlog.capture.models import Log, Participant

MONTHLY, QUARTERLY = "monthly", "quarterly"


def kind_of_log(number: int, *, last: bool = False) -> str:
    """The kind of a person's ``number``-th log (1-based)."""
    if number < 1:
        raise ValueError("logs are numbered from 1")
    return QUARTERLY if last or (number - 1) % 3 == 0 else MONTHLY


def logs_so_far(participant: Participant) -> int:
    """Logs of this person that count towards the schedule (set-aside logs do not)."""
    return participant.logs.exclude(status=Log.Status.SET_ASIDE).count()


def instrument_code(kind: str, short: bool) -> str:
    return f"{kind}_short" if short else kind


def period_days() -> int:
    return settings.PEERLOG["REMINDER_AFTER_DAYS"]


def is_last(participant: Participant, today: dt.date | None = None) -> bool:
    """Whether a log started ``today`` is the person's last: no further log would fall due
    before their leaving date or the programme's end."""
    end = programme.end_for(participant.leaving_on)
    today = today or timezone.localdate()
    return end is not None and today + dt.timedelta(days=period_days()) > end


def due_instrument(participant: Participant, *, last: bool | None = None) -> str:
    """The definition code of the log this person fills in next, e.g. ``monthly_short``;
    quarterly when it is their last (``last``; default: :func:`is_last` today)."""
    last = is_last(participant) if last is None else last
    kind = kind_of_log(logs_so_far(participant) + 1, last=last)
    short = participant.uses_short_version or not offered_in(kind, participant.language)
    return instrument_code(kind, short)


def offered_in(code: str, language: str) -> bool:
    """Whether the form exists in the person's language: a translation may cover only the
    short forms (as the evaluation's did), and its speakers then get those."""
    from peerlog.instruments import DefinitionError, offered

    try:
        return offered(code, language)
    except DefinitionError:  # a language no longer installed: the pages fall back to English
        return True


# --- one log per due period (docs/participant-pages.md, "One log per due period") ----------

#: Days after sending a log during which the person may change it through their link.
CHANGE_DAYS = 7


def last_log(participant: Participant) -> Log | None:
    """The person's latest log that counts (paper ones too; not those set aside)."""
    return (participant.logs.exclude(status=Log.Status.SET_ASIDE)
            .order_by("-completed_on", "-received_at").first())


def counted_on(log: Log) -> dt.date:
    """The day a log counts from for due periods: an online log's day of receipt (the date
    typed on it may be earlier), a paper log's own date."""
    if log.mode == Log.Mode.ONLINE:
        return max(log.completed_on, timezone.localdate(log.received_at))
    return log.completed_on


def finished(participant: Participant, last: Log | None = None) -> bool:
    """Whether the person has sent their last log: a quarterly one in the final period before
    their end. (A monthly log sent there before the end was known leaves the last one due.)"""
    last = last or last_log(participant)
    end = programme.end_for(participant.leaving_on)
    return (last is not None and end is not None and last.kind == QUARTERLY
            and counted_on(last) + dt.timedelta(days=period_days()) > end)


def next_due_on(participant: Participant, last: Log | None = None) -> dt.date | None:
    """When the next log is due: ``PEERLOG["REMINDER_AFTER_DAYS"]`` days after the day the
    last one counts from (:func:`counted_on`), or at the person's end if that comes first;
    None: due now (no log yet), or no log is due any more (:func:`finished`)."""
    last = last or last_log(participant)
    if last is None or finished(participant, last):
        return None
    due = counted_on(last) + dt.timedelta(days=period_days())
    end = programme.end_for(participant.leaving_on)
    return min(due, max(end, counted_on(last))) if end is not None else due


def is_due(participant: Participant, today: dt.date | None = None) -> bool:
    last = last_log(participant)
    if last is None:
        return True
    due = next_due_on(participant, last)
    return due is not None and (today or timezone.localdate()) >= due


def changeable_log(participant: Participant, now: dt.datetime | None = None) -> Log | None:
    """The log the person sent online in the last ``CHANGE_DAYS`` days, if it is their latest
    and complete: the one they may still change through their link."""
    last = last_log(participant)
    now = now or timezone.now()
    if (last is None or last.mode != Log.Mode.ONLINE or last.status != Log.Status.COMPLETE
            or last.received_at < now - dt.timedelta(days=CHANGE_DAYS)):
        return None
    return last
