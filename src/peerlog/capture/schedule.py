"""Which log is due for a participant (shared/design/instruments.md, "Schedule").

The first log after registering is quarterly; then one a month; every third log is quarterly
again (logs 1, 4, 7, ...), and the last log of the study is quarterly too. The short version
is used when the participant's own setting, or else their project's, says so.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

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


def due_instrument(participant: Participant, *, last: bool = False) -> str:
    """The definition code of the log this person fills in next, e.g. ``monthly_short``."""
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


def next_due_on(participant: Participant, last: Log | None = None) -> dt.date | None:
    """When the next log is due: ``PEERLOG["REMINDER_AFTER_DAYS"]`` days after the date of
    the last one (the reminders' own rule, :mod:`peerlog.outreach.schedule`); None: due now
    (no log yet)."""
    last = last or last_log(participant)
    if last is None:
        return None
    return last.completed_on + dt.timedelta(days=settings.PEERLOG["REMINDER_AFTER_DAYS"])


def is_due(participant: Participant, today: dt.date | None = None) -> bool:
    due = next_due_on(participant)
    return due is None or (today or timezone.localdate()) >= due


def changeable_log(participant: Participant, now: dt.datetime | None = None) -> Log | None:
    """The log the person sent online in the last ``CHANGE_DAYS`` days, if it is their latest
    and complete: the one they may still change through their link."""
    last = last_log(participant)
    now = now or timezone.now()
    if (last is None or last.mode != Log.Mode.ONLINE or last.status != Log.Status.COMPLETE
            or last.received_at < now - dt.timedelta(days=CHANGE_DAYS)):
        return None
    return last
