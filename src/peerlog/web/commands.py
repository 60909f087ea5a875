"""Commands that run the site: ``peerlog serve``, ``peerlog demo``, ``peerlog manage``."""

from __future__ import annotations

import argparse
import os
import sys


def _django():
    from peerlog.web import setup

    setup()
    from django.core.management import call_command

    return call_command


def prepare() -> None:
    """Bring the database up to date and load the reference data (idempotent)."""
    call_command = _django()
    call_command("migrate", interactive=False, verbosity=0)
    from peerlog.capture.reference import load_reference

    load_reference()


def run_serve(args: argparse.Namespace) -> int:
    prepare()
    call_command = _django()
    call_command("collectstatic", interactive=False, verbosity=0)
    address = f"http://{args.host}:{args.port}/"
    print(f"PeerLog is running at {address}  (Ctrl+C stops it)", flush=True)
    # gunicorn, the production server, also for the demo: what people try is what runs.
    os.execvp(
        sys.executable,
        [sys.executable, "-m", "gunicorn", "peerlog.web.wsgi", "--bind", f"{args.host}:{args.port}",
         "--workers", str(args.workers), "--access-logfile", "-"],
    )
    return 0  # not reached


def run_demo(args: argparse.Namespace) -> int:
    prepare()
    from django.conf import settings

    print(f"Database ready: {settings.DATABASES['default']['NAME']}")
    if args.no_serve:
        return 0
    return run_serve(args)


def run_manage(args: argparse.Namespace) -> int:
    from peerlog.web import setup

    setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["peerlog manage", *args.rest])
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    for name, func, text in (
        ("serve", run_serve, "migrate, load reference data and start the web server"),
        ("demo", run_demo, "set up the demo on the embedded SQLite database and serve it"),
    ):
        p = subparsers.add_parser(name, help=text)
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=int(os.environ.get("PEERLOG_PORT", "8000")))
        p.add_argument("--workers", type=int, default=2)
        if name == "demo":
            p.add_argument("--no-serve", action="store_true", help="set up, then exit")
        p.set_defaults(func=func)
    p = subparsers.add_parser("manage", help="any Django management command (migrate, ...)")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=run_manage)
