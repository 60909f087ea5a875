"""Helpers shared by the staff views: roles, CSV responses, lookups limited by access."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence

from django.http import Http404, HttpResponse

from peerlog.export.contract import safe_row
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
    """A CSV download; every text cell is made safe to open in a spreadsheet."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(safe_row(header))
    for row in rows:
        writer.writerow(safe_row(row))
    return response


MAX_ID_DIGITS = 12  # database keys: larger numbers are not ours (and would overflow)


def int_param(value: object) -> int | None:
    """A database key from a query string or form: ASCII digits only, else None.

    ``str.isdigit`` accepts "²" and other digits ``int`` refuses, so it is not used.
    """
    if not isinstance(value, str) or not value or len(value) > MAX_ID_DIGITS:
        return None
    if not (value.isascii() and value.isdecimal()):
        return None
    return int(value)


def text_param(value: object, max_length: int = 500) -> str:
    """Free text from a form, fit for storing: no NUL characters (PostgreSQL refuses them),
    at most ``max_length`` characters."""
    return str(value or "").replace("\x00", "")[:max_length]


def project_or_404(user, pk):
    pk = pk if isinstance(pk, int) else int_param(pk)
    if pk is None:
        raise Http404
    project = visible_projects(user).filter(pk=pk).first()
    if project is None:  # another project's, or none: the same answer, so nothing leaks
        raise Http404
    return project


def participant_or_404(user, pk):
    pk = pk if isinstance(pk, int) else int_param(pk)
    if pk is None:
        raise Http404
    participant = visible_participants(user).select_related("personal_id", "project").filter(
        pk=pk).first()
    if participant is None:
        raise Http404
    return participant


def pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
