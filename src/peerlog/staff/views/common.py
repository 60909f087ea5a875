"""Helpers shared by the staff views: roles, CSV responses, lookups limited by access."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence

from django.http import Http404, HttpResponse

from peerlog.staff.access import visible_participants, visible_projects
from peerlog.staff.models import Role

COORD, REGIONAL, CENTRAL, COMMISSIONER, ADMIN = (
    Role.COORDINATOR, Role.REGIONAL_RESEARCHER, Role.CENTRAL_RESEARCHER, Role.COMMISSIONER,
    Role.ADMINISTRATOR,
)
ROW_LEVEL = (COORD, REGIONAL, CENTRAL)
FIGURES = (COORD, REGIONAL, CENTRAL, COMMISSIONER)
EVERYONE = (COORD, REGIONAL, CENTRAL, COMMISSIONER, ADMIN)


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
    return response


def project_or_404(user, pk):
    project = visible_projects(user).filter(pk=pk).first()
    if project is None:  # another project's, or none: the same answer, so nothing leaks
        raise Http404
    return project


def participant_or_404(user, pk):
    participant = visible_participants(user).select_related("personal_id", "project").filter(
        pk=pk).first()
    if participant is None:
        raise Http404
    return participant


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
