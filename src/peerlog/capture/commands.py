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
        "links, old rate-limit counters, sent messages' text and old audit events "
        "(idempotent; run daily)")
    p.set_defaults(func=run_cleanup)
    p = subparsers.add_parser(
        "rotate-contact-key",
        help="re-encrypt every encrypted field under the newest key of PEERLOG_CONTACT_KEYS")
    p.add_argument("--batch-size", type=int, default=500)
    p.set_defaults(func=run_rotate_contact_key)


def run_rotate_contact_key(args: argparse.Namespace) -> int:
    """Put the new key first in PEERLOG_CONTACT_KEYS (keeping the old ones), run this, then
    drop the old keys. Safe to run again after a crash: it finishes what is left."""
    from peerlog.web import setup

    setup()
    from peerlog.capture.crypto import rotate_all

    counts = rotate_all(batch_size=args.batch_size)
    for name, n in sorted(counts.items()):
        print(f"{name}: {n}")
    rotated = sum(n for name, n in counts.items() if not name.endswith("already current"))
    print(f"Re-encrypted {rotated} values under the newest key; every value now opens with it.")
    return 0
