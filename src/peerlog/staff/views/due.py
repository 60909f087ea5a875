"""Who is due what: one row per person due or overdue a log, filterable, with a CSV.

The same people and the same definition as the home page's counts
(:func:`peerlog.staff.monitoring.due_people`), within the staff member's projects.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from peerlog.capture import audit
from peerlog.capture.personal_ids import display
from peerlog.staff import monitoring
from peerlog.staff.access import role_required, visible_projects
from peerlog.staff.views.common import ROW_LEVEL, csv_response, int_param
from peerlog.staff.views.logs import form_title

STATUSES = ("due", "overdue")


def _filtered(request: HttpRequest):
    projects = visible_projects(request.user)
    project = int_param(request.GET.get("project", ""))
    if project is not None:
        projects = projects.filter(pk=project)  # within what the user may see, never wider
    channel = request.GET.get("channel", "")
    channel = channel if channel in monitoring.CHANNEL_LABELS else ""
    status = request.GET.get("status", "")
    status = status if status in STATUSES else ""
    rows = monitoring.due_people(projects)
    if channel:
        rows = [d for d in rows if channel in d.channels]
    if status:
        rows = [d for d in rows if d.overdue == (status == "overdue")]
    return rows, {"project": "" if project is None else str(project), "channel": channel,
                  "status": status}


@role_required(*ROW_LEVEL)
def due_list(request: HttpRequest) -> HttpResponse:
    rows, chosen = _filtered(request)
    if request.GET.get("format") == "csv":
        audit.record(request.user, "due.export", "due_list", count=len(rows), **chosen)
        return csv_response(
            "peerlog-due.csv",
            ["personal_id", "project", "next_form", "channels", "last_log", "days_overdue",
             "status"],
            ([d.participant.personal_id.code, d.participant.project.name, d.next_form,
              " ".join(d.channels), d.last_log.isoformat() if d.last_log else "",
              d.days_overdue, "overdue" if d.overdue else "due"] for d in rows))
    shown = [{"due": d, "id": display(d.participant.personal_id.code),
              "form": form_title(d.next_form),
              "channels": ", ".join(str(monitoring.CHANNEL_LABELS[c]) for c in d.channels)}
             for d in rows[:500]]
    query = urlencode({k: v for k, v in chosen.items() if v})
    return render(request, "staff/due.html", {
        "rows": shown, "total": len(rows), **chosen, "query": query,
        "projects": visible_projects(request.user).order_by("name"),
        "channels": list(monitoring.CHANNEL_LABELS.items()),
    })
