"""Django settings for PeerLog.

Everything a deployment changes comes from the environment (twelve-factor), so the same
package runs the embedded SQLite demo and a PostgreSQL production site:

- ``PEERLOG_HOME``: folder for the SQLite database, generated keys and outputs (default ``./var``).
- ``PEERLOG_DB``: ``sqlite`` (default) or ``postgres``; for PostgreSQL also ``PEERLOG_PG_NAME``,
  ``PEERLOG_PG_USER``, ``PEERLOG_PG_PASSWORD``, ``PEERLOG_PG_HOST``, ``PEERLOG_PG_PORT``.
- ``PEERLOG_SECRET_KEY``, ``PEERLOG_CONTACT_KEYS`` (see :mod:`peerlog.capture.crypto`),
  ``PEERLOG_DEBUG``, ``PEERLOG_ALLOWED_HOSTS``.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent
HOME = Path(os.environ.get("PEERLOG_HOME", Path.cwd() / "var")).resolve()

DEBUG = os.environ.get("PEERLOG_DEBUG", "0") == "1"
PRODUCTION = os.environ.get("PEERLOG_ENV", "development") == "production"


def _secret_key() -> str:
    """A per-installation key: from the environment, or generated once into PEERLOG_HOME."""
    if key := os.environ.get("PEERLOG_SECRET_KEY"):
        return key
    if PRODUCTION:
        raise RuntimeError("PEERLOG_SECRET_KEY must be set when PEERLOG_ENV=production")
    from django.core.management.utils import get_random_secret_key

    path = HOME / "secret.key"
    if not path.exists():
        HOME.mkdir(parents=True, exist_ok=True)
        path.write_text(get_random_secret_key())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = os.environ.get("PEERLOG_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "peerlog.capture",
    "peerlog.staff",
    "peerlog.outreach",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
    HOME.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": HOME / "peerlog.sqlite3",
        # Tests use a file too (not in-memory): shared-cache memory databases lock whole
        # tables and ignore the busy timeout, so concurrency tests would not test production.
        # One per test process, so parallel runs on one machine do not share a database.
        "TEST": {"NAME": str(HOME / f"test-peerlog-{os.getpid()}.sqlite3")},
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
STATIC_ROOT = HOME / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it before collectstatic

# Staff sign in at /staff/login/ (password, then an authenticator code).
LOGIN_URL = "staff:login"
LOGIN_REDIRECT_URL = "staff:home"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

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
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
