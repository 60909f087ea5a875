"""Helpers shared by the staff views: roles, CSV responses, lookups limited by access."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse

from peerlog.capture import audit
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


def plain(value: Any) -> Any:
    """A value as the audit trail's JSON keeps it (dates as ISO text)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def save_audited(request: HttpRequest, form: forms.ModelForm, action: str,
                 unsaved: dict[str, Any] | None = None) -> dict[str, Any]:
    """Store a valid settings-like ``form`` if it changes anything, with one audit event of
    each changed field's ``[old, new]`` (``changed``, as ``log.change`` records them); a form
    sent again unchanged stores and records nothing (a double submit). The old values are read from the stored row, locked, since a
    bound form has already written the new ones into its instance; ``unsaved`` gives them for
    a row not stored yet. Returns the changes (empty: nothing changed)."""
    fields = form.Meta.fields
    instance = form.save(commit=False)
    with transaction.atomic():
        stored = (type(instance).objects.select_for_update().filter(pk=instance.pk)
                  .values(*fields).first() if instance.pk is not None else None)
        before = stored if stored is not None else (unsaved or {})
        changed = {f: [plain(before.get(f)), plain(getattr(instance, f))]
                   for f in fields if before.get(f) != getattr(instance, f)}
        if changed:
            instance.save()
            audit.record(request.user, action, instance, changed=changed)
    return changed
