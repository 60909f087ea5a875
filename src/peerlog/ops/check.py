"""``peerlog check``: what is wrong before going live, one clear line per check.

Every check runs (one failure does not hide the next); the command exits non-zero when any
failed, so it can guard a deployment script. Nothing secret is printed.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography.fernet import Fernet


@dataclass
class Result:
    ok: bool
    what: str
    detail: str = ""
    warning: bool = False

    def line(self) -> str:
        tag = "ok  " if self.ok else ("WARN" if self.warning else "FAIL")
        return f"{tag}  {self.what}" + (f": {self.detail}" if self.detail else "")


def _fernet_keys(name: str) -> list[str]:
    return [k.strip() for k in os.environ.get(name, "").split(",") if k.strip()]


def check_startup() -> Iterator[Result]:
    """What would stop the server starting (the settings' own refusals, one line each)."""
    from django.conf import settings

    for problem in getattr(settings, "STARTUP_PROBLEMS", []):
        yield Result(False, "settings load", problem)


def check_environment() -> Iterator[Result]:
    from django.conf import settings

    yield Result(settings.PRODUCTION, "PEERLOG_ENV=production",
                 "" if settings.PRODUCTION else "not set: development defaults are in force")
    yield Result(not settings.DEBUG, "PEERLOG_DEBUG off",
                 "" if not settings.DEBUG else "debug pages would show data to anyone")
    secret = os.environ.get("PEERLOG_SECRET_KEY", "")
    yield Result(len(secret) >= 50 and len(set(secret)) >= 5, "PEERLOG_SECRET_KEY set",
                 "" if len(secret) >= 50 else "missing or shorter than 50 characters")
    for name, why in (("PEERLOG_CONTACT_KEYS", "contact details cannot be encrypted"),
                      ("PEERLOG_BACKUP_KEY", "backups cannot be made")):
        keys = _fernet_keys(name)
        bad = []
        for n, key in enumerate(keys, 1):
            try:
                Fernet(key.encode())
            except (ValueError, TypeError):
                bad.append(str(n))
        if not keys:
            yield Result(False, f"{name} set", f"missing: {why}")
        elif bad:
            yield Result(False, f"{name} valid", f"key(s) {', '.join(bad)} are not Fernet keys")
        else:
            yield Result(True, f"{name} valid", f"{len(keys)} key(s)")
    shared = set(_fernet_keys("PEERLOG_CONTACT_KEYS")) & set(_fernet_keys("PEERLOG_BACKUP_KEY"))
    yield Result(not shared, "backup key differs from the contact keys",
                 "the same key opens both: a leak of one is a leak of both" if shared else "")


def check_site() -> Iterator[Result]:
    from django.conf import settings

    url = settings.PEERLOG["SITE_URL"]
    parts = urlsplit(url)
    yield Result(parts.scheme == "https", "PEERLOG_SITE_URL is https",
                 url if parts.scheme == "https" else f"{url}: personal links would travel in clear")
    host = parts.hostname or ""
    allowed = settings.ALLOWED_HOSTS
    ok = host in allowed or any(h.startswith(".") and host.endswith(h) for h in allowed)
    yield Result(ok, "site host in PEERLOG_ALLOWED_HOSTS",
                 "" if ok else f"{host!r} not in {','.join(allowed)}")
    proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    yield Result(proxy == ("HTTP_X_FORWARDED_PROTO", "https"),
                 "HTTPS known behind the proxy (SECURE_PROXY_SSL_HEADER)",
                 "" if proxy else "not set: links and redirects would say http://")
    hsts = getattr(settings, "SECURE_HSTS_SECONDS", 0)
    yield Result(hsts >= 31_536_000 // 2, "HSTS", f"{hsts} s" if hsts else "off")
    for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
        on = bool(getattr(settings, name, False))
        yield Result(on, name, "" if on else "off")


def check_database() -> Iterator[Result]:
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    name = connection.settings_dict["NAME"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        yield Result(False, "database reachable", f"{connection.vendor} {name}: {exc}".strip())
        return
    yield Result(True, "database reachable", f"{connection.vendor} {name}")
    if connection.vendor != "postgresql":
        yield Result(False, "PostgreSQL in production", "SQLite is for the demo and one machine",
                     warning=True)
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    yield Result(not plan, "migrations applied",
                 f"{len(plan)} to apply: peerlog manage migrate" if plan else "")
    if not plan:
        yield from _contact_key_matches()


def _contact_key_matches() -> Iterator[Result]:
    from django.core.exceptions import ImproperlyConfigured

    from peerlog.capture.models import ContactDetails

    sample = ContactDetails.objects.exclude(email="").first()
    try:
        if sample is not None:
            sample.refresh_from_db()
    except (ImproperlyConfigured, ValueError):
        yield Result(False, "stored contact details decrypt",
                     "the keys in PEERLOG_CONTACT_KEYS do not open them")
        return
    yield Result(True, "stored contact details decrypt", "" if sample else "none stored yet")


def check_smtp() -> Iterator[Result]:
    from django.conf import settings

    mailer = settings.MAILERS.get("reminders", settings.MAILERS["default"])
    if not mailer["BACKEND"].endswith("smtp.EmailBackend"):
        yield Result(False, "SMTP", f"backend is {mailer['BACKEND']}", warning=True)
        return
    opts = mailer["OPTIONS"]
    where = f"{opts['host']}:{opts['port']}"
    try:
        cls = smtplib.SMTP_SSL if opts["use_ssl"] else smtplib.SMTP
        with cls(opts["host"], opts["port"], timeout=min(opts["timeout"], 10)) as smtp:
            smtp.ehlo()
            if opts["use_tls"]:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if opts["username"]:
                smtp.login(opts["username"], opts["password"])
            smtp.noop()
    except (OSError, smtplib.SMTPException) as exc:
        yield Result(False, "SMTP reachable", f"{where}: {exc}")
        return
    yield Result(True, "SMTP reachable", where)
    sms = settings.PEERLOG_SMS
    yield Result(bool(sms["URL"]), "SMS provider set",
                 "" if sms["URL"] else "PEERLOG_SMS_URL is empty: text reminders will fail",
                 warning=True)


def check_sms_replies() -> Iterator[Result]:
    """Text reminders tell people to reply STOP; the reply reaches /sms/inbound/ only when
    signed with the shared secret, so without one every STOP is refused (403)."""
    from django.conf import settings

    sms = settings.PEERLOG_SMS
    if not sms["URL"]:
        return  # no text reminders, so no replies to receive
    secret = sms.get("WEBHOOK_SECRET", "")
    if not secret:
        yield Result(False, "SMS replies (STOP/START) accepted",
                     "PEERLOG_SMS_WEBHOOK_SECRET is empty: replies are refused, so people "
                     "cannot stop text reminders by text", warning=True)
    elif len(secret) < 32:
        yield Result(False, "SMS replies (STOP/START) accepted",
                     "PEERLOG_SMS_WEBHOOK_SECRET is shorter than 32 characters: anyone could "
                     "guess it and stop or restart someone's reminders")
    else:
        yield Result(True, "SMS replies (STOP/START) accepted")


def check_files() -> Iterator[Result]:
    from django.conf import settings

    home = settings.HOME
    if not home.is_dir():
        yield Result(False, "PEERLOG_HOME exists", str(home))
        return
    mode = stat.S_IMODE(home.stat().st_mode)
    yield Result(not mode & 0o077, "PEERLOG_HOME private to the service",
                 f"{home} is {mode:o}" + ("" if not mode & 0o077 else f": chmod 700 {home}"))
    exposed = [p.name for p in home.iterdir()
               if p.is_file() and stat.S_IMODE(p.stat().st_mode) & 0o077]
    yield Result(not exposed, "files in PEERLOG_HOME private to the service",
                 f"readable by others: {', '.join(sorted(exposed))}: chmod 600" if exposed else "")


# HSTS for every subdomain, and the browsers' preload list, commit the whole domain (often
# the programme's organisation's) to HTTPS: a choice to make knowingly, so a warning.
DOMAIN_CHOICES = {"security.W005", "security.W021"}


def check_django() -> Iterator[Result]:
    from django.core import checks

    messages = [m for m in checks.run_checks(include_deployment_checks=True)
                if m.level >= checks.WARNING and not m.is_silenced()]
    if not [m for m in messages if m.id not in DOMAIN_CHOICES]:
        yield Result(True, "Django check --deploy")
    for m in messages:
        yield Result(False, f"Django {m.id}", str(m.msg).split("\n")[0],
                     warning=m.id in DOMAIN_CHOICES)


CHECKS: tuple[Callable[[], Iterator[Result]], ...] = (
    check_startup, check_environment, check_site, check_database, check_smtp,
    check_sms_replies, check_files, check_django)


def run_checks(smtp: bool = True) -> list[Result]:
    """Every check's results; a check that breaks becomes a FAIL line, never a traceback."""
    results: list[Result] = []
    for check in CHECKS:
        if check is check_smtp and not smtp:
            continue
        try:
            for result in check():
                results.append(result)
        except Exception as exc:  # reported, and the other checks still run
            what = check.__name__.removeprefix("check_")
            results.append(Result(False, f"{what} checks", f"{type(exc).__name__}: {exc}"))
    return results
