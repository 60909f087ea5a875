"""Personal IDs: issue a batch to a project, see which IDs are registered, print slips.

A project "running out" has fewer than :data:`RUNNING_OUT` issued IDs nobody has registered
with: about a month of new members for a busy group, so there is time to print more.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from peerlog.capture import audit, personal_ids
from peerlog.capture.models import PersonalId, PersonalIdBatch
from peerlog.staff.access import role_required, visible_projects
from peerlog.staff.pdf import slips_pdf
from peerlog.staff.views.common import ROW_LEVEL, pdf_response

MAX_BATCH = 500
RUNNING_OUT = 10  # fewer unregistered IDs than this left in an active project: warn


class BatchForm(forms.Form):
    project = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Project"))
    count = forms.IntegerField(label=gettext_lazy("How many IDs"), min_value=1,
                               max_value=MAX_BATCH, initial=20)
    note = forms.CharField(label=gettext_lazy("Note (optional)"), max_length=200,
                           required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        projects = visible_projects(user).filter(active=True)
        self.fields["project"].queryset = projects
        if not self.is_bound and len(projects[:2]) == 1:  # one project: chosen already
            self.fields["project"].initial = projects[0].pk


def issue_batch(project, count: int, user, note: str = "") -> PersonalIdBatch:
    """Create ``count`` new, unused IDs for ``project`` (retrying on a rare clash)."""
    digits = settings.PEERLOG["PERSONAL_ID_DIGITS"]
    for _attempt in range(5):
        try:
            with transaction.atomic():
                batch = PersonalIdBatch.objects.create(project=project, created_by=user, note=note)
                taken = set(PersonalId.objects.values_list("code", flat=True))
                codes = []
                for _i in range(count):
                    code = personal_ids.new_id(digits, taken)
                    taken.add(code)
                    codes.append(PersonalId(code=code, batch=batch))
                PersonalId.objects.bulk_create(codes)
                audit.record(user, "ids.issue", batch, project=project.code, count=count)
                return batch
        except IntegrityError:  # another batch took one of these codes meanwhile
            continue
    raise RuntimeError("Could not issue unique IDs")


def project_stock(user) -> list[dict]:
    """Per visible project: IDs issued, registered, left (issued, not registered), and
    whether it is running out."""
    rows = (visible_projects(user).order_by("name")
            .annotate(issued=Count("id_batches__ids"),
                      registered=Count("id_batches__ids",
                                       filter=Q(id_batches__ids__participant__isnull=False))))
    return [{"project": p, "issued": p.issued, "registered": p.registered,
             "left": p.issued - p.registered,
             "running_out": p.active and p.issued - p.registered < RUNNING_OUT} for p in rows]


@role_required(*ROW_LEVEL)
@require_http_methods(["GET", "POST"])
def batches(request):
    form = BatchForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        batch = issue_batch(form.cleaned_data["project"], form.cleaned_data["count"],
                            request.user, form.cleaned_data["note"])
        messages.success(request, _("%(n)s personal IDs issued to %(project)s.") % {
            "n": form.cleaned_data["count"], "project": batch.project})
        return redirect("staff:id_batches")
    rows = (PersonalIdBatch.objects.filter(project__in=visible_projects(request.user))
            .select_related("project", "created_by").order_by("-created_at"))
    rows = rows.annotate(n=Count("ids"), used=Count("ids", filter=Q(ids__participant__isnull=False)))
    return render(request, "staff/id_batches.html", {
        "form": form, "batches": rows[:200], "stock": project_stock(request.user),
        "running_out": RUNNING_OUT,
    }, status=400 if form.is_bound else 200)


@role_required(*ROW_LEVEL)
def batch_ids(request, pk: int):
    """Every ID of one batch and whether someone has registered with it."""
    batch = _batch_or_404(request.user, pk)
    ids = [{"code": personal_ids.display(code), "registered": registered}
           for code, registered in batch.ids.order_by("code").annotate(
               registered=Count("participant")).values_list("code", "registered")]
    return render(request, "staff/id_batch.html", {"batch": batch, "ids": ids})


def _batch_or_404(user, pk: int) -> PersonalIdBatch:
    batch = (PersonalIdBatch.objects.filter(project__in=visible_projects(user), pk=pk)
             .select_related("project").first())
    if batch is None:  # another project's, or none: the same answer
        raise Http404
    return batch


@role_required(*ROW_LEVEL)
def batch_slips(request, pk: int):
    batch = _batch_or_404(request.user, pk)
    audit.record(request.user, "ids.print", batch)
    return pdf_response(slips_pdf(batch), f"personal-ids-batch-{batch.pk}.pdf")
