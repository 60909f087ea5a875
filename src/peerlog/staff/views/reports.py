"""Analysis reports, served only to signed-in staff whose role may see them (issue 9, item 12).

Reports live under ``settings.REPORTS_DIR`` (``PEERLOG_HOME/reports/`` by default), one folder
per report (the demo writes ``reports/demo/``; ``peerlog analyse --out`` can write another).
They are never static files: ``/static/`` is public and the report's folder holds row-level
files such as ``periods.csv``.

| role | may open |
|---|---|
| central researcher | every file of every report |
| regional researcher, coordinator | the aggregate report and the commissioner summary (HTML, PDF) and the figures |
| commissioner | the commissioner summary (HTML, PDF) only |
| administrator | nothing (accounts and settings only) |

Coordinators get the aggregate report like regional researchers: it is the programme's
published result, with no row about one person. Commissioners get only the summary: the
researchers' report shows small cells (a region's descriptives, subgroup tables), and no
figure about fewer than five people may reach a commissioner by any route (docs/security.md);
the summary suppresses them. Every opened file is audited; names are
resolved inside the report's folder only (no ``..``, no symlink out, no hidden file).

The page leads with the latest report (the one whose ``report.html`` is newest) and links
straight to its report and summary; ``/staff/reports/latest/<file>`` is a stable address for
them. Central researchers can also ask for a fresh analysis of the current data: the POST
records a job (:mod:`peerlog.staff.jobs`), a separate process runs it, and the job's page
refreshes itself (no JavaScript) until the report is there.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from peerlog.capture import audit
from peerlog.staff import jobs
from peerlog.staff.access import role_of, role_required
from peerlog.staff.models import AnalysisJob
from peerlog.staff.views.common import CENTRAL, COMMISSIONER, COORD, REGIONAL

READERS = (COORD, REGIONAL, CENTRAL, COMMISSIONER)
AGGREGATE_NAMES = {"report.html", "report.pdf", "summary.html", "summary.pdf"}
# The one-click links to the latest report, in the order shown (commissioners: summary first).
LATEST_FILES = ("report.html", "report.pdf", "summary.html", "summary.pdf")
AGGREGATE_SUFFIXES = {".svg", ".png"}  # figures
SUMMARY_NAMES = {"summary.html", "summary.pdf"}
# Served report HTML may use its own inline styles and images, and nothing else.
REPORT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
              "font-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; "
              "sandbox")


def reports_dir() -> Path:
    return Path(settings.REPORTS_DIR)


def may_open(role: str | None, relative: Path) -> bool:
    if role == CENTRAL:
        return True
    if role == COMMISSIONER:
        return relative.name in SUMMARY_NAMES and relative.parent == Path()
    if role in (COORD, REGIONAL):
        return relative.name in AGGREGATE_NAMES or relative.suffix.lower() in AGGREGATE_SUFFIXES
    return False


def _reports() -> list[Path]:
    """Report folders, newest first (by their report.html, else the folder)."""
    root = reports_dir()
    if not root.is_dir():
        return []
    folders = [p for p in root.iterdir()
               if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")]
    return sorted(folders, key=lambda p: (_made_at(p), p.name), reverse=True)


def _made_at(report: Path) -> float:
    html = report / "report.html"
    return (html if html.is_file() and not html.is_symlink() else report).stat().st_mtime


def latest_report() -> Path | None:
    """The newest report folder that has a report.html."""
    return next((p for p in _reports()
                 if (p / "report.html").is_file() and not (p / "report.html").is_symlink()),
                None)


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


def _latest_links(role: str | None) -> dict | None:
    report = latest_report()
    if report is None:
        return None
    names = LATEST_FILES[2:] + LATEST_FILES[:2] if role == COMMISSIONER else LATEST_FILES
    files = [name for name in names
             if may_open(role, Path(name)) and (report / name).is_file()
             and not (report / name).is_symlink()]
    return {"name": report.name, "files": files}


@role_required(*READERS)
def report_list(request):
    role = role_of(request.user)
    reports = []
    for report in _reports():
        files = [f for f in _files(report) if may_open(role, f)]
        if files:
            reports.append({"name": report.name, "files": [f.as_posix() for f in files],
                            "main": "report.html" if Path("report.html") in files else ""})
    context = {"reports": reports, "latest": _latest_links(role), "may_run": role == CENTRAL}
    if role == CENTRAL:
        context["jobs"] = AnalysisJob.objects.select_related("requested_by")[:5]
    return render(request, "staff/reports.html", context)


@never_cache
@role_required(*READERS)
def latest_file(request, file: str):
    """One click to the latest report's ``file``: a redirect to its own (audited) address."""
    report = latest_report()
    if (report is None or file not in LATEST_FILES
            or not may_open(role_of(request.user), Path(file))
            or not (report / file).is_file()):
        raise Http404
    return redirect("staff:report_file", report.name, file)


@require_POST
@role_required(CENTRAL)
def run_analysis(request):
    """Ask for a fresh analysis; a second click while one is waiting or running gets that
    one. The work happens in another process (peerlog.staff.jobs)."""
    job, created = jobs.enqueue(request.user)
    if created:
        jobs.spawn_worker(job)
    return redirect("staff:analysis_job", job.pk)


STEPS = {"export": _("Exporting the current data"), "models": _("Fitting the models"),
         "report": _("Writing tables, figures and the report")}


@never_cache
@role_required(CENTRAL)
def analysis_job(request, pk: int):
    job = get_object_or_404(AnalysisJob.objects.select_related("requested_by"), pk=pk)
    if job.active:
        jobs.fail_stale()
        job.refresh_from_db()
    files = []
    if job.state == AnalysisJob.State.DONE and job.output:
        report = reports_dir() / job.output
        files = [name for name in LATEST_FILES if (report / name).is_file()]
    return render(request, "staff/reports_job.html", {
        "job": job, "step": STEPS.get(job.step, ""), "files": files,
        "message": gettext(job.message) if job.message else "",
        "refresh": job.active, "reports_url": reverse("staff:reports")})


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
