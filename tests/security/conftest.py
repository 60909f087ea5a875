"""Attack tests (issue 9): each performs an attack and checks the database and the response
body, on SQLite and PostgreSQL. ``make_staff`` and ``world`` come from the root conftest."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Dozens of staff accounts: a fast hasher keeps the suite quick (validators still run)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
