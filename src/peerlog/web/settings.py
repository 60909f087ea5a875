"""Django settings for PeerLog.

Everything a deployment changes comes from the environment (twelve-factor), so the same
package runs the embedded SQLite demo and a PostgreSQL production site:

- ``PEERLOG_HOME``: folder for the SQLite database, generated keys and outputs (default ``./var``).
- ``PEERLOG_DB``: ``sqlite`` (default) or ``postgres``; for PostgreSQL also ``PEERLOG_PG_NAME``,
  ``PEERLOG_PG_USER``, ``PEERLOG_PG_PASSWORD``, ``PEERLOG_PG_HOST``, ``PEERLOG_PG_PORT``.
- ``PEERLOG_SECRET_KEY``, ``PEERLOG_CONTACT_KEYS`` (see :mod:`peerlog.capture.crypto`),
  ``PEERLOG_DEBUG``, ``PEERLOG_ALLOWED_HOSTS``.
- ``PEERLOG_ENV=production``: ``PEERLOG_SECRET_KEY``, ``PEERLOG_CONTACT_KEYS`` and an https
  ``PEERLOG_SITE_URL`` are required (a missing one stops start-up, for ``peerlog serve`` and
  WSGI alike); HTTPS only behind a proxy that sets ``X-Forwarded-Proto`` (HSTS, redirect,
  secure cookies); ``peerlog manage check --deploy`` is clean.

Files PeerLog writes are private to its user: the process umask is 0o077 and
``PEERLOG_HOME`` is 0700 (the SQLite database and its WAL/SHM, keys, exports, reports: 0600).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Everything PeerLog writes (database, keys, exports, reports) is for its own user only.
# Set here, because every command and the web server load these settings before writing.
os.umask(0o077)

PACKAGE_DIR = Path(__file__).resolve().parent.parent
HOME = Path(os.environ.get("PEERLOG_HOME", Path.cwd() / "var")).resolve()

DEBUG = os.environ.get("PEERLOG_DEBUG", "0") == "1"
PRODUCTION = os.environ.get("PEERLOG_ENV", "development") == "production"
PRIVATE_FILES = ("peerlog.sqlite3", "peerlog.sqlite3-wal", "peerlog.sqlite3-shm", "secret.key",
                 "contact.key")


def ensure_home(home: Path = HOME) -> Path:
    """Create ``home`` 0700, and make an older, looser one (and its known files) private."""
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    if home.stat().st_uid == os.getuid():
        home.chmod(0o700)
        for name in PRIVATE_FILES:
            path = home / name
            if path.is_file() and not path.is_symlink():
                path.chmod(0o600)
    return home


# `peerlog check` sets PEERLOG_CHECKING=1: it reports every start-up problem as a line of
# its own instead of stopping at the first (the server and commands still refuse to start).
CHECKING = os.environ.get("PEERLOG_CHECKING") == "1"
STARTUP_PROBLEMS: list[str] = []


def _refuse(message: str) -> None:
    if not CHECKING:
        raise ImproperlyConfigured(message)
    STARTUP_PROBLEMS.append(message)


def _production_settings() -> None:
    """Refuse to start in production without what keeps people's data safe."""
    env = os.environ.get
    for name in ("PEERLOG_SECRET_KEY", "PEERLOG_CONTACT_KEYS", "PEERLOG_SITE_URL"):
        if not env(name, "").strip():
            _refuse(f"{name} must be set when PEERLOG_ENV=production (see docs/security.md)")
    if env("PEERLOG_SITE_URL", "").strip() and not env("PEERLOG_SITE_URL", "").startswith(
            "https://"):
        _refuse("PEERLOG_SITE_URL must be an https:// address in production")
    from cryptography.fernet import Fernet

    try:
        for key in filter(None, (k.strip() for k in env("PEERLOG_CONTACT_KEYS", "").split(","))):
            Fernet(key.encode())
    except ValueError:
        _refuse("PEERLOG_CONTACT_KEYS must be Fernet keys (comma-separated, newest first)")
    if DEBUG:
        _refuse("PEERLOG_DEBUG=1 is not allowed in production")


if PRODUCTION:
    _production_settings()


def _secret_key() -> str:
    """A per-installation key: from the environment, or generated once into PEERLOG_HOME."""
    if key := os.environ.get("PEERLOG_SECRET_KEY"):
        return key
    if PRODUCTION:
        if CHECKING:  # already reported by _production_settings; a throwaway key to go on
            from django.core.management.utils import get_random_secret_key

            return get_random_secret_key()
        raise ImproperlyConfigured("PEERLOG_SECRET_KEY must be set when PEERLOG_ENV=production")
    from django.core.management.utils import get_random_secret_key

    path = HOME / "secret.key"
    if not path.exists():
        ensure_home()
        path.write_text(get_random_secret_key())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()

def _allowed_hosts() -> list[str]:
    """PEERLOG_ALLOWED_HOSTS; in production without it, the host of PEERLOG_SITE_URL."""
    if hosts := os.environ.get("PEERLOG_ALLOWED_HOSTS", "").strip():
        return [h.strip() for h in hosts.split(",") if h.strip()]
    if PRODUCTION:
        from urllib.parse import urlsplit

        return [urlsplit(os.environ.get("PEERLOG_SITE_URL", "")).hostname or "localhost"]
    return ["127.0.0.1", "localhost"]


ALLOWED_HOSTS = _allowed_hosts()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "peerlog.capture",
    "peerlog.staff",
    "peerlog.outreach",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Staff sessions: idle and absolute timeouts, and a required password change first.
    "peerlog.staff.middleware.StaffSessionMiddleware",
    # Sign-in throttling (django-axes); last, as its documentation asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "peerlog.web.urls"
WSGI_APPLICATION = "peerlog.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "web" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "peerlog.staff.context.staff_nav",
            ],
        },
    },
]


def _database() -> dict:
    engine = os.environ.get("PEERLOG_DB", "sqlite")
    if engine == "postgres":
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ.get("PEERLOG_PG_NAME", "test"),
            "USER": os.environ.get("PEERLOG_PG_USER", "postgres"),
            "PASSWORD": os.environ.get("PEERLOG_PG_PASSWORD", ""),
            "HOST": os.environ.get("PEERLOG_PG_HOST", "127.0.0.1"),
            "PORT": os.environ.get("PEERLOG_PG_PORT", "5432"),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "TEST": {"NAME": f"test_peerlog_{os.getpid()}"},
        }
    if engine != "sqlite":
        raise RuntimeError(f"PEERLOG_DB must be 'sqlite' or 'postgres', not {engine!r}")
    ensure_home()
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": HOME / "peerlog.sqlite3",
        # Tests use a file too (not in-memory): shared-cache memory databases lock whole
        # tables and ignore the busy timeout, so concurrency tests would not test production.
        # One per test process, so parallel runs on one machine do not share a database.
        "TEST": {"NAME": str(HOME / f"test-peerlog-{os.getpid()}.sqlite3")},
        # A new connection per request. Keeping connections (CONN_MAX_AGE 60) halved the
        # SQLite hot path's CPU (bench/README.md), but a whole-suite run then hit one
        # unexplained "disk I/O error" opening the test database after the tests that run a
        # gunicorn or a live server on the same file; until that is understood, SQLite (the
        # one-machine default) keeps Django's default. PostgreSQL keeps its connections.
        # WAL and a busy timeout let the web server and commands (reminders, export) share
        # the file without "database is locked" errors; IMMEDIATE avoids upgrade deadlocks.
        "OPTIONS": {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: English is the source; others are added as translation data (instruments) and
# gettext catalogues (interface). Django knows which languages are right-to-left.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ar", _("Arabic"))]
# Validated translations are data (docs/languages.md): a language whose form texts are added
# with PEERLOG_TRANSLATIONS_DIR and whose interface catalogue (<code>/LC_MESSAGES/django.mo)
# is in a directory of PEERLOG_LOCALE_DIRS (":"-separated) is offered on every page.
LOCALE_PATHS = [
    *(Path(p) for p in os.environ.get("PEERLOG_LOCALE_DIRS", "").split(os.pathsep) if p),
    PACKAGE_DIR / "locale",
]


def _added_languages() -> list:
    from peerlog.instruments import languages

    known = {code for code, _name in LANGUAGES}
    return [lang for lang in languages() if lang.code not in known]


_ADDED = _added_languages()
LANGUAGES += [(lang.code, lang.name) for lang in _ADDED]
LANGUAGES_BIDI = ["he", "ar", "ar-dz", "ckb", "fa", "ps", "ur", "ug",
                  *(lang.code for lang in _ADDED if lang.direction == "rtl")]
USE_I18N = True
TIME_ZONE = "Europe/London"
USE_TZ = True

STATIC_URL = "static/"
# deploy/: nginx serves the collected static files from a public folder outside the private
# PEERLOG_HOME (PEERLOG_STATIC_ROOT); otherwise WhiteNoise serves them from inside it.
STATIC_ROOT = Path(os.environ.get("PEERLOG_STATIC_ROOT") or HOME / "static").resolve()
ensure_home()
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it before collectstatic
# Static files are public and hold no data (reports are not static: see REPORTS_DIR); no
# "Access-Control-Allow-Origin: *" on them either.
WHITENOISE_ALLOW_ALL_ORIGINS = False
# Analysis reports, one folder each, served to signed-in staff by role (/staff/reports/).
REPORTS_DIR = Path(os.environ.get("PEERLOG_REPORTS_DIR", HOME / "reports")).resolve()

# Staff sign in at /staff/login/ (password, then an authenticator code).
LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:home"

# Sign-in throttling (django-axes; see peerlog.staff.lockout and docs/security.md). The
# throttle backend comes first, so a throttled attempt is refused before any password hashing.
AUTHENTICATION_BACKENDS = [
    "peerlog.staff.lockout.ThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5  # per (user name, client address) within the cool-off
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "peerlog.staff.lockout.ThrottleHandler"
AXES_USERNAME_CALLABLE = "peerlog.staff.lockout.throttle_username"
AXES_CLIENT_IP_CALLABLE = "peerlog.web.client.client_address"
AXES_LOCKOUT_CALLABLE = "peerlog.staff.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ADMIN = False  # unlocking is an audited console action, not an admin delete
AXES_SENSITIVE_PARAMETERS = ["username", "password", "code", "ip_address"]
# Failures from one client address, whatever the user names, before it is throttled too.
PEERLOG_SIGNIN_ADDRESS_LIMIT = int(os.environ.get("PEERLOG_SIGNIN_ADDRESS_LIMIT", "20"))
# Behind a reverse proxy (nginx) REMOTE_ADDR is the proxy's: list the proxies' addresses
# (comma-separated) and the client address is read from PEERLOG["CLIENT_ADDRESS_HEADER"]
# (X-Forwarded-For unless set) only on requests from them (peerlog.web.client).
PEERLOG_TRUSTED_PROXIES = [
    a.strip() for a in os.environ.get("PEERLOG_TRUSTED_PROXIES", "").split(",") if a.strip()
]

# Signed-in staff: signed out after 30 minutes without a request, and 12 hours after signing
# in (peerlog.staff.middleware). Participants' sessions are not affected.
STAFF_IDLE_TIMEOUT = dt.timedelta(minutes=30)
STAFF_ABSOLUTE_TIMEOUT = dt.timedelta(hours=12)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Production is HTTPS only, behind a TLS proxy (nginx) that sets X-Forwarded-Proto: so
# request.is_secure() is true there and links in messages are built as https://. The
# proxy must overwrite (never pass on) a client's X-Forwarded-Proto.
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]  # the proxy's and monitor's health check
    SECURE_HSTS_SECONDS = int(os.environ.get("PEERLOG_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("PEERLOG_HSTS_SUBDOMAINS", "1") == "1"
    SECURE_HSTS_PRELOAD = os.environ.get("PEERLOG_HSTS_PRELOAD", "1") == "1"

# Content Security Policy (django-csp): only PeerLog's own scripts, styles and images. The
# participant pages' one inline <style> (conditional CSS) carries the request's nonce.
# Inline style *attributes* are allowed (style-src-attr): the progress bar's width is one;
# an attribute cannot load anything or run script. Served analysis reports have their own,
# stricter, sandboxed policy (peerlog.staff.views.reports).
from csp.constants import NONCE, NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# Programme settings that forms and messages read.
PEERLOG = {
    "ONLINE_NETWORK_NAME": os.environ.get("PEERLOG_ONLINE_NETWORK", "Elefriends"),
    "PERSONAL_ID_DIGITS": int(os.environ.get("PEERLOG_PERSONAL_ID_DIGITS", "5")),
    "CONSENT_FORM_VERSION": os.environ.get("PEERLOG_CONSENT_FORM_VERSION", "2015-09"),
    # Who participants contact for help; shown in the forms ({contact_name}, ...). The
    # evaluation's own contacts are deliberately not the default: a demo must not send
    # people to a real team. The phone default is in Ofcom's range for drama (fictional).
    "SUPPORT_NAME": os.environ.get("PEERLOG_SUPPORT_NAME", "the PeerLog team"),
    "SUPPORT_EMAIL": os.environ.get("PEERLOG_SUPPORT_EMAIL", "peerlog-support@example.org"),
    "SUPPORT_PHONE": os.environ.get("PEERLOG_SUPPORT_PHONE", "0113 496 0000"),
    # Reminders and prize draws (peerlog.outreach; docs/reminders-and-draws.md).
    # Required (https) in production: links in reminders are built on it.
    "SITE_URL": os.environ.get("PEERLOG_SITE_URL", "http://127.0.0.1:8000").rstrip("/"),
    "SUPPORT_CONTACT": os.environ.get(
        "PEERLOG_SUPPORT_CONTACT", "your project coordinator, or the PeerLog team"
    ),
    # How long a personal link keeps working (each reminder brings a fresh one).
    "LINK_LIFETIME_DAYS": int(os.environ.get("PEERLOG_LINK_LIFETIME_DAYS", "365")),
    "REMINDER_AFTER_DAYS": int(os.environ.get("PEERLOG_REMINDER_AFTER_DAYS", "28")),
    "REMINDER_MAX_ATTEMPTS": int(os.environ.get("PEERLOG_REMINDER_MAX_ATTEMPTS", "5")),
    # ISO date: no log may be dated earlier, and monitoring starts here (the evaluation's
    # first registration was 25/09/15, so the synthetic demo cohort fits the default).
    "PROGRAMME_START": os.environ.get("PEERLOG_PROGRAMME_START", "2015-09-01"),
}


def _smtp_mailer() -> dict:
    """An SMTP mailer (Django 6.1 MAILERS) from EMAIL_HOST, EMAIL_PORT, ... in the environment."""
    env = os.environ.get
    return {
        "BACKEND": env("PEERLOG_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            "host": env("EMAIL_HOST", "localhost"),
            "port": int(env("EMAIL_PORT", "25")),
            "username": env("EMAIL_HOST_USER", ""),
            "password": env("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env("EMAIL_USE_TLS", "0") == "1",
            "use_ssl": env("EMAIL_USE_SSL", "0") == "1",
            "timeout": int(env("EMAIL_TIMEOUT", "30")),
        },
    }


# "reminders" is the mailer peerlog.outreach sends reminders with (see its docs).
MAILERS = {"default": _smtp_mailer(), "reminders": _smtp_mailer()}
DEFAULT_FROM_EMAIL = os.environ.get("PEERLOG_FROM_EMAIL", "PeerLog <peerlog@localhost>")

# SMS: a provider-neutral backend (peerlog.outreach.sms); the default speaks a generic
# JSON-over-HTTPS API with an Idempotency-Key header. Without a URL, SMS messages fail
# (retried, shown to staff) until one is set.
PEERLOG_SMS = {
    "BACKEND": os.environ.get("PEERLOG_SMS_BACKEND", "peerlog.outreach.sms.HttpJsonSmsBackend"),
    "URL": os.environ.get("PEERLOG_SMS_URL", ""),
    "TOKEN": os.environ.get("PEERLOG_SMS_TOKEN", ""),
    "SENDER": os.environ.get("PEERLOG_SMS_SENDER", "PeerLog"),
    "TIMEOUT": float(os.environ.get("PEERLOG_SMS_TIMEOUT", "15")),
    # Inbound texts ("STOP") are accepted only signed with this (peerlog.outreach.inbound).
    "WEBHOOK_SECRET": os.environ.get("PEERLOG_SMS_WEBHOOK_SECRET", ""),
}

# Personal-link tokens are masked in every log line (peerlog.web.logmask); gunicorn's own
# logs are masked by its --logger-class (peerlog.web.server).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_tokens": {"()": "peerlog.web.logmask.MaskTokens"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_tokens"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django.request": {"filters": ["mask_tokens"]},
        "django.security.csrf": {"filters": ["mask_tokens"]},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False,
                          "filters": ["mask_tokens"]},
    },
}

# A participant whose CSRF cookie is gone gets a kind page, not Django's technical 403.
CSRF_FAILURE_VIEW = "peerlog.capture.views.errors.csrf_failure"

# Retention and limits of the participant pages (peerlog.capture.ratelimit, `peerlog cleanup`;
# docs/participant-pages.md).
PEERLOG.update({
    # Lookups of personal IDs on the registration's ID page, per client address and per ID.
    "REGISTER_ID_LIMIT_PER_CLIENT": int(os.environ.get("PEERLOG_REGISTER_ID_LIMIT_PER_CLIENT",
                                                       "10")),
    "REGISTER_ID_LIMIT_PER_ID": int(os.environ.get("PEERLOG_REGISTER_ID_LIMIT_PER_ID", "5")),
    # Registrations started (drafts made) per client address.
    "REGISTER_START_LIMIT_PER_CLIENT": int(os.environ.get(
        "PEERLOG_REGISTER_START_LIMIT_PER_CLIENT", "20")),
    "RATE_LIMIT_WINDOW_MINUTES": int(os.environ.get("PEERLOG_RATE_LIMIT_WINDOW_MINUTES", "60")),
    # Behind a reverse proxy: the WSGI key of the header holding the client's address
    # (e.g. HTTP_X_FORWARDED_FOR; the nearest entry not a PEERLOG_TRUSTED_PROXIES address is
    # used; peerlog.web.client). Empty: REMOTE_ADDR, unless trusted proxies are listed.
    "CLIENT_ADDRESS_HEADER": os.environ.get("PEERLOG_CLIENT_ADDRESS_HEADER", ""),
    # `peerlog cleanup` (run daily): what is deleted after how many days.
    "REGISTRATION_DRAFT_DAYS": int(os.environ.get("PEERLOG_REGISTRATION_DRAFT_DAYS", "7")),
    "LOG_DRAFT_DAYS": int(os.environ.get("PEERLOG_LOG_DRAFT_DAYS", "60")),
    "DEAD_LINK_DAYS": int(os.environ.get("PEERLOG_DEAD_LINK_DAYS", "90")),
    "RATE_LIMIT_KEEP_DAYS": int(os.environ.get("PEERLOG_RATE_LIMIT_KEEP_DAYS", "2")),
    # Bodies of outbox messages sent (they carry a personal link); 0 keeps them.
    "SENT_MESSAGE_BODY_DAYS": int(os.environ.get("PEERLOG_SENT_MESSAGE_BODY_DAYS", "30")),
    # Audit events are evidence (who saw contact details, who changed a log): six years by
    # default, the UK limitation period for most claims; 0 keeps them for ever.
    "AUDIT_KEEP_DAYS": int(os.environ.get("PEERLOG_AUDIT_KEEP_DAYS", str(6 * 366))),
})

# "Get a new link" (peerlog.capture.views.newlink): requests per client address and per
# personal ID in each RATE_LIMIT_WINDOW_MINUTES.
PEERLOG.update({
    "NEW_LINK_LIMIT_PER_CLIENT": int(os.environ.get("PEERLOG_NEW_LINK_LIMIT_PER_CLIENT", "5")),
    "NEW_LINK_LIMIT_PER_ID": int(os.environ.get("PEERLOG_NEW_LINK_LIMIT_PER_ID", "3")),
})


def _crisis_contacts() -> list[dict]:
    """Who to call in a crisis, shown on every participant page's help link: UK national
    services unless PEERLOG_CRISIS_CONTACTS (a JSON list of {"name", "phone", "text"}) says
    otherwise. The defaults are translated; a programme's own are shown as written."""
    import json

    from django.utils.translation import gettext_lazy

    if raw := os.environ.get("PEERLOG_CRISIS_CONTACTS", "").strip():
        return [{"name": c["name"], "phone": c.get("phone", ""), "text": c.get("text", "")}
                for c in json.loads(raw)]
    return [
        {"name": gettext_lazy("Emergency services"), "phone": "999",
         "text": gettext_lazy("If your life or someone else's life is in danger now, call 999 "
                              "or go to A&E.")},
        {"name": gettext_lazy("Samaritans"), "phone": "116 123",
         "text": gettext_lazy("Free, 24 hours a day, every day. You can talk about anything "
                              "that is troubling you.")},
        {"name": gettext_lazy("NHS 111"), "phone": "111",
         "text": gettext_lazy("Free, 24 hours a day, for urgent help when it is not an "
                              "emergency, including with your mental health.")},
    ]


PEERLOG["CRISIS_CONTACTS"] = _crisis_contacts()
