"""Issue 12, item 3: reports in the console, and a fresh analysis run as a background job.

The job is run here by the same function ``peerlog run-analysis-jobs`` calls (in this process,
so it sees the test database); the view's detached process is switched off for the tests.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from tests.staff.test_permissions import ROLES

READERS = set(ROLES) - {"administrator"}


@pytest.fixture(autouse=True)
def homes(settings, tmp_path):
    settings.HOME = tmp_path / "home"
    settings.HOME.mkdir(mode=0o700)
    settings.REPORTS_DIR = tmp_path / "reports"
    settings.ANALYSIS_JOBS_SPAWN = False
    return settings


def make_report(root: Path, name: str, mtime: float) -> Path:
    report = root / name
    report.mkdir(parents=True)
    for file, text in (("report.html", f"<h1>report {name}</h1>"),
                       ("report.pdf", "%PDF report"),
                       ("summary.html", f"<h1>summary {name}</h1>"),
                       ("summary.pdf", "%PDF summary"),
                       ("periods.csv", "personal_id,x\n123456,1\n")):
        (report / file).write_text(text)
        os.utime(report / file, (mtime, mtime))
    return report


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture
def two_reports(settings):
    root = Path(settings.REPORTS_DIR)
    make_report(root, "demo", 1_000_000)
    make_report(root, "analysis-20261202-060000", 2_000_000)
    return root


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_role_gating_of_reads_and_the_post(client, world, two_reports, role):
    from peerlog.capture.models import AuditEvent
    from peerlog.staff.models import AnalysisJob

    if role != "anonymous":
        client.force_login(world.staff[role])
    listing = client.get("/staff/reports/")
    post = client.post("/staff/reports/run/")
    summary = client.get("/staff/reports/latest/summary.pdf")
    row_level = client.get("/staff/reports/latest/periods.csv")
    if role == "anonymous":
        for response in (listing, post, summary, row_level):
            assert response.status_code == 302
            assert response["Location"].startswith("/staff/login/")
        assert not AnalysisJob.objects.exists()
        return
    if role == "administrator":
        assert listing.status_code == post.status_code == summary.status_code == 403
        assert not AnalysisJob.objects.exists()
        return
    assert listing.status_code == 200
    page = listing.content.decode()
    # The latest report (newest report.html), with its report and summary one click away.
    assert "Latest report: analysis-20261202-060000" in page
    for file in ("report.html", "report.pdf", "summary.html", "summary.pdf"):
        shown = role != "commissioner" or file.startswith("summary")
        assert (f'href="/staff/reports/analysis-20261202-060000/{file}"' in page) == shown
    assert summary.status_code == 302
    assert summary["Location"] == "/staff/reports/analysis-20261202-060000/summary.pdf"
    opened = client.get(summary["Location"])
    assert opened.status_code == 200 and body(opened) == b"%PDF summary"
    assert AuditEvent.objects.filter(action="report.open", actor=world.staff[role],
                                     target_type="report:analysis-20261202-060000",
                                     detail__file="summary.pdf").count() == 1
    assert row_level.status_code == 404  # never a row-level file through "latest"
    if role == "central_researcher":
        assert post.status_code == 302
        job = AnalysisJob.objects.get()
        assert post["Location"] == f"/staff/reports/run/{job.pk}/"
        assert job.state == "queued" and job.requested_by == world.staff[role]
        assert "Run the analysis now" in page
        status = client.get(post["Location"])
        assert status.status_code == 200
        # No self-refresh (WCAG 2.2.1, axe's meta-refresh): a link to look again instead.
        assert "http-equiv" not in status.content.decode()
        assert f'id="check-again" href="/staff/reports/run/{job.pk}/"' in status.content.decode()
        assert AuditEvent.objects.filter(action="analysis.run", actor=world.staff[role],
                                         target_id=str(job.pk)).count() == 1
    else:
        assert post.status_code == 403
        assert not AnalysisJob.objects.exists()
        assert "Run the analysis now" not in page and "/staff/reports/run/" not in page
        assert not AuditEvent.objects.filter(action="analysis.run").exists()
    if role == "commissioner":  # the summary only (the full report has small cells)
        assert "summary.pdf" in page
        assert "report.html" not in page and "periods.csv" not in page


@pytest.mark.parametrize("role", ROLES)
def test_only_central_researchers_see_a_job(client, world, role):
    from peerlog.staff import jobs

    job, _ = jobs.enqueue(world.staff["central_researcher"])
    client.force_login(world.staff[role])
    response = client.get(f"/staff/reports/run/{job.pk}/")
    assert response.status_code == (200 if role == "central_researcher" else 403)
    assert client.get("/staff/reports/run/").status_code == 405  # GET never enqueues


def test_two_posts_make_one_job(client, world):
    from django.db import IntegrityError, transaction

    from peerlog.capture.models import AuditEvent
    from peerlog.staff.models import AnalysisJob

    client.force_login(world.staff["central_researcher"])
    first = client.post("/staff/reports/run/")
    second = client.post("/staff/reports/run/")
    assert first["Location"] == second["Location"]
    assert AnalysisJob.objects.count() == 1
    assert AuditEvent.objects.filter(action="analysis.run").count() == 1
    # The database itself refuses a second active job (two requests racing past the check).
    with pytest.raises(IntegrityError), transaction.atomic():
        AnalysisJob.objects.create(state="running")
    assert AnalysisJob.objects.count() == 1


def test_the_job_runs_to_done_and_produces_the_report(client, world, settings):
    from peerlog.analysis.pipeline import Options
    from peerlog.capture.models import AuditEvent
    from peerlog.staff import jobs
    from peerlog.staff.models import AnalysisJob

    central = world.staff["central_researcher"]
    client.force_login(central)
    location = client.post("/staff/reports/run/")["Location"]
    (done,) = jobs.run_pending(options=Options(figures=False))
    job = AnalysisJob.objects.get()
    assert done.pk == job.pk
    assert job.state == "done", job.message
    assert job.progress == 100 and job.message == ""
    assert job.started_at and job.finished_at and job.finished_at >= job.started_at
    report = Path(settings.REPORTS_DIR) / job.output
    assert job.output.startswith("analysis-")
    for name in ("report.html", "report.pdf", "summary.html", "summary.pdf",
                 "associations.csv", "periods.csv"):
        assert (report / name).is_file(), name
    assert (report / "report.pdf").read_bytes().startswith(b"%PDF")
    assert oct(report.stat().st_mode & 0o777) == "0o700"
    # The reproducibility block names the exported files the run read, with their SHA-256.
    html = (report / "report.html").read_text(encoding="utf-8")
    assert re.search(r"Input participants\.csv</td><td>\S+participants\.csv \(SHA-256 "
                     r"[0-9a-f]{64}\)", html)
    assert re.search(r"Input logs\.csv</td><td>\S+ \(SHA-256 [0-9a-f]{64}\)", html)
    # The temporary export is gone; no half-written folder is left in the reports folder.
    assert list((Path(settings.HOME) / "analysis-work").iterdir()) == []
    assert [p.name for p in Path(settings.REPORTS_DIR).iterdir()] == [job.output]
    # The data went out under the researcher's name; the run is on record.
    export = AuditEvent.objects.get(action="export", detail__job=job.pk)
    assert export.actor == central and export.detail["logs"] >= 1
    finished = AuditEvent.objects.get(action="analysis.done", target_id=str(job.pk))
    assert finished.detail["report"] == job.output
    assert finished.detail["requested_by"] == central.username
    # The page links to the result instead of "check again"; "latest" is the new report.
    page = client.get(location).content.decode()
    assert "check-again" not in page
    assert f'href="/staff/reports/{job.output}/summary.pdf"' in page
    latest = client.get("/staff/reports/latest/report.html")
    assert latest["Location"] == f"/staff/reports/{job.output}/report.html"
    # A new run can be asked for once this one is done; nothing runs twice.
    assert jobs.run_pending() == []
    again, created = jobs.enqueue(central)
    assert created and again.pk != job.pk


def test_a_failing_job_shows_failed_with_a_plain_message(client, world, settings):
    from peerlog.analysis.pipeline import Options
    from peerlog.capture.models import AuditEvent
    from peerlog.staff import jobs
    from peerlog.staff.models import AnalysisJob

    client.force_login(world.staff["central_researcher"])
    location = client.post("/staff/reports/run/")["Location"]
    job = AnalysisJob.objects.get()
    # Something in the way of the report's folder: an ordinary error deep in the writing.
    Path(settings.REPORTS_DIR).mkdir(parents=True, exist_ok=True)
    (Path(settings.REPORTS_DIR) / f".incoming-{job.pk}").write_text("in the way")
    jobs.run_pending(options=Options(figures=False, pdf=False))
    job.refresh_from_db()
    assert job.state == "failed" and job.output == "" and job.finished_at is not None
    assert job.message == ("The analysis stopped because of an unexpected error; the "
                           "server's log has the details.")
    page = client.get(location).content.decode()
    assert "The analysis did not finish." in page and job.message.replace("'", "&#x27;") in page
    for leak in ("Traceback", "FileExistsError", "File \"", ".incoming"):
        assert leak not in page
    assert "http-equiv" not in page
    assert AuditEvent.objects.filter(action="analysis.failed", target_id=str(job.pk)).exists()
    assert list((Path(settings.HOME) / "analysis-work").iterdir()) == []


def test_no_data_fails_with_a_plain_message(client, make_staff):
    from peerlog.staff import jobs

    central = make_staff("central_researcher", "central-empty")
    job, _ = jobs.enqueue(central)
    jobs.run_pending(job.pk)
    job.refresh_from_db()
    assert job.state == "failed" and job.message == "There are no logs to analyse yet."
    client.force_login(central)
    assert "There are no logs to analyse yet." in client.get(
        f"/staff/reports/run/{job.pk}/").content.decode()


def test_a_job_whose_process_died_is_failed_and_a_new_one_can_start(world):
    from django.utils import timezone

    from peerlog.staff import jobs
    from peerlog.staff.models import AnalysisJob

    central = world.staff["central_researcher"]
    job, _ = jobs.enqueue(central)
    assert jobs.claim() is not None and jobs.claim() is None  # claimed once only
    AnalysisJob.objects.filter(pk=job.pk).update(
        updated_at=timezone.now() - jobs.STALE_AFTER - timedelta(minutes=1))
    again, created = jobs.enqueue(central)
    job.refresh_from_db()
    assert job.state == "failed" and "stopped without finishing" in job.message
    assert created and again.state == "queued"
