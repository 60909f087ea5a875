"""Issue 12: the console's report pages and the analysis job's progress page in a real
browser, for a central researcher and a commissioner, at 360 px: axe-clean (WCAG 2.2 AA),
no sideways scroll of the page, and the report's own pages opened through the console."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.browser.test_staff_console import _no_sideways_scroll, sign_in, staff  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def report_homes(settings, tmp_path):
    settings.HOME = tmp_path / "home"
    settings.HOME.mkdir(mode=0o700)
    settings.REPORTS_DIR = tmp_path / "reports"
    settings.ANALYSIS_JOBS_SPAWN = False  # the job is run below, in this process
    return settings


def checked(page, axe, path: str) -> None:
    """axe finds nothing and the page does not scroll sideways (``path`` names the page in a
    failure)."""
    assert (path, axe(page)) == (path, [])
    if not _no_sideways_scroll(page):  # name what sticks out, for the failure message
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')].filter(
            e => e.getBoundingClientRect().right > window.innerWidth + 1).map(
            e => e.tagName + ' ' + (e.textContent || '').slice(0, 60))""")
        pytest.fail(f"{path} scrolls sideways at 360 px: {wide[:5]}")


def test_report_pages_and_job_progress_for_researcher_and_commissioner(
        chromium, axe, live_server, staff, report_homes):  # noqa: F811
    from peerlog.analysis.pipeline import Options
    from peerlog.staff import jobs
    from peerlog.staff.models import AnalysisJob, StaffProfile

    page = chromium.new_page(viewport=PHONE)
    sign_in(page, live_server.url, "central")
    page.goto(f"{live_server.url}/staff/reports/")
    checked(page, axe, "reports, none yet")
    assert "No reports yet" in page.content()

    page.get_by_role("button", name="Run the analysis now").click()
    page.wait_for_url("**/staff/reports/run/*/")
    job = AnalysisJob.objects.get()
    assert page.locator("#job-state").inner_text() == "Waiting to start"
    assert page.locator("progress#job-progress").count() == 1  # labelled progress bar
    checked(page, axe, "job page, waiting")
    # Part-way: the step is said in words beside the bar.
    AnalysisJob.objects.filter(pk=job.pk).update(state="running", step="models", progress=45)
    page.get_by_role("link", name="Check progress again").click()  # no self-refresh
    assert "Fitting the models" in page.content()
    assert page.locator("progress#job-progress").get_attribute("value") == "45"
    checked(page, axe, "job page, running")
    AnalysisJob.objects.filter(pk=job.pk).update(state="queued", step="", progress=0)

    (done,) = jobs.run_pending(options=Options(pdf=False))  # figures included
    assert done.state == "done", done.message
    page.goto(f"{live_server.url}/staff/reports/run/{job.pk}/")
    assert page.locator("#check-again").count() == 0  # done: the files, not "check again"
    checked(page, axe, "job page, done")
    page.get_by_role("link", name="The full report (web page)").click()
    assert page.locator("h1").first.inner_text()
    assert page.locator("#reproducibility").count() == 1
    page.goto(f"{live_server.url}/staff/reports/")
    checked(page, axe, "reports, one run")
    assert page.get_by_role("link", name="The full report (web page)").count() == 1
    # The report and summary themselves: the console serves them sandboxed (no script runs,
    # so axe cannot run there); the same files opened directly.
    folder = Path(report_homes.REPORTS_DIR) / done.output
    for name in ("report.html", "summary.html"):
        page.goto((folder / name).as_uri())
        checked(page, axe, name)
    page.close()

    # The commissioner: the same list with the summary, no run button, no job page.
    page = chromium.new_page(viewport=PHONE)
    sign_in(page, live_server.url, "commissioner")
    assert StaffProfile.objects.get(user__username="commissioner").role == "commissioner"
    page.goto(f"{live_server.url}/staff/reports/")
    checked(page, axe, "reports, commissioner")
    assert page.get_by_role("button", name="Run the analysis now").count() == 0
    assert page.get_by_role("link", name="Summary for commissioners (web page)").count() == 1
    page.get_by_role("link", name="Summary for commissioners (web page)").click()
    assert page.locator("h1").count() == 1
    response = page.goto(f"{live_server.url}/staff/reports/run/{job.pk}/")
    assert response.status == 403
    page.close()


def test_profile_pages_at_360_px_axe_clean_and_an_error_kept_at_its_field(
        chromium, axe, live_server, staff):  # noqa: F811
    """Issue 13 item 6: a coordinator records their project's profile on a phone."""
    from peerlog.capture.models import AuditEvent

    project = staff["project"]
    page = chromium.new_page(viewport=PHONE)
    sign_in(page, live_server.url, "coord")
    page.goto(f"{live_server.url}/staff/profiles/")
    checked(page, axe, "profiles list")
    page.get_by_role("link", name=project.name).click()
    checked(page, axe, "project profile")
    page.get_by_role("radio", name="Volunteer facilitator").check()
    page.get_by_role("checkbox", name="Social").check()
    page.get_by_role("checkbox", name="Open to anyone").check()
    page.get_by_role("checkbox", name="A diagnosis").check()  # contradicts "open"
    page.get_by_role("button", name="Save profile").click()
    assert "Choose either open to anyone" in page.content()
    checked(page, axe, "project profile with an error")
    assert page.get_by_role("radio", name="Volunteer facilitator").is_checked()  # kept
    project.refresh_from_db()
    assert project.facilitation == "" and project.membership == []
    page.get_by_role("checkbox", name="Open to anyone").uncheck()
    page.get_by_role("button", name="Save profile").click()
    page.wait_for_selector(".message.success")
    project.refresh_from_db()
    assert (project.facilitation, project.focus, project.membership) == (
        "volunteer", ["social"], ["diagnosis"])
    assert AuditEvent.objects.filter(action="project.profile").count() == 1
    page.close()
