"""The home page: what needs doing, per role, each figure linking to the page that acts on it.

Coordinators and researchers see who is due and overdue (by channel), paper logs waiting for
a second entry or a resolution, open data-quality problems and outbox messages that need a
person, all within their scope; commissioners see headline figures (suppressed) and the
report; administrators see accounts needing attention.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerlog.capture.models import Log
from peerlog.staff import monitoring, quality
from peerlog.staff.access import role_of, role_required, visible_projects
from peerlog.staff.models import Role, StaffProfile, TotpDevice
from peerlog.staff.views.common import ADMIN, COMMISSIONER, EVERYONE, ROW_LEVEL


def paper_waiting(projects) -> dict[str, int]:
    """Held paper logs of ``projects``: awaiting a second entry, and entries that differ."""
    held = Log.objects.filter(status=Log.Status.HELD, paper_entries__project__in=projects)
    return {
        "second": held.filter(paper_entries__kind="first")
        .exclude(paper_entries__kind="second").distinct().count(),
        "resolve": held.filter(paper_entries__kind="second")
        .exclude(paper_entries__kind="resolution").distinct().count(),
    }


def messages_needing_staff(projects) -> int | None:
    """Outbox messages in doubt or given up (``Message.needs_staff``); None without outreach."""
    try:
        from peerlog.outreach.models import Message
    except ImportError:  # pragma: no cover - outreach is part of every install today
        return None
    return (Message.objects.filter(participant__project__in=projects)
            .filter(Q(state=Message.State.IN_DOUBT)
                    | Q(state=Message.State.FAILED, next_attempt_at__isnull=True)).count())


def headline(projects) -> list[dict[str, Any]]:
    """Programme-wide figures for commissioners, each withheld when about 1-4 people."""
    _header, rows = monitoring.project_table(projects)
    registered = sum(r[6] for r in rows)
    one, two = sum(r[5] for r in rows), sum(r[4] for r in rows)
    recent = sum(r[3] for r in rows)
    month_start = timezone.localdate().replace(day=1)
    logs_month = monitoring.counted_logs(projects).filter(completed_on__gte=month_start).count()
    figures = [
        ("registered", registered), ("with_1plus_logs", one), ("with_2plus_logs", two),
        ("logged_last_2_months", recent), ("logs_this_month", logs_month),
    ]
    raw = dict(figures)
    shown_values: dict[str, Any] = dict(figures)
    # A figure 1-4 below a figure it is part of would tell that many people apart.
    for part, whole in monitoring.NESTED:
        difference = raw[whole] - raw[part]
        if 0 < difference < monitoring.SUPPRESS_BELOW:
            shown_values[part] = monitoring.HIDDEN
    figures = list(shown_values.items())
    labels = dict(monitoring.COLUMN_LABELS)
    labels["logs_this_month"] = _("Complete logs this month")
    shown = []
    for code, value in figures:
        if value != monitoring.HIDDEN and monitoring._small(value):
            value = monitoring.SMALL
        shown.append({"label": labels[code], "value": value})
    return shown


def accounts_needing_attention() -> dict[str, list[StaffProfile]]:
    from peerlog.staff import lockout

    profiles = list(StaffProfile.objects.select_related("user").order_by("user__username"))
    enrolled = set(TotpDevice.objects.filter(confirmed=True).values_list("user_id", flat=True))
    return {
        "locked": [p for p in profiles if lockout.locked_addresses(p.user.username)],
        "no_authenticator": [p for p in profiles if p.user_id not in enrolled],
        "must_change": [p for p in profiles if p.must_change_password],
    }


@role_required(*EVERYONE)
def home(request: HttpRequest) -> HttpResponse:
    role = role_of(request.user)
    context: dict[str, Any] = {"role": role}
    projects = visible_projects(request.user)
    if role in ROW_LEVEL:
        due = monitoring.due_people(projects)
        context.update({
            "due_counts": monitoring.due_counts(due),
            "due_total": sum(not d.overdue for d in due),
            "overdue_total": sum(d.overdue for d in due),
            "paper": paper_waiting(projects),
            "open_problems": quality.open_count(request.user),
            "messages_needing_staff": messages_needing_staff(projects),
            "projects": projects.select_related("region").order_by("region__name", "name"),
            "researcher": role != Role.COORDINATOR,
            # coordinators make the monthly post mailing (staff/post.py)
            "post_due": sum("post" in d.channels for d in due),
        })
    elif role == COMMISSIONER:
        context["headline"] = headline(projects)
    elif role == ADMIN:
        context["attention"] = accounts_needing_attention()
    return render(request, "staff/home.html", context)
