"""The Django project: settings, URLs, WSGI, and :func:`setup` for commands."""

import os


def setup() -> None:
    """Configure Django for a command-line job (idempotent)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerlog.web.settings")
    import django

    django.setup()
