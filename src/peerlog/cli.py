"""The `peerlog` command: one entry point, one sub-command per job.

Each job lives in the module that owns it; this file only wires them up. A module
registers its sub-commands with a ``register(subparsers)`` function, and commands that need
the database call :func:`peerlog.web.setup` themselves, so the analysis commands never
import Django.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# Modules that contribute sub-commands, in the order of the data flow.
COMMAND_MODULES = (
    "peerlog.instruments.commands",
    "peerlog.capture.commands",
    "peerlog.export.commands",
    "peerlog.analysis.commands",
    "peerlog.synth.commands",
    "peerlog.staff.commands",
    "peerlog.outreach.commands",
    "peerlog.web.commands",
    "peerlog.ops.commands",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="peerlog",
        description="PeerLog: a peer support log, from capture to analysis.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and (name + ".").startswith(exc.name + "."):
                continue  # that part (or its package) is not built yet

            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
