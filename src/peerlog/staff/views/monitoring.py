"""Monitoring pages: each chart with its data table and a CSV download of the same rows."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from peerlog.staff import monitoring
from peerlog.staff.access import role_of, role_required, visible_projects
from peerlog.staff.charts import stacked_bars
from peerlog.staff.models import Role
from peerlog.staff.views.common import FIGURES, csv_response, int_param, text_param


def _commissioner(request) -> bool:
    return role_of(request.user) == Role.COMMISSIONER


def _filters(request) -> tuple[str, int | None]:
    """?region= (a region code) and ?project= (an id); commissioners get no project filter
    (see :func:`peerlog.staff.monitoring.suppress_for_commissioners`)."""
    region = text_param(request.GET.get("region", ""), 50)
    project = None if _commissioner(request) else int_param(request.GET.get("project", ""))
    return region, project


def _scope(request):
    """The projects in view: all the user may see, narrowed by ?region= or ?project=."""
    projects = visible_projects(request.user)
    region, project = _filters(request)
    if region:
        projects = projects.filter(region__code=region)
    if project is not None:
        projects = projects.filter(pk=project)
    return projects


def _figures(request):
    """Each figure as (title, (header, rows)); for commissioners with small numbers withheld."""
    figures = _raw_figures(request)
    if _commissioner(request):
        figures = {name: (title, (header, monitoring.suppress_for_commissioners(
            name, header, rows))) for name, (title, (header, rows)) in figures.items()}
    return figures


def _raw_figures(request):
    projects = _scope(request)
    return {
        "registrations": (_("Registrations per month by region"),
                          monitoring.registrations_by_month(projects)),
        "logs": (_("Logs completed per month by region"), monitoring.logs_by_month(projects)),
        "since_first": (_("Logs by month since each person's first log"),
                        monitoring.logs_since_first(projects)),
        "since_first_by_region": (_("Logs by month since first log, by region"),
                                  monitoring.logs_since_first(projects, by_region=True)),
        "projects": (_("Projects: retention, then recruitment, and who is due now"),
                     monitoring.project_table(projects)),
    }


def _number(cell) -> int:
    """A cell as a bar height: withheld cells ("<5", "[c]") are not drawn."""
    return cell if isinstance(cell, int) else 0


def _chart(name, title, header, rows):
    if not rows:
        return None
    rows = [[r[0], *(_number(c) for c in r[1:])] for r in rows]
    if name == "since_first":
        cats = [str(r[0]) for r in rows]
        series = [(_("quarterly"), [r[1] for r in rows]), (_("monthly"), [r[2] for r in rows])]
    else:
        cats = [r[0] for r in rows]
        series = [(region, [r[i + 1] for r in rows]) for i, region in enumerate(header[1:-1])]
    return stacked_bars(f"chart-{name}", title, cats, series, table_id=f"table-{name}")


@role_required(*FIGURES)
def monitoring_page(request):
    figures = _figures(request)
    blocks = []
    # Retention first: chapter 11 warns against recruitment league tables.
    for name in ("projects", "registrations", "logs", "since_first", "since_first_by_region"):
        title, (header, rows) = figures[name]
        chart = _chart(name, title, header, rows) if name in (
            "registrations", "logs", "since_first") else None
        blocks.append({"name": name, "title": title,
                       "header": [monitoring.column_label(h) for h in header], "rows": rows,
                       "chart": chart})
    visible = visible_projects(request.user).select_related("region")
    region, project = _filters(request)
    query = urlencode({k: v for k, v in (("region", region), ("project", project)) if v})
    suppressed = _commissioner(request)
    return render(request, "staff/monitoring.html", {
        "blocks": blocks, "query": query,
        "regions": sorted({(p.region.code, p.region.name) for p in visible},
                          key=lambda r: r[1]),
        "projects": None if suppressed else visible, "region": region,
        "project": "" if project is None else str(project), "suppressed": suppressed,
        "suppress_below": monitoring.SUPPRESS_BELOW, "small": monitoring.SMALL,
        "hidden": monitoring.HIDDEN,
        "due_after": monitoring.DUE_AFTER_DAYS, "overdue_after": monitoring.OVERDUE_AFTER_DAYS,
    })


@role_required(*FIGURES)
def monitoring_csv(request, name: str):
    figures = _figures(request)
    if name not in figures:
        raise Http404
    _title, (header, rows) = figures[name]
    return csv_response(f"peerlog-{name}.csv", header, rows)
