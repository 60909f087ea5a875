"""Monitoring figures as plain rows: the pages, their charts and their CSV downloads all use
these functions, so a chart, its table and its download always agree.

Figures follow chapter 4 of the evaluation: registrations per month by region (figure 4.2),
logs per month by region (figure 4.3), logs by month since each person's first log, monthly
and quarterly (figure 4.4, table A4.1), and per project: retention first, then recruitment
(chapter 11 warns against recruitment league tables). Only complete logs count; people who
withdrew with removal of their data, and repeat registrations of one person, are left out.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Case, Count, F, Max, Q, QuerySet, When
from django.db.models.functions import Greatest, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerlog.capture.models import Log, Participant, Project

DUE_AFTER_DAYS = 28  # a monthly log is due four weeks after the last one (or registration)
OVERDUE_AFTER_DAYS = 56  # and overdue four weeks after that
SUPPRESS_BELOW = 5  # commissioners: no figure about fewer people (see suppress_for_commissioners)
SMALL = "<5"  # a count of 1 to 4, withheld
HIDDEN = "[c]"  # withheld so that a "<5" cannot be worked out by subtraction (ONS's marker)
MAX_MONTHS = 240  # monthly tables never run longer than twenty years, whatever the data say


def counted_participants(projects: QuerySet[Project]) -> QuerySet[Participant]:
    return (Participant.objects.filter(project__in=projects)
            .exclude(withdrawal=Participant.Withdrawal.REMOVE_DATA)
            .exclude(repeat_review__outcome="same_person"))


Period = tuple[dt.date, dt.date]


def default_period() -> Period:
    """The programme's own period: its start (setting ``PROGRAMME_START``) to today."""
    from peerlog.capture.services import programme_start

    return programme_start(), timezone.localdate()


def bounded(period: Period | None) -> Period:
    """A period asked for, kept inside the dates any log may carry (programme start to
    tomorrow): a stray date can never stretch a table across years."""
    from peerlog.capture.services import programme_start

    low, high = programme_start(), timezone.localdate() + dt.timedelta(days=1)
    start, end = period or default_period()
    return max(start, low), min(end, high)


def counted_logs(projects: QuerySet[Project], period: Period | None = None) -> QuerySet[Log]:
    """Complete logs of counted people, dated inside ``period`` and always inside the
    programme (a stray date on an old log must not stretch every table back to year 1)."""
    start, end = bounded(period)
    return Log.objects.filter(status=Log.Status.COMPLETE,
                              participant__in=counted_participants(projects),
                              completed_on__gte=start, completed_on__lte=end)


def _month(d: dt.date | dt.datetime) -> str:
    if isinstance(d, dt.datetime):
        d = timezone.localtime(d) if timezone.is_aware(d) else d
    return f"{d.year:04d}-{d.month:02d}"


def _months_between(first: str, last: str) -> list[str]:
    y, m = map(int, first.split("-"))
    months = []
    while f"{y:04d}-{m:02d}" <= last:
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def month_bounds(period: Period | None = None) -> tuple[str, str]:
    """The first and last month any monthly table shows: the period's (by default programme
    start to this month), at most ``MAX_MONTHS`` long (the most recent ones)."""
    start, end = bounded(period)
    end = min(end, timezone.localdate())
    first, last = _month(start), _month(end)
    y, m = end.year, end.month - MAX_MONTHS + 1
    while m < 1:
        y, m = y - 1, m + 12
    return max(first, f"{y:04d}-{m:02d}"), last


def _pivot(pairs: Iterable[tuple[str, str]], regions: list[str],
           period: Period | None = None) -> list[list[Any]]:
    """Rows ``[month, n_region_1, ..., total]`` for every month from the first to the last,
    within :func:`month_bounds` (figures outside them are left out)."""
    low, high = month_bounds(period)
    counts: dict[str, Counter] = defaultdict(Counter)
    for month, region in pairs:
        if low <= month <= high:
            counts[month][region] += 1
    if not counts:
        return []
    rows = []
    for month in _months_between(min(counts), max(counts)):
        row = [month] + [counts[month][r] for r in regions]
        rows.append(row + [sum(row[1:])])
    return rows


def regions_of(projects: QuerySet[Project]) -> list[str]:
    return sorted(set(projects.values_list("region__name", flat=True)))


def registrations_by_month(projects: QuerySet[Project], period: Period | None = None
                           ) -> tuple[list[str], list[list[Any]]]:
    """Figure 4.2: header and rows (month, one column per region, total)."""
    regions = regions_of(projects)
    start, end = bounded(period)
    people = counted_participants(projects).filter(
        registered_at__date__gte=start, registered_at__date__lte=end)
    pairs = ((_month(at), region) for at, region in people
             .values_list("registered_at", "project__region__name").iterator())
    return ["month", *regions, "total"], _pivot(pairs, regions, period)


def logs_by_month(projects: QuerySet[Project], period: Period | None = None
                  ) -> tuple[list[str], list[list[Any]]]:
    """Figure 4.3: complete logs per calendar month of completion, by region."""
    regions = regions_of(projects)
    pairs = ((_month(on), region) for on, region in counted_logs(projects, period)
             .values_list("completed_on", "participant__project__region__name").iterator())
    return ["month", *regions, "total"], _pivot(pairs, regions, period)


def logs_since_first(projects: QuerySet[Project], by_region: bool = False,
                     period: Period | None = None) -> tuple[list[str], list[list[Any]]]:
    """Figure 4.4 / table A4.1: logs by each person's k-th log (the evaluation's "month k"),
    quarterly and monthly; by region for table A4.1.

    Numbered by :func:`peerlog.analysis.sequence.log_sequence`, as the analysis numbers them:
    same-day duplicates count once, and when the view covers every project, unregistered
    logs (which belong to no project) count too, under their typed ID, as in the export.
    Logs dated outside the programme are left out, as in every monthly table; with a
    ``period``, logs outside it are left out (each person's logs are numbered within it).
    """
    from peerlog.analysis.sequence import log_sequence
    from peerlog.export.contract import removed_ids

    start, end = bounded(period)
    logs = Log.objects.filter(status=Log.Status.COMPLETE, completed_on__gte=start,
                              completed_on__lte=end)
    counted = Q(participant__in=counted_participants(projects))
    if not Project.objects.exclude(pk__in=projects.values("pk")).exists():
        counted |= Q(participant__isnull=True) & ~Q(typed_personal_id__in=removed_ids())
    rows = list(logs.filter(counted).order_by("completed_on", "received_at", "id").values_list(
        "participant__personal_id__code", "typed_personal_id", "completed_on", "received_at",
        "kind", "participant__project__region__name"))
    number = log_sequence([code or typed for code, typed, *_rest in rows],
                          [r[2] for r in rows], [r[3] for r in rows])
    unregistered = str(_("(unregistered)"))
    counts: dict[tuple, Counter] = defaultdict(Counter)
    for k, (code, _typed, _on, _at, kind, region) in zip(number, rows, strict=True):
        if k is not None:
            place = (region if code else unregistered) if by_region else ""
            counts[(place, k)][kind] += 1
    header = (["region"] if by_region else []) + ["month_since_first", "quarterly", "monthly",
                                                  "total"]
    out = []
    for (region, index) in sorted(counts):
        c = counts[(region, index)]
        row = [index, c["quarterly"], c["monthly"], c["quarterly"] + c["monthly"]]
        out.append(([region] if by_region else []) + row)
    return header, out


# What the pages show for each column code (CSV downloads keep the codes, which are stable).
COLUMN_LABELS = {
    "project": _("Project"), "region": _("Region"), "month": _("Month"),
    "total": _("Total"), "month_since_first": _("Log number (month since first log)"),
    "quarterly": _("Quarterly"), "monthly": _("Monthly"),
    "retention_pct": _("Retention: % with 2+ logs"),
    "logged_last_2_months": _("Logged in the last 2 months"),
    "with_2plus_logs": _("With 2+ logs"), "with_1plus_logs": _("With 1+ logs"),
    "registered": _("Registered"), "due_now": _("Due now"), "overdue_now": _("Overdue now"),
}


def column_label(code: str) -> str:
    """A column's label on the page; region names and other data columns stay as they are."""
    return str(COLUMN_LABELS.get(code, code))


PROJECT_HEADER = ["project", "region", "retention_pct", "logged_last_2_months", "with_2plus_logs",
                  "with_1plus_logs", "registered", "due_now", "overdue_now"]


def project_table(projects: QuerySet[Project], today: dt.date | None = None,
                  suppress: bool = False) -> tuple[list[str], list[list[Any]]]:
    """Per project: retention first (share of registered people with 2+ logs; people who
    logged in the last two months), then recruitment, then who is due and overdue now.

    Due and overdue: exactly the people of the due list (:func:`due_people`), so the figure
    and the list it links to always agree. With ``suppress``, projects with fewer than five registered
    people show no figures (commissioners see aggregates, never a handful of people).
    """
    today = today or timezone.localdate()
    recent = today - dt.timedelta(days=61)
    people = (counted_participants(projects)
              .annotate(n_logs=Count("logs", filter=Q(logs__status=Log.Status.COMPLETE)),
                        last_log=Max("logs__completed_on",
                                     filter=Q(logs__status=Log.Status.COMPLETE)))
              .values_list("project_id", "n_logs", "last_log"))
    stats: dict[int, Counter] = defaultdict(Counter)
    for project_id, n_logs, last_log in people.iterator():
        s = stats[project_id]
        s["registered"] += 1
        s["one"] += n_logs >= 1
        s["two"] += n_logs >= 2
        s["recent"] += bool(last_log and last_log >= recent)
    for d in due_people(projects, today):  # one definition of due: the due list's
        stats[d.participant.project_id]["overdue" if d.overdue else "due"] += 1
    rows = []
    for project in projects.select_related("region").order_by("region__name", "name"):
        s = stats[project.pk]
        if suppress and s["registered"] < SUPPRESS_BELOW:
            rows.append([project.name, project.region.name] + [""] * 7)
            continue
        retention = round(100 * s["two"] / s["registered"]) if s["registered"] else ""
        rows.append([project.name, project.region.name, retention, s["recent"], s["two"],
                     s["one"], s["registered"], s["due"], s["overdue"]])
    return PROJECT_HEADER, rows


TOTAL_COLUMNS = ("registered", "with_1plus_logs", "with_2plus_logs", "logged_last_2_months",
                 "due_now", "overdue_now")


def totals(projects: QuerySet[Project], period: Period | None = None,
           today: dt.date | None = None) -> dict[str, Any]:
    """The programme's (or the view's) headline figures, shown before anything else:
    the project table's columns summed, retention over them, and complete logs in the period."""
    header, rows = project_table(projects, today=today)
    sums = {c: sum(r[header.index(c)] for r in rows) for c in TOTAL_COLUMNS}
    sums["retention_pct"] = (round(100 * sums["with_2plus_logs"] / sums["registered"])
                             if sums["registered"] else "")
    sums["logs_in_period"] = counted_logs(projects, period).count()
    return sums


def suppress_total(value: Any) -> Any:
    """A headline count as commissioners see it (1 to 4 shown as ``SMALL``)."""
    return SMALL if _small(value) else value


# --- Small numbers: what commissioners see ---------------------------------------------

LABEL_COLUMNS = frozenset({"month", "region", "project", "month_since_first"})
# Project-table columns that count people, as (subset, superset) pairs: the difference of
# two shown figures is itself a count of people and must not be 1-4 either.
NESTED = (("with_2plus_logs", "with_1plus_logs"), ("with_1plus_logs", "registered"),
          ("with_2plus_logs", "registered"), ("logged_last_2_months", "with_1plus_logs"),
          ("logged_last_2_months", "registered"))


def _small(value: Any) -> bool:
    return isinstance(value, int) and 0 < value < SUPPRESS_BELOW


def suppress_for_commissioners(name: str, header: list[str], rows: list[list[Any]]
                               ) -> list[list[Any]]:
    """The rows a commissioner sees: no figure about fewer than five people, by any route.

    1. Primary: every count of 1 to 4 is shown as ``"<5"`` (0 is shown: it is about no one).
    2. Totals: a row's total is withheld (``"[c]"``) when any count in the row is, else the
       total minus the others would give it back.
    3. Projects: a project with fewer than 5 counted people shows no figures; within a
       shown project, a figure is withheld when it differs from a larger figure it is part
       of by 1 to 4 (registered minus "with 1+ logs" is people with no log), and retention
       with it. In each region, further projects (smallest first) are withheld until the
       withheld ones hold at least 5 people together, so that region totals from the other
       tables minus the shown projects never give a small project's figures.
    4. The views give commissioners no single-project filter (a project's figures minus a
       region's would be a difference of small numbers); a region filter is allowed, as
       its columns are the same as in the unfiltered tables.

    CSV downloads carry the same markers as the pages; charts draw withheld cells as 0.
    """
    if name == "projects":
        return _suppress_projects(header, rows)
    counts = [i for i, h in enumerate(header) if h not in LABEL_COLUMNS and h != "total"]
    total = header.index("total") if "total" in header else None
    out = []
    for row in rows:
        row = list(row)
        hidden = False
        for i in counts:
            if _small(row[i]):
                row[i], hidden = SMALL, True
        if total is not None:
            if _small(row[total]):
                row[total] = SMALL
            elif hidden:
                row[total] = HIDDEN
        out.append(row)
    return out


def _suppress_projects(header: list[str], rows: list[list[Any]]) -> list[list[Any]]:
    col = {h: i for i, h in enumerate(header)}
    figures = [i for i, h in enumerate(header) if h not in LABEL_COLUMNS]
    registered = col["registered"]
    withheld = [_small(r[registered]) for r in rows]
    # Secondary suppression across projects of one region.
    by_region: dict[Any, list[int]] = defaultdict(list)
    for n, r in enumerate(rows):
        by_region[r[col["region"]]].append(n)
    for members in by_region.values():
        held = sum(rows[n][registered] or 0 for n in members if withheld[n])
        if not any(withheld[n] and (rows[n][registered] or 0) > 0 for n in members):
            continue
        for n in sorted((n for n in members if not withheld[n]),
                        key=lambda n: rows[n][registered]):
            if held >= SUPPRESS_BELOW:
                break
            withheld[n] = True
            held += rows[n][registered]
    out = []
    for n, row in enumerate(rows):
        row = list(row)
        if withheld[n]:
            # Fewer than five people: no figures (blank); withheld for the others: "[c]".
            fill = "" if _small(row[registered]) else HIDDEN
            out.append([row[i] if i not in figures else fill for i in range(len(row))])
            continue
        for small_col, big_col in NESTED:
            a, b = row[col[small_col]], row[col[big_col]]
            if isinstance(a, int) and isinstance(b, int) and _small(b - a):
                row[col[small_col]] = HIDDEN
        for i in figures:
            if _small(row[i]) and header[i] != "retention_pct":
                row[i] = SMALL
        if not isinstance(row[col["with_2plus_logs"]], int):
            row[col["retention_pct"]] = HIDDEN
        out.append(row)
    return out


# --- Who is due a log now, person by person ----------------------------------------------

CHANNELS = ("email", "sms", "post")
NO_CHANNEL = "none"
CHANNEL_LABELS = {"email": _("Email"), "sms": _("Text message"), "post": _("Post"),
                  NO_CHANNEL: _("No reminders")}


@dataclass(frozen=True)
class DuePerson:
    """One person due (or overdue) a log: what the home page counts and the due list shows."""

    participant: Participant
    next_form: str  # instrument code, e.g. "monthly_short"
    channels: tuple[str, ...]  # chosen reminder channels, or ("none",)
    last_log: dt.date | None
    days: int  # since the last log (or registration)

    @property
    def overdue(self) -> bool:
        return self.days >= OVERDUE_AFTER_DAYS

    @property
    def days_overdue(self) -> int:
        """Days past the due date (0 on the day a log falls due)."""
        return self.days - DUE_AFTER_DAYS


def reminder_channels(person: Participant) -> tuple[str, ...]:
    contact = getattr(person, "contact", None)
    if not person.consent_reminders or contact is None or contact.reminders_opt_out:
        return (NO_CHANNEL,)
    chosen = tuple(c for c in CHANNELS if c in (contact.channels or ()))
    return chosen or (NO_CHANNEL,)


#: A log's day in the schedule, as :func:`peerlog.capture.schedule.counted_on` says: an online
#: log counts from the day it was received when that is later than the date typed on it.
COUNTED_ON = Case(
    When(logs__mode=Log.Mode.ONLINE,
         then=Greatest("logs__completed_on", TruncDate("logs__received_at"))),
    default=F("logs__completed_on"),
)


def due_people(projects: QuerySet[Project], today: dt.date | None = None) -> list[DuePerson]:
    """Everyone taking part whose last log (or registration) is ``DUE_AFTER_DAYS`` or more
    days old, most overdue first.

    Logs are counted as the reminder schedule counts them (every log but those set aside, so
    a paper log held for second entry counts as logged), and the next form is the one their
    personal link would open (:func:`peerlog.capture.schedule.kind_of_log`).
    """
    from peerlog.capture.schedule import instrument_code, is_last, kind_of_log

    today = today or timezone.localdate()
    counted = ~Q(logs__status=Log.Status.SET_ASIDE) & Q(logs__isnull=False)
    people = (counted_participants(projects).filter(withdrawal="")
              .select_related("personal_id", "project", "contact")
              .annotate(n_logs=Count("logs", filter=counted),
                        last_log=Max(COUNTED_ON, filter=counted)))
    out = []
    for person in people.iterator():
        since = person.last_log or timezone.localtime(person.registered_at).date()
        days = (today - since).days
        if days < DUE_AFTER_DAYS:
            continue
        form = instrument_code(kind_of_log(person.n_logs + 1, last=is_last(person, today)),
                              person.uses_short_version)
        out.append(DuePerson(person, form, reminder_channels(person), person.last_log, days))
    out.sort(key=lambda d: (-d.days, d.participant.personal_id.code))
    return out


def due_counts(due: Iterable[DuePerson]) -> list[dict[str, Any]]:
    """Per channel (a person with two channels counts in both): due and overdue."""
    counts = {c: Counter() for c in (*CHANNELS, NO_CHANNEL)}
    for d in due:
        for c in d.channels:
            counts[c]["overdue" if d.overdue else "due"] += 1
    return [{"channel": c, "label": CHANNEL_LABELS[c], "due": n["due"],
             "overdue": n["overdue"]} for c, n in counts.items()]


def due_status(person: Participant, today: dt.date | None = None) -> dict[str, Any]:
    """One person's place in the schedule, by the rule of :func:`due_people`: last log,
    days since, whether due or overdue, the next form and the channels a reminder uses."""
    from peerlog.capture.schedule import counted_on, instrument_code, is_last, kind_of_log

    today = today or timezone.localdate()
    counted = person.logs.exclude(status=Log.Status.SET_ASIDE)
    last = max((counted_on(log) for log in counted.only("mode", "completed_on", "received_at")),
               default=None)
    since = last or timezone.localtime(person.registered_at).date()
    days = (today - since).days
    form = instrument_code(kind_of_log(counted.count() + 1, last=is_last(person, today)),
                          person.uses_short_version)
    if person.withdrawal:
        state = "withdrawn"
    elif days >= OVERDUE_AFTER_DAYS:
        state = "overdue"
    elif days >= DUE_AFTER_DAYS:
        state = "due"
    else:
        state = "not_yet"
    return {"last_log": last, "days": days, "state": state, "next_form": form,
            "due_on": since + dt.timedelta(days=DUE_AFTER_DAYS),
            "channels": reminder_channels(person)}
