"""Commands that look after captured data (``peerlog cleanup``, ``peerlog rotate-contact-key``).

Each command is registered below with :func:`register`; the work itself lives in the module
that owns it, and needs the database, so it calls :func:`peerlog.web.setup` first.
"""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add this module's sub-commands (one ``add_parser`` block each)."""
