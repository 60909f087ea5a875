"""Which log is due for a participant (shared/design/instruments.md, "Schedule").

The first log after registering is quarterly; then one a month; every third log is quarterly
again (logs 1, 4, 7, ...), and the last log of the study is quarterly too. The short version
is used when the participant's own setting, or else their project's, says so.
"""

from __future__ import annotations

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
    return instrument_code(kind, participant.uses_short_version)
