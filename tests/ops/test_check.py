"""`peerlog check` on environments that are not ready: one clear FAIL line per problem, exit 1.
(The passing case is in test_deploy.py, on the real deploy/ setup.)"""

from __future__ import annotations

import socket

from tests.ops.conftest import base_env, run_peerlog


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_production_without_a_secret_key_says_so(tmp_path):
    env = base_env(tmp_path / "home")
    env.update(PEERLOG_ENV="production", PEERLOG_DB="sqlite")
    result = run_peerlog(env, "check", check=False)
    assert result.returncode == 1
    assert "FAIL  settings load: PEERLOG_SECRET_KEY must be set" in result.stdout


def test_every_problem_gets_its_own_line(tmp_path):
    env = base_env(tmp_path / "home")
    home = tmp_path / "home"
    home.chmod(0o755)
    (home / "notes.txt").write_text("x")
    (home / "notes.txt").chmod(0o644)
    env.update(PEERLOG_ENV="production", PEERLOG_DB="sqlite", PEERLOG_SECRET_KEY="short",
               PEERLOG_CONTACT_KEYS="not-a-fernet-key", PEERLOG_BACKUP_KEY="",
               PEERLOG_SITE_URL="http://peerlog.example.org",
               PEERLOG_ALLOWED_HOSTS="localhost",
               EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(_closed_port()))
    result = run_peerlog(env, "check", check=False)
    assert result.returncode == 1
    fails = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    expected = [
        "FAIL  PEERLOG_SECRET_KEY set: missing or shorter than 50 characters",
        "FAIL  PEERLOG_CONTACT_KEYS valid: key(s) 1 are not Fernet keys",
        "FAIL  PEERLOG_BACKUP_KEY set: missing: backups cannot be made",
        "FAIL  PEERLOG_SITE_URL is https: http://peerlog.example.org: personal links would "
        "travel in clear",
        "FAIL  site host in PEERLOG_ALLOWED_HOSTS: 'peerlog.example.org' not in localhost",
        "FAIL  migrations applied:",
        "FAIL  SMTP reachable: 127.0.0.1:",
        "FAIL  files in PEERLOG_HOME private to the service: readable by others: notes.txt",
        "FAIL  Django security.W009",
    ]
    for start in expected:
        assert any(line.startswith(start) for line in fails), (start, result.stdout)
    assert "WARN  PostgreSQL in production" in result.stdout
    assert result.stdout.splitlines()[-1].endswith("not ready to go live.")
    # Nothing secret is printed.
    assert "not-a-fernet-key" not in result.stdout and "short" not in result.stdout.replace(
        "shorter", "")


def test_sms_replies_need_a_webhook_secret(tmp_path):
    """With text reminders on, an empty webhook secret is a warning (every STOP would be
    refused), a short one a failure; a good one passes, and none is printed."""
    env = base_env(tmp_path / "home")
    env.update(PEERLOG_DB="sqlite", PEERLOG_SMS_URL="https://sms.example.org/send")
    env.pop("PEERLOG_SMS_WEBHOOK_SECRET", None)
    out = run_peerlog(env, "check", "--no-smtp", check=False).stdout
    assert ("WARN  SMS replies (STOP/START) accepted: PEERLOG_SMS_WEBHOOK_SECRET is empty"
            in out)
    env["PEERLOG_SMS_WEBHOOK_SECRET"] = "tooshort-secret"
    out = run_peerlog(env, "check", "--no-smtp", check=False).stdout
    assert "FAIL  SMS replies (STOP/START) accepted: PEERLOG_SMS_WEBHOOK_SECRET is shorter" in out
    assert "tooshort-secret" not in out
    env["PEERLOG_SMS_WEBHOOK_SECRET"] = "s" * 20 + "0123456789abcdefghij"
    out = run_peerlog(env, "check", "--no-smtp", check=False).stdout
    assert "ok    SMS replies (STOP/START) accepted" in out
    env.pop("PEERLOG_SMS_URL")
    out = run_peerlog(env, "check", "--no-smtp", check=False).stdout
    assert "SMS replies" not in out  # no text reminders: nothing to check
