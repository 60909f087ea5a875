"""Staff console fixtures: ``make_staff`` and ``world`` live in the suite's root conftest
(tests/security uses them too); here, fast password hashing for the dozens of accounts."""

from __future__ import annotations

import pytest
from tests.conftest import DAY, monthly_answers  # noqa: F401  (used by the staff tests)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Staff accounts are made by the dozen here; a fast hasher keeps the suite quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
