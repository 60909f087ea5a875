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

# Modules that contribute sub-commands, in the order of the data flow, with the commands each
# registers. A run imports only the module that owns its command: importing all of them
# costs ~0.09 s (YAML and the instrument definitions among them), a tenth of a whole
# `peerlog analyse --no-figures --no-pdf`. tests/test_cli_commands.py keeps the map true.
COMMANDS = {
    "peerlog.instruments.commands": ("instruments",),
    "peerlog.capture.commands": ("cleanup", "rotate-contact-key"),
    "peerlog.export.commands": ("export",),
    "peerlog.analysis.commands": ("analyse", "power"),
    "peerlog.synth.commands": ("synth",),
    "peerlog.staff.commands": ("run-analysis-jobs",),
    "peerlog.outreach.commands": ("remind", "draw"),
    "peerlog.web.commands": ("serve", "demo", "demo-code", "manage"),
    "peerlog.ops.commands": ("check", "backup", "restore"),
}
COMMAND_MODULES = tuple(COMMANDS)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or, given a known ``command``, one with only its module's
    sub-commands (the others are not imported)."""
    parser = argparse.ArgumentParser(
        prog="peerlog",
        description="PeerLog: a peer support log, from capture to analysis.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    owners = [m for m, names in COMMANDS.items() if command in names]
    for name in owners or COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and (name + ".").startswith(exc.name + "."):
                continue  # that part (or its package) is not built yet

            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv[0] if argv else None)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
