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
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerlog.capture.models import Log, Participant, Project

DUE_AFTER_DAYS = 28  # a monthly log is due four weeks after the last one (or registration)
OVERDUE_AFTER_DAYS = 56  # and overdue four weeks after that
SUPPRESS_BELOW = 5  # commissioners: projects with fewer registered people are not shown


def counted_participants(projects: QuerySet[Project]) -> QuerySet[Participant]:
    return (Participant.objects.filter(project__in=projects)
            .exclude(withdrawal=Participant.Withdrawal.REMOVE_DATA)
            .exclude(repeat_review__outcome="same_person"))


def counted_logs(projects: QuerySet[Project]) -> QuerySet[Log]:
    return Log.objects.filter(status=Log.Status.COMPLETE,
                              participant__in=counted_participants(projects))


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


def _pivot(pairs: Iterable[tuple[str, str]], regions: list[str]) -> list[list[Any]]:
    """Rows ``[month, n_region_1, ..., total]`` for every month from the first to the last."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for month, region in pairs:
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


def registrations_by_month(projects: QuerySet[Project]) -> tuple[list[str], list[list[Any]]]:
    """Figure 4.2: header and rows (month, one column per region, total)."""
    regions = regions_of(projects)
    pairs = ((_month(at), region) for at, region in counted_participants(projects)
             .values_list("registered_at", "project__region__name").iterator())
    return ["month", *regions, "total"], _pivot(pairs, regions)


def logs_by_month(projects: QuerySet[Project]) -> tuple[list[str], list[list[Any]]]:
    """Figure 4.3: complete logs per calendar month of completion, by region."""
    regions = regions_of(projects)
    pairs = ((_month(on), region) for on, region in counted_logs(projects)
             .values_list("completed_on", "participant__project__region__name").iterator())
    return ["month", *regions, "total"], _pivot(pairs, regions)


def logs_since_first(projects: QuerySet[Project], by_region: bool = False
                     ) -> tuple[list[str], list[list[Any]]]:
    """Figure 4.4 / table A4.1: logs by each person's k-th log (the evaluation's "month k"),
    quarterly and monthly; by region for table A4.1.

    Numbered by :func:`peerlog.analysis.sequence.log_sequence`, as the analysis numbers them:
    same-day duplicates count once, and when the view covers every project, unregistered
    logs (which belong to no project) count too, under their typed ID.
    """
    from peerlog.analysis.sequence import log_sequence

    logs = Log.objects.filter(status=Log.Status.COMPLETE)
    counted = Q(participant__in=counted_participants(projects))
    if not Project.objects.exclude(pk__in=projects.values("pk")).exists():
        counted |= Q(participant__isnull=True)
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

    Due: taking part (not withdrawn), and the last log (or registration) was 28-55 days ago;
    overdue: 56 days or more. With ``suppress``, projects with fewer than five registered
    people show no figures (commissioners see aggregates, never a handful of people).
    """
    today = today or timezone.localdate()
    recent = today - dt.timedelta(days=61)
    people = (counted_participants(projects)
              .annotate(n_logs=Count("logs", filter=Q(logs__status=Log.Status.COMPLETE)),
                        last_log=Max("logs__completed_on",
                                     filter=Q(logs__status=Log.Status.COMPLETE)))
              .values_list("project_id", "n_logs", "last_log", "registered_at", "withdrawal"))
    stats: dict[int, Counter] = defaultdict(Counter)
    for project_id, n_logs, last_log, registered_at, withdrawal in people.iterator():
        s = stats[project_id]
        s["registered"] += 1
        s["one"] += n_logs >= 1
        s["two"] += n_logs >= 2
        s["recent"] += bool(last_log and last_log >= recent)
        if not withdrawal:
            since = last_log or timezone.localtime(registered_at).date()
            days = (today - since).days
            s["due"] += DUE_AFTER_DAYS <= days < OVERDUE_AFTER_DAYS
            s["overdue"] += days >= OVERDUE_AFTER_DAYS
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
