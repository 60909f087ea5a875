"""``peerlog check``, ``peerlog backup`` and ``peerlog restore`` (docs/operations.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def run_check(args: argparse.Namespace) -> int:
    import os

    os.environ["PEERLOG_CHECKING"] = "1"  # settings list start-up problems instead of refusing
    try:
        from peerlog.web import setup

        setup()
    except Exception as exc:  # the settings themselves refuse to load: say why, plainly
        print(f"FAIL  settings load: {exc}")
        print("1 problem: PeerLog cannot start with this environment.")
        return 1
    from peerlog.ops.check import run_checks

    results = run_checks(smtp=not args.no_smtp)
    for result in results:
        print(result.line())
    failed = [r for r in results if not r.ok and not r.warning]
    warned = [r for r in results if not r.ok and r.warning]
    if failed:
        print(f"{len(failed)} problem(s), {len(warned)} warning(s): not ready to go live.")
        return 1
    print(f"Ready: no problems, {len(warned)} warning(s).")
    return 0


def _run(name: str, work, lock: bool) -> int:
    """Run ``work`` with Django set up, under the job's single-run lock when ``lock``."""
    import contextlib

    from peerlog.web import setup

    setup()
    from peerlog.ops.backup import BackupError
    from peerlog.ops.locks import AlreadyRunning, single_run

    try:
        with single_run(name) if lock else contextlib.nullcontext():
            return work()
    except (BackupError, AlreadyRunning) as exc:
        print(f"peerlog {name}: {exc}", file=sys.stderr)
        return 1


def run_backup(args: argparse.Namespace) -> int:
    def work() -> int:
        from peerlog.ops.backup import backup

        path, size = backup(Path(args.out), keep=args.keep)
        print(f"backup written: {path} ({size:,} bytes before encryption)")
        return 0

    return _run("backup", work, lock=True)


def run_restore(args: argparse.Namespace) -> int:
    def work() -> int:
        from peerlog.ops.backup import restore

        size = restore(Path(args.file), force=args.force)
        print(f"restored {args.file} ({size:,} bytes); next: peerlog manage migrate, "
              "then peerlog check")
        return 0

    return _run("restore", work, lock=False)


# Jobs registered by other modules that must never run twice at once on one database
# (peerlog remind has its own lock, outreach's BatchLock).
SINGLE_RUN_JOBS = ("cleanup",)


def _single_run(name: str, func):
    """``func`` (an argparse handler) under the job's lock: a second run stops, saying so."""
    import functools

    @functools.wraps(func)
    def locked(args: argparse.Namespace) -> int:
        return _run(name, lambda: func(args), lock=True)

    return locked


def register(subparsers: argparse._SubParsersAction) -> None:
    # peerlog.cli registers this module after the others, so their jobs are already there.
    for name in SINGLE_RUN_JOBS:
        parser = subparsers.choices.get(name)
        if parser is not None and parser.get_default("func") is not None:
            parser.set_defaults(func=_single_run(name, parser.get_default("func")))
    p = subparsers.add_parser("check", help="what is wrong before going live (exit 1 if any)")
    p.add_argument("--no-smtp", action="store_true", help="skip connecting to the mail server")
    p.set_defaults(func=run_check)
    p = subparsers.add_parser("backup", help="an encrypted backup of the database")
    p.add_argument("--out", required=True, metavar="FILE|DIR",
                   help="the backup file, or a directory for a time-stamped one")
    p.add_argument("--keep", type=int, metavar="N",
                   help="with a directory: keep only the newest N backups in it")
    p.set_defaults(func=run_backup)
    p = subparsers.add_parser("restore", help="replace the database with a backup")
    p.add_argument("file")
    p.add_argument("--force", action="store_true", help="replace a database that is not empty")
    p.set_defaults(func=run_restore)
