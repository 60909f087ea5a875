"""Batch jobs run once at a time per database: a second `peerlog backup` (or `cleanup`) run
while one holds the lock stops at once, saying why, and writes nothing."""

from __future__ import annotations

import fcntl
from pathlib import Path

import pytest
from tests.ops.conftest import ON_POSTGRES, run_peerlog


@pytest.mark.django_db  # keeps it in the PostgreSQL pass; it uses a scratch database
def test_second_backup_run_stops_while_the_lock_is_held(scratch_db, tmp_path):
    from peerlog.ops.locks import lock_id

    env, _wipe = scratch_db
    out = tmp_path / "backups"
    out.mkdir()
    if ON_POSTGRES:
        import psycopg

        holder = psycopg.connect(host="127.0.0.1", user="postgres",
                                 dbname=env["PEERLOG_PG_NAME"], autocommit=True)
        assert holder.execute("SELECT pg_try_advisory_lock(%s)",
                              [lock_id("backup")]).fetchone()[0]
    else:
        holder = open(Path(env["PEERLOG_HOME"]) / ".backup.lock", "w")  # noqa: SIM115
        fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
    try:
        result = run_peerlog(env, "backup", "--out", str(out), check=False)
    finally:
        holder.close()
    assert result.returncode == 1
    assert "another 'peerlog backup' is running" in result.stderr
    assert list(out.iterdir()) == []
    # Once the first run is over, the next one goes ahead.
    run_peerlog(env, "backup", "--out", str(out))
    assert len(list(out.iterdir())) == 1


def test_cleanup_runs_under_the_lock_when_present():
    from peerlog.cli import build_parser

    sub = next(a for a in build_parser()._actions if a.dest == "command")
    if "cleanup" not in sub.choices:
        pytest.skip("peerlog cleanup is not on this branch yet")
    func = sub.choices["cleanup"].get_default("func")
    assert func.__name__ == "run_cleanup" and hasattr(func, "__wrapped__")


@pytest.mark.django_db(transaction=True)
def test_a_job_registered_elsewhere_is_wrapped_in_the_lock(settings, tmp_path):
    import argparse

    from peerlog.ops import commands

    settings.HOME = tmp_path
    calls = []
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("cleanup").set_defaults(func=lambda args: calls.append(args) or 0)
    commands.register(sub)
    args = parser.parse_args(["cleanup"])
    if not ON_POSTGRES:  # on SQLite the lock is a file: hold it, and the job must not run
        with open(tmp_path / ".cleanup.lock", "w") as held:
            fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
            assert args.func(args) == 1 and calls == []
    assert args.func(args) == 0 and len(calls) == 1
