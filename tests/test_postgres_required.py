"""In CI a missing PostgreSQL fails the run; it is never silently skipped."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.sqlite_only
def test_ci_fails_when_postgres_is_unreachable(tmp_path):
    env = {**os.environ, "PEERLOG_DB": "postgres", "PEERLOG_PG_PORT": "1", "CI": "true",
           "PEERLOG_HOME": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         str(ROOT / "tests" / "test_migrations.py")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 3, run.stdout + run.stderr
    assert "PostgreSQL at 127.0.0.1:1 is not reachable" in run.stdout + run.stderr
