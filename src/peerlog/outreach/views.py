"""Staff pages: the outbox (failed and in-doubt messages, and deciding them) and prize draws.

| role | outbox | decide | draws |
|---|---|---|---|
| coordinator | their projects' messages | yes | winners from their projects |
| regional researcher | their regions' projects' messages | yes | winners from their projects |
| central researcher | all | yes | all, with the eligible list |
| administrator | all, without personal IDs (runs delivery) | yes | all, with the eligible list |
| commissioner | no | no | no |
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peerlog.outreach import draw as draws_module
from peerlog.outreach import remind
from peerlog.outreach.models import Message, PrizeDraw, RemindRun
from peerlog.staff.access import role_of, role_required, visible_projects
from peerlog.staff.models import Role

OUTBOX_ROLES = (Role.COORDINATOR, Role.REGIONAL_RESEARCHER, Role.CENTRAL_RESEARCHER,
                Role.ADMINISTRATOR)
ALL_ROWS = (Role.CENTRAL_RESEARCHER, Role.ADMINISTRATOR)


def visible_messages(user):
    if role_of(user) in ALL_ROWS:
        return Message.objects.all()
    return Message.objects.filter(participant__project__in=visible_projects(user))


FILTERS = {
    "attention": Q(state=Message.State.IN_DOUBT) | Q(state=Message.State.FAILED),
    "all": Q(),
    **{state: Q(state=state) for state in Message.State.values},
}


@role_required(*OUTBOX_ROLES)
def outbox(request):
    show = request.GET.get("show", "attention")
    if show not in FILTERS:
        show = "attention"
    mine = visible_messages(request.user)
    counts = {row["state"]: row["n"] for row in mine.values("state").annotate(n=Count("id"))}
    rows = (mine.filter(FILTERS[show])
            .select_related("participant__personal_id", "participant__project")
            .order_by("-created_at", "-id")[:200])
    states = [(value, label, counts.get(value, 0)) for value, label in Message.State.choices]
    return render(request, "outreach/outbox.html", {
        "rows": rows, "show": show, "states": states,
        "attention": counts.get("in_doubt", 0) + counts.get("failed", 0),
        "show_ids": role_of(request.user) != Role.ADMINISTRATOR,
        "last_run": RemindRun.objects.first(),
    })


@require_POST
@role_required(*OUTBOX_ROLES)
def decide(request, pk: int):
    msg = get_object_or_404(visible_messages(request.user), pk=pk)
    action = request.POST.get("action", "")
    try:
        remind.decide(msg.pk, action, request.user)
    except remind.NotAllowed as exc:
        messages.error(request, str(exc))
    else:
        done = {
            "mark_sent": _("Marked as sent: it will not be sent again."),
            "resend": _("Queued again under the same key: the next reminder run sends it."),
            "cancel": _("Cancelled: it will not be sent."),
        }
        messages.success(request, done[action])
    return redirect(f"{reverse('outreach:outbox')}?show={request.POST.get('show', 'attention')}")


@role_required(*OUTBOX_ROLES)
def draws(request):
    full = role_of(request.user) in ALL_ROWS
    own = set(visible_projects(request.user).values_list("code", flat=True))
    rows = []
    for record in PrizeDraw.objects.all()[:120]:
        rows.append({
            "draw": record,
            "individual": record.individual_winner if full or record.individual_winner_project in own else "",
            "individual_project": record.individual_winner_project if full or record.individual_winner_project in own else "",
            "project": record.project_winner,
            # The final draw's winners: each shown as the individual winner of a month is.
            "winners": [w for w in record.winners if full or w["project"] in own],
        })
    return render(request, "outreach/draws.html", {"rows": rows,
                                                   "full": full})


@role_required(*ALL_ROWS)
def draw_detail(request, pk: int):
    record = get_object_or_404(PrizeDraw, pk=pk)
    return render(request, "outreach/draw_detail.html", {
        "draw": record, "verified": draws_module.verify(record),
    })
