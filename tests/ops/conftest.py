"""Helpers for the operations tests: run ``peerlog`` as an operator would, in a child process
with its own environment, against a scratch database (never the suite's ``test``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
PEERLOG = [sys.executable, "-m", "peerlog.cli"]
ON_POSTGRES = os.environ.get("PEERLOG_DB") == "postgres"


def run_peerlog(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([*PEERLOG, *args], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"peerlog {' '.join(args)} exited {proc.returncode}:\n"
                             f"{proc.stdout}\n{proc.stderr}")
    return proc


def run_python(env: dict, code: str) -> str:
    proc = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def base_env(home: Path) -> dict:
    """The child's environment: this checkout's source first, fresh keys, a private home."""
    home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PEERLOG_", "DJANGO_", "EMAIL_"))}
    env.update(
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
        PEERLOG_HOME=str(home),
        PEERLOG_CONTACT_KEYS=Fernet.generate_key().decode(),
        PEERLOG_BACKUP_KEY=Fernet.generate_key().decode(),
    )
    return env


@pytest.fixture
def scratch_db(tmp_path):
    """An environment on a database of its own: SQLite in ``tmp_path`` on the SQLite pass,
    a freshly created PostgreSQL database (dropped afterwards) on the PostgreSQL pass.

    Yields ``(env, wipe)``; ``wipe()`` empties the database completely.
    """
    env = base_env(tmp_path / "home")
    if not ON_POSTGRES:
        env["PEERLOG_DB"] = "sqlite"
        db = Path(env["PEERLOG_HOME"]) / "peerlog.sqlite3"

        def wipe() -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)

        yield env, wipe
        return
    import psycopg

    name = f"peerlog_ops_scratch_{os.getpid()}"
    env.update(PEERLOG_DB="postgres", PEERLOG_PG_NAME=name)
    admin = psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True)

    def wipe() -> None:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")

    wipe()
    try:
        yield env, wipe
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()
