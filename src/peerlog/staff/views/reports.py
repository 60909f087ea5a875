"""Analysis reports, served only to signed-in staff whose role may see them (issue 9, item 12).

Reports live under ``settings.REPORTS_DIR`` (``PEERLOG_HOME/reports/`` by default), one folder
per report (the demo writes ``reports/demo/``; ``peerlog analyse --out`` can write another).
They are never static files: ``/static/`` is public and the report's folder holds row-level
files such as ``periods.csv``.

| role | may open |
|---|---|
| central researcher | every file of every report |
| regional researcher, coordinator, commissioner | the aggregate report (HTML, PDF) and its figures |
| administrator | nothing (accounts and settings only) |

Coordinators get the aggregate report like regional researchers: it is the programme's
published result, with no row about one person. Every opened file is audited; names are
resolved inside the report's folder only (no ``..``, no symlink out, no hidden file).
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from peerlog.capture import audit
from peerlog.staff.access import role_of, role_required
from peerlog.staff.views.common import CENTRAL, COMMISSIONER, COORD, REGIONAL

READERS = (COORD, REGIONAL, CENTRAL, COMMISSIONER)
AGGREGATE_NAMES = {"report.html", "report.pdf"}
AGGREGATE_SUFFIXES = {".svg", ".png"}  # figures
# Served report HTML may use its own inline styles and images, and nothing else.
REPORT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
              "font-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; "
              "sandbox")


def reports_dir() -> Path:
    return Path(settings.REPORTS_DIR)


def may_open(role: str | None, relative: Path) -> bool:
    if role == CENTRAL:
        return True
    if role in (COORD, REGIONAL, COMMISSIONER):
        return relative.name in AGGREGATE_NAMES or relative.suffix.lower() in AGGREGATE_SUFFIXES
    return False


def _reports() -> list[Path]:
    root = reports_dir()
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir()
                  if p.is_dir() and not p.is_symlink() and not p.name.startswith("."))


def _files(report: Path) -> list[Path]:
    """The report's files, relative to its folder, without hidden files or symlinks."""
    out = []
    for path in sorted(report.rglob("*")):
        relative = path.relative_to(report)
        if (path.is_file() and not path.is_symlink()
                and not any(part.startswith(".") for part in relative.parts)):
            out.append(relative)
    return out


def resolve(name: str, file: str) -> tuple[Path, Path]:
    """(absolute path, path relative to the report) of a file inside a report, or 404."""
    root = reports_dir().resolve()
    report = (root / name).resolve()
    if report.parent != root or not report.is_dir() or name.startswith("."):
        raise Http404
    path = (report / file).resolve()
    try:
        relative = path.relative_to(report)
    except ValueError:
        raise Http404 from None
    if (not path.is_file() or any(part.startswith(".") for part in relative.parts)
            or relative.parts == ()):
        raise Http404
    return path, relative


@role_required(*READERS)
def report_list(request):
    role = role_of(request.user)
    reports = []
    for report in _reports():
        files = [f for f in _files(report) if may_open(role, f)]
        if files:
            reports.append({"name": report.name, "files": [f.as_posix() for f in files],
                            "main": "report.html" if Path("report.html") in files else ""})
    return render(request, "staff/reports.html", {"reports": reports})


@never_cache
@role_required(*READERS)
def report_file(request, name: str, file: str):
    path, relative = resolve(name, file)
    if not may_open(role_of(request.user), relative):
        raise Http404  # the same answer as for a file that does not exist
    audit.record(request.user, "report.open", f"report:{name}", file=relative.as_posix())
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if content_type.startswith("text/") or content_type.endswith("+xml"):
        content_type += "; charset=utf-8"
    response = FileResponse(path.open("rb"), content_type=content_type,
                            as_attachment=path.suffix.lower() not in (
                                ".html", ".pdf", ".svg", ".png"),
                            filename=path.name)
    response["Content-Security-Policy"] = REPORT_CSP
    response["X-Content-Type-Options"] = "nosniff"
    return response
