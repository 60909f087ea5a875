"""Issue 9, Low: PEERLOG_HOME is 0700 and what PeerLog writes there is 0600 (the SQLite
database was 0644 in a 0755 home). Real processes, real files: the database with its WAL
and SHM files while a connection is open, the generated keys, an export."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[2] / "src")

WRITE = r"""
import json, os, stat, sys
from pathlib import Path
from peerlog.cli import main
assert main(["manage", "migrate", "--verbosity", "0"]) == 0
assert main(["export", "--out", str(Path(os.environ["PEERLOG_HOME"]) / "exports"),
             "--csv-only"]) == 0
from django.db import connection
from peerlog.capture.models import ContactDetails  # reads the generated contact key
from peerlog.capture import crypto
crypto.encrypt("x")
with connection.cursor() as cursor:  # an open connection in WAL mode: -wal and -shm exist
    cursor.execute("CREATE TABLE IF NOT EXISTS t (x)")
    cursor.execute("INSERT INTO t VALUES (1)")
    home = Path(os.environ["PEERLOG_HOME"])
    modes = {str(p.relative_to(home)): stat.S_IMODE(p.stat().st_mode)
             for p in [home, *home.rglob("*")]}
print(json.dumps(modes))
"""


def run(home: Path) -> dict[str, int]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PEERLOG_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update({"PYTHONPATH": SRC, "PEERLOG_HOME": str(home), "PEERLOG_DB": "sqlite"})
    result = subprocess.run([sys.executable, "-c", WRITE], env=env, capture_output=True,
                            text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def check(modes: dict[str, int]) -> None:
    for name in ("peerlog.sqlite3", "peerlog.sqlite3-wal", "peerlog.sqlite3-shm",
                 "secret.key", "contact.key", "exports/logs.csv", "exports/participants.csv"):
        assert modes.get(name) == 0o600, (name, oct(modes.get(name, 0)))
    assert modes["."] == 0o700
    for name, mode in modes.items():
        assert mode & (stat.S_IRWXG | stat.S_IRWXO) == 0, (name, oct(mode))


def test_a_new_home_and_everything_in_it_is_private(tmp_path):
    before = os.umask(0o022)  # as a shell leaves it: PeerLog must not rely on the caller's
    try:
        check(run(tmp_path / "home"))
    finally:
        os.umask(before)


def test_an_older_loose_home_is_made_private(tmp_path):
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    home.chmod(0o755)
    (home / "peerlog.sqlite3").touch()
    (home / "peerlog.sqlite3").chmod(0o644)
    check(run(home))
