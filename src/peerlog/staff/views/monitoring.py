"""Monitoring pages: each chart with its data table and a CSV download of the same rows."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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


class PeriodForm(forms.Form):
    """From and to dates (browsers' date pickers, no JavaScript); empty = the programme's."""

    start = forms.DateField(label=gettext_lazy("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label=gettext_lazy("To"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end date is before the start date."))
        return data


def _period(request) -> tuple[PeriodForm, monitoring.Period]:
    """The dates asked for (each kept inside the programme), or the programme's own."""
    default = monitoring.default_period()
    form = PeriodForm({"start": request.GET.get("start", ""), "end": request.GET.get("end", "")})
    if not form.is_valid():
        return form, default
    start = form.cleaned_data.get("start") or default[0]
    end = form.cleaned_data.get("end") or default[1]
    return form, monitoring.bounded((start, end))


def _raw_figures(request):
    projects = _scope(request)
    _form, period = _period(request)
    return {
        "registrations": (_("Registrations per month by region"),
                          monitoring.registrations_by_month(projects, period)),
        "logs": (_("Logs completed per month by region"),
                 monitoring.logs_by_month(projects, period)),
        "since_first": (_("Logs by month since each person's first log"),
                        monitoring.logs_since_first(projects, period=period)),
        "since_first_by_region": (_("Logs by month since first log, by region"),
                                  monitoring.logs_since_first(projects, by_region=True,
                                                              period=period)),
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


def _by_region(rows: list[list], column: int) -> list[dict]:
    """Rows grouped by their region column, in order: one collapsed section each."""
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(row[column], []).append(row)
    return [{"region": region, "rows": group} for region, group in groups.items()]


@role_required(*FIGURES)
def monitoring_page(request):
    figures = _figures(request)
    suppressed = _commissioner(request)
    period_form, (start, end) = _period(request)
    blocks = []
    for name in ("registrations", "logs", "since_first"):
        title, (header, rows) = figures[name]
        blocks.append({"name": name, "title": title, "rows": rows,
                       "header": [monitoring.column_label(h) for h in header],
                       "chart": _chart(name, title, header, rows)})
    p_title, (p_header, p_rows) = figures["projects"]
    regions = _by_region(p_rows, p_header.index("region"))
    region_names = {r["region"] for r in regions}
    overdue_col = p_header.index("overdue_now")
    project_ids = {p.name: p.pk for p in visible_projects(request.user)}
    due_list = reverse("staff:due")
    for section in regions:  # each region's own totals, for its summary line
        people = [r for r in section["rows"] if isinstance(r[p_header.index("registered")], int)]
        section["registered"] = sum(r[p_header.index("registered")] for r in people)
        section["overdue"] = sum(r[overdue_col] for r in people)
        section["lines"] = []
        for row in section["rows"]:
            cells = [{"value": v, "href": ""} for v in row[1:]]
            if not suppressed and isinstance(row[overdue_col], int) and row[overdue_col]:
                cells[overdue_col - 1]["href"] = due_list + "?" + urlencode(
                    {"project": project_ids.get(row[0], ""), "status": "overdue"})
            section["lines"].append({"name": row[0], "cells": cells})
    s_title, (s_header, s_rows) = figures["since_first_by_region"]
    totals = monitoring.totals(_scope(request), (start, end))
    if suppressed:
        totals = {k: monitoring.suppress_total(v) for k, v in totals.items()}
    visible = visible_projects(request.user).select_related("region")
    region, project = _filters(request)
    query = urlencode({k: v for k, v in (("region", region), ("project", project),
                                         ("start", request.GET.get("start", "")),
                                         ("end", request.GET.get("end", ""))) if v})
    return render(request, "staff/monitoring.html", {
        "blocks": blocks, "query": query, "totals": totals, "period_form": period_form,
        "start": start, "end": end,
        "projects_title": p_title, "project_regions": regions,
        "project_header": [monitoring.column_label(h) for h in p_header],
        "due_list": due_list,
        "since_title": s_title, "since_header": [monitoring.column_label(h)
                                                 for h in s_header[1:]],
        "since_regions": _by_region(s_rows, 0), "region_names": region_names,
        "regions": sorted({(p.region.code, p.region.name) for p in visible},
                          key=lambda r: r[1]),
        "projects": None if suppressed else visible, "region": region,
        "project": "" if project is None else str(project), "suppressed": suppressed,
        "suppress_below": monitoring.SUPPRESS_BELOW, "small": monitoring.SMALL,
        "hidden": monitoring.HIDDEN, "may_see_due": not suppressed,
        "due_after": monitoring.DUE_AFTER_DAYS, "overdue_after": monitoring.OVERDUE_AFTER_DAYS,
    })


@role_required(*FIGURES)
def monitoring_csv(request, name: str):
    figures = _figures(request)
    if name not in figures:
        raise Http404
    _title, (header, rows) = figures[name]
    return csv_response(f"peerlog-{name}.csv", header, rows)
