"""The monthly post mailing (coordinators, for their own projects): who is due by post,
make the mailing, print its letters and its address labels (see :mod:`peerlog.staff.post`)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from peerlog.capture import personal_ids
from peerlog.outreach.schedule import month_key
from peerlog.staff import post
from peerlog.staff.access import role_required, visible_projects
from peerlog.staff.models import PostMailing
from peerlog.staff.views.common import COORD, int_param, pdf_response, project_or_404

POST_ROLES = (COORD,)  # the people who put the letters in envelopes (docs/security.md)


def _projects(user):
    return visible_projects(user).filter(active=True).order_by("name")


@role_required(*POST_ROLES)
@require_http_methods(["GET", "POST"])
def mailing_page(request: HttpRequest) -> HttpResponse:
    projects = list(_projects(request.user))
    if request.method == "POST":
        project = project_or_404(request.user, request.POST.get("project"))
        mailing, no_address = post.make_mailing(project, request.user,
                                                reprint=bool(request.POST.get("reprint")))
        if mailing is None:
            messages.info(request, _("Everyone due by post has been sent a letter this month: "
                                     "no new letters. To print some again, tick the box."))
        else:
            n = mailing.participants.count()
            messages.success(request, ngettext(
                "Mailing %(pk)s made: %(n)s letter. Print its letters and labels below.",
                "Mailing %(pk)s made: %(n)s letters. Print its letters and labels below.",
                n) % {"pk": mailing.pk, "n": n})
        if no_address:
            messages.warning(request, _("No postal address on record, so no letter for: "
                                        "%(ids)s.") % {"ids": ", ".join(
                                            personal_ids.display(c) for c in no_address)})
        return redirect(f"{reverse('staff:post')}?project={project.pk}")
    chosen = int_param(request.GET.get("project"))
    project = next((p for p in projects if p.pk == chosen), None)
    if project is None and len(projects) == 1:
        project = projects[0]
    rows, unsent = [], 0
    if project is not None:
        due = post.due_by_post(visible_projects(request.user).filter(pk=project.pk))
        posted = post.posted_this_month([d.participant for d in due],
                                        month_key(timezone.localdate()))
        for d in due:
            rows.append({"due": d, "id": personal_ids.display(d.participant.personal_id.code),
                         "posted": d.participant.pk in posted})
        unsent = sum(not r["posted"] for r in rows)
    mailings = (PostMailing.objects.filter(project__in=visible_projects(request.user))
                .select_related("project", "made_by").annotate(n=Count("participants")))[:50]
    return render(request, "staff/post.html", {
        "projects": projects, "project": project, "rows": rows, "unsent": unsent,
        "mailings": mailings,
    })


def _mailing_or_404(user, pk: int) -> PostMailing:
    mailing = PostMailing.objects.filter(project__in=visible_projects(user), pk=pk).first()
    if mailing is None:  # another project's, or none: the same answer
        raise Http404
    return mailing


@role_required(*POST_ROLES)
@never_cache
def mailing_letters(request: HttpRequest, pk: int) -> HttpResponse:
    mailing = _mailing_or_404(request.user, pk)
    return pdf_response(post.letters_pdf(mailing, request.user), f"post-letters-{pk}.pdf")


@role_required(*POST_ROLES)
@never_cache
def mailing_labels(request: HttpRequest, pk: int) -> HttpResponse:
    mailing = _mailing_or_404(request.user, pk)  # never_cache: no-store, it holds addresses
    return pdf_response(post.labels_pdf(mailing, request.user), f"post-labels-{pk}.pdf")
