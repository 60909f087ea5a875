"""The data-quality queue: each problem with its reason, and the counts of usable logs.

Problems come from the flags :func:`peerlog.capture.services.store_log` puts on each log
(unregistered ID, ticks, same-day duplicate), from checks of implausible values, and from
registrations that look like a person registering again. A problem leaves the queue when
someone decides it (a :class:`~peerlog.staff.models.QualityReview` or
:class:`~peerlog.staff.models.RepeatRegistration`); the decision and any change to the log
are in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from peerlog.capture.models import Log, Participant
from peerlog.capture.services import OUT_OF_SCOPE_ID, SAME_DAY_DUPLICATE, TICKS, UNREGISTERED_ID
from peerlog.instruments import TICKED
from peerlog.staff.access import role_of, visible_participants, visible_projects
from peerlog.staff.models import QualityReview, Role

OUT_OF_RANGE = "out_of_range"
REPEAT_REGISTRATION = "repeat_registration"

REASONS = {
    UNREGISTERED_ID: _("Log with an ID no one registered"),
    REPEAT_REGISTRATION: _("A person registering again"),
    SAME_DAY_DUPLICATE: _("Two logs of one person on the same day"),
    OUT_OF_RANGE: _("Implausible value"),
    TICKS: _("Peer support ticked instead of counted"),
}

# Shown only to central researchers (who may match anywhere): to anyone else such a log is
# exactly like one with an ID no one registered, so it reveals nothing about other projects.
OUT_OF_SCOPE_LABEL = _("ID registered in a project outside the typist's scope")

# Plausibility limits (a value above them is kept but queued for a look at the paper).
FLAG_REASONS = (UNREGISTERED_ID, SAME_DAY_DUPLICATE, TICKS)
MAX_PLAUSIBLE_COUNT = 100  # times of one kind of peer support in one month
MAX_PLAUSIBLE_PROJECTS = 20
# A registration looks repeated when these answers are all given and all the same as an
# earlier registration's in the same project.
FINGERPRINT = ("age_band", "gender", "transgender_history", "sexual_orientation", "ethnicity",
               "area", "uses_mh_services", "physical_condition", "learning_disability")


@dataclass
class Problem:
    reason: str
    label: str
    log: Log | None = None
    participant: Participant | None = None
    same_as: Participant | None = None
    detail: str = ""


def visible_logs(user: Any) -> QuerySet[Log]:
    """Logs a staff member may see: their projects' participants', and unregistered paper logs
    entered for their projects (central researchers: every log)."""
    if role_of(user) == Role.CENTRAL_RESEARCHER:
        return Log.objects.all()
    if role_of(user) not in (Role.COORDINATOR, Role.REGIONAL_RESEARCHER):
        return Log.objects.none()
    projects = visible_projects(user)
    return Log.objects.filter(
        Q(participant__project__in=projects)
        | Q(participant__isnull=True, paper_entries__kind="first",
            paper_entries__project__in=projects)
    ).distinct()


def implausible(log: Log) -> list[str]:
    """What is implausible about a log's values (empty when nothing is)."""
    found = []
    for code, value in log.answers.items():
        if value == TICKED or not isinstance(value, int):
            continue
        if code.startswith("ps_") and value > MAX_PLAUSIBLE_COUNT:
            found.append(f"{code}={value}")
        if code == "projects_attended" and value > MAX_PLAUSIBLE_PROJECTS:
            found.append(f"{code}={value}")
    received = log.received_at.date() if log.received_at else None
    if received and log.completed_on > received + dt.timedelta(days=1):
        found.append(f"completed_on={log.completed_on.isoformat()} (after it was received)")
    return found


def implausible_words(log: Log) -> str:
    """What is implausible about a log, in the words of the form ("Peer support groups:
    given: 400"), for pages; :func:`implausible` keeps the codes."""
    from peerlog.staff.layout import instrument_for

    try:
        items = instrument_for(log.instrument).items
    except Exception:  # a retired definition: the codes are all there is
        items = {}
    words = []
    for found in implausible(log):
        code, _sep, value = found.partition("=")
        if code == "completed_on":
            words.append(str(_("date completed %(date)s is after the log was received")
                             % {"date": log.completed_on.strftime("%d/%m/%Y")}))
        else:
            item = items.get(code)
            words.append(f"{item.text if item else code}: {value}")
    return "; ".join(words)


def repeat_registrations(user: Any) -> list[tuple[Participant, Participant]]:
    """(later, first) pairs of registrations with the same answers in the same project."""
    people = visible_participants(user).filter(repeat_review__isnull=True)
    complete = Q()
    for name in FINGERPRINT:
        complete &= ~Q(**{name: ""})
    groups = (visible_participants(user).filter(complete).values("project", *FINGERPRINT)
              .annotate(n=Count("pk"), first=Min("registered_at")).filter(n__gt=1))
    pairs = []
    for g in groups:
        same = people.filter(project=g["project"], **{f: g[f] for f in FINGERPRINT})
        members = list(visible_participants(user).filter(
            project=g["project"], **{f: g[f] for f in FINGERPRINT}
        ).order_by("registered_at", "pk").select_related("personal_id", "project"))
        first = members[0]
        for p in same.exclude(pk=first.pk).select_related("personal_id", "project"):
            pairs.append((p, first))
    return pairs


def queue(user: Any, limit: int = 500) -> list[Problem]:
    """Open problems a staff member may act on, oldest first within each reason."""
    logs = visible_logs(user).exclude(status=Log.Status.SET_ASIDE).select_related(
        "participant__personal_id")
    reviewed = set(QualityReview.objects.filter(log__in=logs).values_list("log_id", "reason"))
    problems: list[Problem] = []
    flagged = Q()
    for reason in FLAG_REASONS:
        flagged |= _has_flag(reason)
    by_reason: dict[str, list[Problem]] = {reason: [] for reason in FLAG_REASONS}
    central = role_of(user) == Role.CENTRAL_RESEARCHER
    for log in logs.filter(flagged).iterator():
        for reason in FLAG_REASONS:
            if reason in log.flags and (log.pk, reason) not in reviewed:
                detail = (str(OUT_OF_SCOPE_LABEL) if central and reason == UNREGISTERED_ID
                          and OUT_OF_SCOPE_ID in log.flags else "")
                by_reason[reason].append(Problem(reason, str(REASONS[reason]), log=log,
                                                 detail=detail))
    for reason in FLAG_REASONS:
        problems.extend(by_reason[reason])
    for later, first in repeat_registrations(user):
        problems.append(Problem(REPEAT_REGISTRATION, str(REASONS[REPEAT_REGISTRATION]),
                                participant=later, same_as=first))
    for log in _maybe_implausible(logs.filter(status=Log.Status.COMPLETE)).iterator():
        found = implausible(log)
        if found and (log.pk, OUT_OF_RANGE) not in reviewed:
            problems.append(Problem(OUT_OF_RANGE, str(REASONS[OUT_OF_RANGE]), log=log,
                                    detail=implausible_words(log)))
    return problems[:limit]


def _maybe_implausible(logs: QuerySet[Log]) -> QuerySet[Log]:
    """A database-side pre-filter for :func:`implausible` (which has the last word), so the
    queue does not read every log's answers."""
    from django.db.models import F
    from django.db.models.functions import TruncDate

    from peerlog.export.contract import PS_COLUMNS

    wanted = Q(completed_on__gt=F("received_on"))
    for code in PS_COLUMNS:
        wanted |= Q(**{f"answers__{code}__gt": MAX_PLAUSIBLE_COUNT})
    wanted |= Q(answers__projects_attended__gt=MAX_PLAUSIBLE_PROJECTS)
    return logs.annotate(received_on=TruncDate("received_at")).filter(wanted)


def _has_flag(reason: str) -> Q:
    """Logs whose flags list holds ``reason``, asked of the database: JSON containment where
    the database has it (PostgreSQL), else a match on the stored JSON text (SQLite)."""
    from django.db import connection

    if connection.features.supports_json_field_contains:
        return Q(flags__contains=[reason])
    return Q(flags__icontains=f'"{reason}"')


# --- Usable and unusable logs -----------------------------------------------------------

USABLE = "usable"
CLASSES = {
    USABLE: _("Usable"),
    "usable_with_ticks": _("Usable, peer support ticked (counts missing)"),
    "held": _("Unusable: held for double entry"),
    UNREGISTERED_ID: _("Unusable: ID not registered"),
    "set_aside": _("Unusable: set aside"),
    "withdrawn": _("Unusable: withdrawn, data removed"),
}


def classify(status: str, participant_id: int | None, withdrawal: str | None,
             flags: list[str]) -> str:
    if status == Log.Status.SET_ASIDE:
        return "set_aside"
    if status == Log.Status.HELD:
        return "held"
    if participant_id is None:
        return UNREGISTERED_ID
    if withdrawal == Participant.Withdrawal.REMOVE_DATA:
        return "withdrawn"
    if TICKS in flags:
        return "usable_with_ticks"
    return USABLE


def usable_counts(user: Any) -> list[dict[str, Any]]:
    """One row per project (and one for logs of no known project): counts by class."""
    names = dict(visible_projects(user).values_list("pk", "name"))
    first_entry_project = dict(
        visible_logs(user).filter(participant__isnull=True, paper_entries__kind="first")
        .values_list("pk", "paper_entries__project"))
    counts: dict[Any, Counter] = defaultdict(Counter)
    rows = visible_logs(user).values_list("pk", "status", "participant_id",
                                          "participant__project_id",
                                          "participant__withdrawal", "flags")
    for pk, status, pid, project_id, withdrawal, flags in rows.iterator():
        project = project_id or first_entry_project.get(pk)
        counts[project][classify(status, pid, withdrawal, flags or [])] += 1
    result = []
    for project in sorted(counts, key=lambda p: (p is None, names.get(p, ""))):
        c = counts[project]
        usable = c[USABLE] + c["usable_with_ticks"]
        result.append({"project": names.get(project, str(_("No project known"))),
                       "counts": [c[k] for k in CLASSES], "usable": usable,
                       "total": sum(c.values())})
    return result


def open_count(user: Any) -> int:
    return len(queue(user))
