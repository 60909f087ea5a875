"""deploy/ on loopback: nginx (Debian's) with TLS in front of gunicorn on a unix socket,
PEERLOG_ENV=production, generated keys, a scratch PostgreSQL database.

Runs in the PostgreSQL pass (it needs PostgreSQL, as production does). nginx is installed
with apt-get when absent and this runs as root (CI); otherwise the test is skipped, saying why.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
import types
import urllib.request
from pathlib import Path

import pytest
from tests.ops.browser import Browser, complete_log
from tests.ops.conftest import ON_POSTGRES, ROOT, base_env, run_peerlog, run_python

pytestmark = pytest.mark.django_db  # keeps it in the PostgreSQL pass; it uses its own database

SLOW_CLIENTS = 20
SLOW_LINE_EVERY_S = 2.0

SEED = """
import datetime as dt, json
from peerlog.web import setup
setup()
from django.utils import timezone
from peerlog.capture import links, personal_ids
from peerlog.capture.models import Participant, PersonalId, PersonalIdBatch, Project, Region
from peerlog.capture.reference import load_reference
from peerlog.capture.services import store_log
load_reference()
region = Region.objects.order_by("code").first()
project = Project.objects.create(region=region, code="deploy", name="Deploy test",
                                 approach="group", funding="grant_funded")
batch = PersonalIdBatch.objects.create(project=project)
free, taken = personal_ids.new_id(5, set()), None
PersonalId.objects.create(code=free, batch=batch)
code = personal_ids.new_id(5, {free})
p = Participant.objects.create(
    personal_id=PersonalId.objects.create(code=code, batch=batch), project=project,
    consent_information=True, consent_reminders=True, consent_data_use=True,
    consent_form_version="test", consented_at=timezone.now())
store_log(scope=None, instrument="quarterly", answers={}, typed_personal_id=code,
          completed_on=timezone.localdate() - dt.timedelta(days=35), mode="online",
          submission_key="seed-" + code, received_at=timezone.now() - dt.timedelta(days=35))
print(json.dumps({"free_id": free, "participant_id": code, "region": region.code,
                  "project": project.code, "token": links.new_token(p, "staff")}))
"""

LOGS_OF = """
import json, sys
from peerlog.web import setup
setup()
from peerlog.capture.models import Log
print(json.dumps(list(Log.objects.filter(participant__personal_id__code=sys.argv[1])
                      .exclude(submission_key__startswith="seed-")
                      .values_list("kind", "status"))))
"""


def _load_localstack():
    spec = importlib.util.spec_from_file_location("localstack", ROOT / "deploy" / "localstack.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _ensure_nginx(localstack) -> None:
    if localstack.nginx_binary():
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip("nginx is not installed and cannot be installed here (needs root and apt)")
    subprocess.run(["apt-get", "install", "-y", "-qq", "nginx"], check=False,
                   capture_output=True)
    if not localstack.nginx_binary():
        subprocess.run(["apt-get", "update", "-qq"], check=True, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "nginx"], check=True,
                       capture_output=True)


class SmtpSink:
    """A real SMTP server (aiosmtpd) that accepts and forgets; `peerlog check` connects."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.port = _free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: ARG002
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    if not ON_POSTGRES:
        pytest.skip("runs in the PostgreSQL pass (PEERLOG_DB=postgres): production is PostgreSQL")
    import psycopg

    localstack = _load_localstack()
    _ensure_nginx(localstack)
    root = tmp_path_factory.mktemp("deploy")
    home = root / "home"
    env = base_env(home)
    home.chmod(0o700)
    static = root / "static"  # public, outside the private home (PEERLOG_STATIC_ROOT)
    stack = localstack.Stack(root / "run", env, static=static)
    name = f"peerlog_ops_deploy_{os.getpid()}"
    smtp = SmtpSink()
    smtp.controller.start()
    env.update(PEERLOG_ENV="production", PEERLOG_SECRET_KEY=secrets.token_urlsafe(50),
               PEERLOG_DB="postgres", PEERLOG_PG_NAME=name, PEERLOG_STATIC_ROOT=str(static),
               PEERLOG_SITE_URL=stack.base, PEERLOG_ALLOWED_HOSTS=localstack.HOST,
               EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(smtp.port),
               PEERLOG_SMS_URL="https://sms.example.org/send")
    admin = psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True)
    admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.execute(f"CREATE DATABASE {name}")
    try:
        run_peerlog(env, "manage", "migrate", "-v", "0")
        run_peerlog(env, "manage", "collectstatic", "--noinput", "-v", "0")
        seeded = json.loads(run_python(env, SEED))
        stack.start()
        yield types.SimpleNamespace(stack=stack, env=env, seeded=seeded,
                                    cafile=str(stack.work / "cert.pem"))
    finally:
        stack.stop()
        smtp.controller.stop()
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


def _get(d, path: str, **headers):
    ctx = ssl.create_default_context(cafile=d.cafile)
    req = urllib.request.Request(d.stack.base + path, headers=headers)
    with urllib.request.urlopen(req, context=ctx, timeout=30) as resp:  # noqa: S310
        return resp.status, dict(resp.headers), resp.read().decode()


def test_site_over_https_with_hsts(deployed):
    status, headers, body = _get(deployed, "/")
    assert status == 200 and "<html" in body
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "nginx/" not in headers.get("Server", "")  # server_tokens off
    status, _headers, body = _get(deployed, "/healthz")
    assert (status, body) == (200, "ok")


def test_static_files_come_from_nginx(deployed):
    static = Path(deployed.env["PEERLOG_STATIC_ROOT"])
    css = next(p for p in sorted(static.rglob("*.css")))
    rel = css.relative_to(static).as_posix()
    status, headers, body = _get(deployed, f"/static/{rel}")
    assert status == 200 and body == css.read_text()
    assert headers["Cache-Control"] == "max-age=3600"  # nginx's `expires 1h`, not WhiteNoise
    assert headers["Strict-Transport-Security"].startswith("max-age=")


def test_registering_through_the_pages_gives_an_https_link(deployed, registration_posts):
    s = deployed.seeded
    browser = Browser("localhost", deployed.stack.https_port, deployed.cafile)
    project = types.SimpleNamespace(code=s["project"],
                                    region=types.SimpleNamespace(code=s["region"]))
    posts = registration_posts(s["free_id"], project)
    for step, data in posts[:-1]:
        resp, text = browser.post_form(f"/register/{step}/", data)
        assert resp.status == 302, (step, text[:1500])
    # The last page answers with the link itself, shown once (never kept in a session).
    step, data = posts[-1]
    resp, page = browser.post_form(f"/register/{step}/", data)
    assert resp.status == 200, page[:1500]
    found = re.findall(r"(https?)://localhost:(\d+)/l/([A-Za-z0-9_-]+)/", page)
    assert found, page[:2000]
    assert {(scheme, int(port)) for scheme, port, _ in found} == {
        ("https", deployed.stack.https_port)}
    # The link works, through nginx.
    resp, _ = browser.request("GET", f"/l/{found[0][2]}/")
    assert resp.status == 200


def _slow_client(port: int, cafile: str, opened: list, stop: threading.Event,
                 lock: threading.Lock) -> None:
    """Open a TLS connection and send a request's header lines one by one, slowly."""
    ctx = ssl.create_default_context(cafile=cafile)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as raw, \
                ctx.wrap_socket(raw, server_hostname="localhost") as conn:
            conn.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n")
            with lock:
                opened.append(conn)
            n = 0
            while not stop.wait(SLOW_LINE_EVERY_S):
                n += 1
                conn.sendall(f"X-Slow-{n}: still typing\r\n".encode())
    except OSError:
        pass  # nginx gave up on it (client_header_timeout): that is the defence working


def test_slow_header_clients_do_not_stop_a_participant(deployed):
    port = deployed.stack.https_port
    opened: list = []
    stop, lock = threading.Event(), threading.Lock()
    threads = [threading.Thread(target=_slow_client,
                                args=(port, deployed.cafile, opened, stop, lock))
               for _ in range(SLOW_CLIENTS)]
    for t in threads:
        t.start()
    try:
        for _ in range(600):
            if len(opened) == SLOW_CLIENTS:
                break
            stop.wait(0.05)
        assert len(opened) == SLOW_CLIENTS  # all 20 are holding a connection
        browser = Browser("localhost", port, deployed.cafile)
        thanks = complete_log(browser, deployed.seeded["token"])
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert thanks == f"/l/{deployed.seeded['token']}/thanks/"
    stored = json.loads(run_python(deployed.env, LOGS_OF.replace(
        "sys.argv[1]", repr(deployed.seeded["participant_id"]))))
    assert stored == [["monthly", "complete"]]


def test_access_log_masks_personal_link_tokens(deployed):
    token = deployed.seeded["token"]
    browser = Browser("localhost", deployed.stack.https_port, deployed.cafile)
    resp, _ = browser.request("GET", "/")
    assert resp.status == 200
    resp, _ = browser.request("GET", f"/l/{token}/progress/?from={token}")
    assert resp.status == 200
    # nginx writes a request's log line after sending the answer: wait for it to appear
    # (readiness, not a timing assertion).
    for _attempt in range(100):
        log = deployed.stack.access_log.read_text()
        if "/progress/" in log:
            break
        time.sleep(0.1)
    assert "/l/<token>/progress/" in log
    assert token not in log
    assert "GET /healthz" in log or "GET / " in log  # other requests are logged as they are


def test_error_log_never_holds_personal_link_tokens(deployed):
    """Requests that make nginx write error-log lines (which quote the request line and
    cannot be masked): a body too large (error), a body buffered to a temporary file (warn).
    Without the site's `error_log ... crit` these lines land in the main error log, which
    this stack keeps at warn, with the token in them."""
    token = deployed.seeded["token"]
    browser = Browser("localhost", deployed.stack.https_port, deployed.cafile)
    resp, _ = browser.request("POST", f"/l/{token}/?t={token}", {"pad": "x" * 2_000_000})
    assert resp.status == 413
    # With its CSRF token, so Django reads the whole body (a refusal before reading it can
    # reset the connection while nginx is still sending: a 502 instead).
    resp, text = browser.request("GET", f"/l/{token}/progress/")
    resp, _ = browser.request("POST", f"/l/{token}/progress/",
                              {**browser.form_fields(text), "pad": "y" * 300_000})
    assert resp.status == 200  # gunicorn answered, after nginx buffered the body to disk
    for _attempt in range(100):  # readiness: both lines written to the access log
        log = deployed.stack.access_log.read_text()
        if " 413 " in log and "POST /l/<token>/progress/" in log:
            break
        time.sleep(0.1)
    assert "POST /l/<token>/progress/ HTTP/1.1\" 200" in log
    work = deployed.stack.work
    written = {path.name: path.read_text(errors="replace") for path in work.glob("*.log")}
    for name, text in written.items():
        assert token not in text, name
    assert {"error.log", "peerlog-error.log", "peerlog-access.log"} <= set(written)


def test_check_passes_on_this_setup(deployed):
    result = run_peerlog(deployed.env, "check", check=False)
    assert result.returncode == 0, result.stdout
    assert "FAIL" not in result.stdout
    lines = result.stdout.splitlines()
    for what in ("PEERLOG_SITE_URL is https", "database reachable", "migrations applied",
                 "SMTP reachable", "HSTS", "Django check --deploy",
                 "PEERLOG_HOME private to the service"):
        assert any(line.startswith("ok") and what in line for line in lines), (what, lines)
    assert lines[-1].startswith("Ready")


def test_systemd_units_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        pytest.skip("systemd-analyze is not installed")
    bindir = Path(sys.executable).parent
    for unit in (ROOT / "deploy" / "systemd").iterdir():
        # Paths of an install, pointed at this checkout so the executables exist.
        text = unit.read_text().replace("/opt/peerlog/venv/bin", str(bindir)).replace(
            "/opt/peerlog/deploy", str(ROOT / "deploy"))
        (tmp_path / unit.name).write_text(text)
    units = sorted(str(p) for p in tmp_path.iterdir())
    result = subprocess.run([analyze, "verify", "--man=no", *units], capture_output=True,
                            text=True, cwd=tmp_path)
    if "Failed to" in result.stderr and "bus" in result.stderr.lower():
        pytest.skip(f"systemd-analyze cannot run here: {result.stderr.strip()[:200]}")
    problems = [line for line in result.stderr.splitlines()
                if "peerlog" in line and "Cannot add dependency job" not in line]
    assert result.returncode == 0 and not problems, result.stderr


def test_plain_http_is_sent_to_https_and_big_bodies_are_refused(deployed):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", deployed.stack.http_port, timeout=30)
    conn.request("GET", "/register/?x=1", headers={"Host": "localhost"})
    resp = conn.getresponse()
    resp.read()
    conn.close()
    assert resp.status == 301
    assert resp.getheader("Location") == "https://localhost/register/?x=1"

    browser = Browser("localhost", deployed.stack.https_port, deployed.cafile)
    resp, body = browser.request("POST", "/register/consent/", {"pad": "x" * 2_000_000})
    assert resp.status == 413 and "Request Entity Too Large" in body  # nginx's own page
    assert "csrf" not in body.lower()  # gunicorn never saw it
