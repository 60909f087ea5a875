"""The `peerlog` entry point imports only the module that owns the command it runs."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys

from peerlog import cli


def test_the_command_map_names_what_each_module_registers():
    for name, commands in cli.COMMANDS.items():
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers(dest="command")
        importlib.import_module(name).register(sub)
        assert tuple(sub.choices) == commands, name


def test_a_command_builds_only_its_own_module_and_help_builds_all():
    sub = next(a for a in cli.build_parser("analyse")._actions if a.dest == "command")
    assert set(sub.choices) == {"analyse", "power"}
    sub = next(a for a in cli.build_parser(None)._actions if a.dest == "command")
    assert set(sub.choices) == {c for names in cli.COMMANDS.values() for c in names}
    sub = next(a for a in cli.build_parser("--help")._actions if a.dest == "command")
    assert "synth" in sub.choices and "backup" in sub.choices


def test_running_analyse_does_not_import_other_commands_modules():
    code = ("import sys; from peerlog import cli\n"
            "try:\n    cli.main(['analyse', '--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.endswith('.commands')))\n"
            "print('peerlog.instruments.loader' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out[-2] == "['peerlog.analysis.commands']"
    assert out[-1] == "False"
