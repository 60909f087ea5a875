"""Bringing the site up: migrate, load reference data, and serve under gunicorn."""

from __future__ import annotations

import argparse
import os
import sys


def django_call_command():
    from peerlog.web import setup

    setup()
    from django.core.management import call_command

    return call_command


def prepare() -> None:
    """Bring the database up to date and load the reference data (idempotent)."""
    call_command = django_call_command()
    call_command("migrate", interactive=False, verbosity=0)
    from peerlog.capture.reference import load_reference

    load_reference()


def gunicorn_logging() -> list[str]:
    """gunicorn's logs on standard output/error, personal-link tokens masked
    (:mod:`peerlog.web.logmask`)."""
    return ["--access-logfile", "-", "--logger-class", "peerlog.web.logmask.GunicornLogger"]


def serve(args: argparse.Namespace) -> int:
    call_command = django_call_command()
    call_command("collectstatic", interactive=False, verbosity=0)
    address = f"http://{args.host}:{args.port}/"
    print(f"PeerLog is running at {address}  (Ctrl+C stops it)", flush=True)
    # gunicorn, the production server, also for the demo: what people try is what runs.
    os.execvp(
        sys.executable,
        [sys.executable, "-m", "gunicorn", "peerlog.web.wsgi", "--bind", f"{args.host}:{args.port}",
         "--workers", str(args.workers), *gunicorn_logging()],
    )
    return 0  # not reached
