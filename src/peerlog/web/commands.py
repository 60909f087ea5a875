"""Commands that run the site: ``peerlog serve``, ``peerlog demo``, ``peerlog manage``."""

from __future__ import annotations

import argparse
import os

from peerlog.web.demo import run_demo, run_demo_code
from peerlog.web.server import prepare, serve


def run_serve(args: argparse.Namespace) -> int:
    prepare()
    return serve(args)


def run_manage(args: argparse.Namespace) -> int:
    from peerlog.web import setup

    setup()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["peerlog manage", *args.rest])
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    for name, func, text in (
        ("serve", run_serve, "migrate, load reference data and start the web server"),
        ("demo", run_demo, "the demo: database, synthetic cohort, report, demo accounts; serve"),
    ):
        p = subparsers.add_parser(name, help=text)
        p.add_argument("--host", default="127.0.0.1")
        p.add_argument("--port", type=int, default=int(os.environ.get("PEERLOG_PORT", "8000")))
        p.add_argument("--workers", type=int, default=2)
        if name == "demo":
            p.add_argument("--no-serve", action="store_true", help="set up, then exit")
        p.set_defaults(func=func)
    p = subparsers.add_parser("demo-code", help="the current sign-in code of a demo account")
    p.add_argument("username", help="a demo account, e.g. demo-coordinator")
    p.set_defaults(func=run_demo_code)
    p = subparsers.add_parser("manage", help="any Django management command (migrate, ...)")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=run_manage)
