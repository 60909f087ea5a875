"""Issue 9, Low: production mode refuses to start without its keys and site URL, passes
``check --deploy`` clean, trusts the proxy's X-Forwarded-Proto, and every page carries a
Content Security Policy that the staff console and participant pages do not violate."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

SRC = str(Path(__file__).resolve().parents[2] / "src")
STRONG_SECRET = "k3P!" + "x9#Lq2@Zr7$Wm4%Tn8^Vb1&Yc6*Hd5(Jf0)Gs" + "Ue3_Ra7+Ko2=Pi9"


def production_env(home: Path, **changes: str | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PEERLOG_")}
    env.update({
        "PYTHONPATH": SRC, "PEERLOG_ENV": "production", "PEERLOG_HOME": str(home),
        "PEERLOG_SECRET_KEY": STRONG_SECRET,
        "PEERLOG_CONTACT_KEYS": Fernet.generate_key().decode(),
        "PEERLOG_SITE_URL": "https://peerlog.example.org",
        "PEERLOG_ALLOWED_HOSTS": "peerlog.example.org,testserver",
    })
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser fixture for its tests
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def peerlog(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "peerlog.cli", *args], env=env,
                          capture_output=True, text=True, timeout=180, check=False)


def test_check_deploy_is_clean_in_production(tmp_path):
    run = peerlog(production_env(tmp_path), "manage", "check", "--deploy",
                  "--fail-level", "WARNING")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "System check identified no issues" in run.stdout
    assert "WARNINGS" not in run.stdout + run.stderr


@pytest.mark.parametrize("missing", ["PEERLOG_CONTACT_KEYS", "PEERLOG_SECRET_KEY",
                                     "PEERLOG_SITE_URL"])
def test_a_missing_setting_stops_start_up(tmp_path, missing):
    env = production_env(tmp_path, **{missing: None})
    run = peerlog(env, "manage", "check")
    assert run.returncode != 0 and missing in run.stderr
    # The WSGI application (what gunicorn loads) refuses too: no server that 500s later.
    wsgi = subprocess.run([sys.executable, "-c", "import peerlog.web.wsgi"], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert wsgi.returncode != 0 and missing in wsgi.stderr
    assert not (tmp_path / "peerlog.sqlite3").exists()


@pytest.mark.parametrize(("name", "value", "message"), [
    ("PEERLOG_SITE_URL", "http://peerlog.example.org", "https://"),
    ("PEERLOG_CONTACT_KEYS", "not-a-fernet-key", "Fernet"),
    ("PEERLOG_DEBUG", "1", "PEERLOG_DEBUG"),
])
def test_unsafe_values_stop_start_up(tmp_path, name, value, message):
    run = peerlog(production_env(tmp_path, **{name: value}), "manage", "check")
    assert run.returncode != 0 and message in run.stderr


REQUESTS = r"""
import json
import django
django.setup()
from django.test import Client
c = Client()
out = {}
plain = c.get("/nothing-here/")
out["plain"] = [plain.status_code, plain.get("Location", "")]
health = c.get("/healthz")
out["healthz"] = [health.status_code, health.get("Location", "")]
proxied = c.get("/nothing-here/", HTTP_X_FORWARDED_PROTO="https")
out["proxied"] = [proxied.status_code, proxied.get("Strict-Transport-Security", ""),
                  proxied.get("Content-Security-Policy", "")]
from django.conf import settings
out["cookies"] = [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE]
print(json.dumps(out))
"""


def test_https_behind_the_proxy(tmp_path):
    import json

    env = {**production_env(tmp_path), "DJANGO_SETTINGS_MODULE": "peerlog.web.settings"}
    run = subprocess.run([sys.executable, "-c", REQUESTS], env=env, capture_output=True,
                         text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout.strip().splitlines()[-1])
    # Plain http is sent to https; the proxy's health check is not.
    assert out["plain"] == [301, "https://testserver/nothing-here/"]
    assert out["healthz"][0] != 301
    # Through the TLS proxy (X-Forwarded-Proto: https) the request is secure: HSTS is sent.
    status, hsts, csp = out["proxied"]
    assert status == 404
    assert hsts == "max-age=31536000; includeSubDomains; preload"
    assert "script-src 'self'" in csp and "object-src 'none'" in csp
    assert out["cookies"] == [True, True]


def test_every_page_has_a_csp_and_the_inline_style_its_nonce(client, issued_id,
                                                              project_factory,
                                                              registration_posts):
    project = project_factory()
    styled = 0
    for step, data in registration_posts(issued_id(project), project):
        page = client.get(f"/register/{step}/")
        header = page["Content-Security-Policy"]
        assert "default-src 'self'" in header and "frame-ancestors 'none'" in header
        assert "script-src 'self';" in header + ";"
        assert "'unsafe-inline'" not in header.replace("style-src-attr 'unsafe-inline'", "")
        for tag in re.findall(r"<style[^>]*>", page.content.decode()):
            nonce = re.search(r"'nonce-([^']+)'", header)
            assert nonce and f'nonce="{nonce.group(1)}"' == tag[7:-1], (step, tag, header)
            styled += 1
        client.post(f"/register/{step}/", data)
    assert styled >= 1, "a page with conditional questions has its inline style"
    staff = client.get("/staff/login/")
    assert "script-src 'self'" in staff["Content-Security-Policy"]


# --- In Chromium: no CSP violation on staff pages (with charts) or participant pages ------

@pytest.mark.django_db(transaction=True)
def test_no_csp_violation_in_the_browser(chromium, live_server, client, world, settings):
    from django.conf import settings as django_settings

    from peerlog.capture import links
    from peerlog.staff.models import Role

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    staff_pages = {
        Role.CENTRAL_RESEARCHER: ["/staff/", "/staff/monitoring/", "/staff/participants/",
                                  f"/staff/participants/{world.pa.pk}/", "/staff/quality/",
                                  "/staff/audit/", "/staff/exports/", "/staff/reports/",
                                  "/staff/paper/", "/staff/entry/", "/staff/ids/",
                                  "/staff/outreach/", "/staff/outreach/draws/"],
        Role.COMMISSIONER: ["/staff/", "/staff/monitoring/"],
        Role.ADMINISTRATOR: ["/staff/", "/staff/accounts/"],
    }
    users = {Role.CENTRAL_RESEARCHER: world.staff["central_researcher"],
             Role.COMMISSIONER: world.staff["commissioner"],
             Role.ADMINISTRATOR: world.staff["administrator"]}
    token = links.new_token(world.pa, "registration")  # pa has a log: a progress bar
    violations, visited = [], 0
    for role, paths in [*staff_pages.items(), (None, ["/", "/register/", "/register/consent/",
                                                      f"/l/{token}/",
                                                      f"/l/{token}/progress/"])]:
        context = chromium.new_context()
        if role is not None:
            client.force_login(users[role])
            context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME,
                                  "value": client.cookies[django_settings.SESSION_COOKIE_NAME]
                                  .value, "url": live_server.url}])
        page = context.new_page()
        page.on("console", lambda msg, page=page: violations.append((page.url, msg.text))
                if "Content Security Policy" in msg.text else None)
        for path in paths:
            response = page.goto(f"{live_server.url}{path}")
            assert response is not None and response.status < 500, path
            assert response.headers.get("content-security-policy"), path
            visited += 1
        context.close()
    assert visited >= 20
    assert violations == []


def test_allowed_hosts_default_to_the_site_url_host_in_production(tmp_path):
    env = production_env(tmp_path, PEERLOG_ALLOWED_HOSTS=None)
    run = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); from django.conf import "
         "settings; print(settings.ALLOWED_HOSTS)"],
        env={**env, "DJANGO_SETTINGS_MODULE": "peerlog.web.settings"}, capture_output=True,
        text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "['peerlog.example.org']"
