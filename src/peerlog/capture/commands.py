"""Commands that look after captured data (``peerlog cleanup``, ``peerlog rotate-contact-key``).

Each command is registered below with :func:`register`; the work itself lives in the module
that owns it, and needs the database, so it calls :func:`peerlog.web.setup` first.
"""

from __future__ import annotations

import argparse


def run_cleanup(args: argparse.Namespace) -> int:
    from peerlog.web import setup

    setup()
    from peerlog.capture.cleanup import cleanup

    for what, count in cleanup().items():
        print(f"removed {count} {what}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add this module's sub-commands (one ``add_parser`` block each)."""
    p = subparsers.add_parser(
        "cleanup", help="delete expired sessions, unfinished registrations and logs, dead "
        "links and old rate-limit counters (idempotent; run daily)")
    p.set_defaults(func=run_cleanup)
