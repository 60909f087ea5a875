"""Issue 9, item 12: reports only to signed-in staff whose role may see them; the demo
refuses production.

The demo report (with row-level ``periods.csv``) was served from ``/static/demo-report/``
to anyone with ``Access-Control-Allow-Origin: *``. Now reports live under
``REPORTS_DIR`` and ``/staff/reports/`` serves them by role, audited, with no way out of
the report's folder.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.staff.test_permissions import ROLES

ROW_LEVEL_TEXT = "pid_row_level_marker,1,2"
OUTSIDE_TEXT = "outside-the-reports-folder"
AGGREGATE_ROLES = {"coordinator", "other_coordinator", "regional_researcher",
                   "other_regional_researcher", "commissioner"}


@pytest.fixture
def reports(settings, tmp_path):
    root = tmp_path / "reports"
    demo = root / "demo"
    (demo / "figures").mkdir(parents=True)
    (demo / "report.html").write_text("<html><body><h1>Demo report</h1></body></html>")
    (demo / "report.pdf").write_bytes(b"%PDF-1.7 demo")
    (demo / "summary.html").write_text("<html><body><h1>Commissioner summary</h1></body></html>")
    (demo / "periods.csv").write_text(f"a,b,c\n{ROW_LEVEL_TEXT}\n")
    (demo / "figures" / "fig1.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (demo / ".source-sha256").write_text("source-digest-not-for-serving")
    (tmp_path / "secret.txt").write_text(OUTSIDE_TEXT)
    (demo / "escape.csv").symlink_to(tmp_path / "secret.txt")
    (root / "linked").symlink_to(tmp_path)
    settings.REPORTS_DIR = root
    return demo


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def test_anonymous_visitors_get_nothing(client, reports):
    for url in ("/staff/reports/", "/staff/reports/demo/report.html",
                "/staff/reports/demo/periods.csv"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/staff/login/")
        assert b"Demo report" not in body(response) and ROW_LEVEL_TEXT.encode() not in body(
            response)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_only_what_it_may(client, world, reports, role):
    from peerlog.capture.models import AuditEvent

    client.force_login(world.staff[role])
    listing = client.get("/staff/reports/")
    files = {"report.html": b"Demo report", "report.pdf": b"%PDF", "figures/fig1.svg": b"<svg",
             "summary.html": b"Commissioner summary",
             "periods.csv": ROW_LEVEL_TEXT.encode()}
    if role == "administrator":
        assert listing.status_code == 403
        for name in files:
            response = client.get(f"/staff/reports/demo/{name}")
            assert response.status_code == 403 and b"Demo report" not in body(response)
        return
    assert listing.status_code == 200
    page = listing.content.decode()
    for name, content in files.items():
        response = client.get(f"/staff/reports/demo/{name}")
        if role == "commissioner":  # the summary only: the full report has small cells
            allowed = name == "summary.html"
        else:
            allowed = role == "central_researcher" or name != "periods.csv"
        assert (name in page) == allowed, (role, name)
        if allowed:
            assert response.status_code == 200, (role, name)
            data = body(response)
            assert content in data
            assert "sandbox" in response["Content-Security-Policy"]
            assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
            assert "Access-Control-Allow-Origin" not in response
            assert AuditEvent.objects.filter(action="report.open", actor=world.staff[role],
                                             detail__file=name).exists()
        else:
            assert response.status_code == 404 and content not in body(response)
            assert not AuditEvent.objects.filter(action="report.open",
                                                 detail__file=name).exists()


@pytest.mark.parametrize("path", [
    "demo/../../secret.txt", "demo/%2e%2e/%2e%2e/secret.txt", "demo/..%2f..%2fsecret.txt",
    "demo/escape.csv", "demo/.source-sha256", "linked/secret.txt", "../secret.txt/x",
    "demo//etc/passwd", "demo/%2fetc%2fpasswd", "demo/figures", "demo/", ".%2e/secret.txt",
])
def test_no_way_out_of_the_report_folder(client, world, reports, path):
    client.force_login(world.staff["central_researcher"])
    response = client.get(f"/staff/reports/{path}")
    assert response.status_code == 404, path
    assert OUTSIDE_TEXT.encode() not in body(response) and b"root:" not in body(response)
    assert b"source-digest-not-for-serving" not in body(response)


def test_the_listing_shows_no_hidden_file_symlink_or_outside_folder(client, world, reports):
    client.force_login(world.staff["central_researcher"])
    page = client.get("/staff/reports/").content.decode()
    assert "periods.csv" in page and "figures/fig1.svg" in page
    assert ".source-sha256" not in page and "escape.csv" not in page and "linked" not in page


def test_static_files_carry_no_cross_origin_header(settings, tmp_path, rf):
    """WhiteNoise adds ``Access-Control-Allow-Origin: *`` by default; PeerLog turns it off."""
    from whitenoise.middleware import WhiteNoiseMiddleware

    (tmp_path / "staff").mkdir()
    (tmp_path / "staff" / "x.css").write_text("body{}")
    settings.STATIC_ROOT = tmp_path
    assert settings.WHITENOISE_ALLOW_ALL_ORIGINS is False
    middleware = WhiteNoiseMiddleware(lambda request: None)
    response = middleware(rf.get(f"/{settings.STATIC_URL}staff/x.css".replace("//", "/")))
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


def test_no_report_under_static(client):
    for url in ("/static/demo-report/report.html", "/static/demo-report/periods.csv"):
        assert client.get(url).status_code == 404


def test_the_demo_refuses_production_and_writes_nothing(tmp_path):
    home = tmp_path / "home"
    env = {**os.environ, "PEERLOG_ENV": "production", "PEERLOG_HOME": str(home),
           "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    env.pop("PEERLOG_SECRET_KEY", None)
    run = subprocess.run([sys.executable, "-m", "peerlog.cli", "demo", "--no-serve"],
                         env=env, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode != 0
    assert "refused" in run.stderr and "PEERLOG_ENV=production" in run.stderr
    assert "password" not in run.stdout
    assert not home.exists()
