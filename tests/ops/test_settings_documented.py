"""deploy/peerlog.env.example documents every setting PeerLog reads from the environment."""

from __future__ import annotations

import re

from tests.ops.conftest import ROOT

# Read by the gunicorn config (deploy/), not by the package.
DEPLOY_ONLY = {"PEERLOG_GUNICORN_WORKERS", "PEERLOG_GUNICORN_THREADS", "PEERLOG_GUNICORN_BIND"}
# Set by PeerLog's own commands for themselves, never by an operator.
INTERNAL = {"PEERLOG_CHECKING"}


def test_every_environment_setting_is_in_the_template():
    used = set()
    for path in (ROOT / "src" / "peerlog").rglob("*.py"):
        used |= set(re.findall(r"[\"']((?:PEERLOG|EMAIL)_[A-Z_]+)[\"']", path.read_text()))
    used |= set(re.findall(r"\"(PEERLOG_[A-Z_]+)\"", (ROOT / "deploy" / "gunicorn.conf.py")
                           .read_text()))
    template = (ROOT / "deploy" / "peerlog.env.example").read_text()
    documented = set(re.findall(r"^#?((?:PEERLOG|EMAIL)_[A-Z_]+)=", template, re.M))
    documented |= {"PEERLOG_BACKUP_KEY"} & set(re.findall(r"PEERLOG_BACKUP_KEY", template))
    missing = sorted(used - documented - INTERNAL)
    assert not missing, f"add these to deploy/peerlog.env.example, with what they do: {missing}"
    assert documented >= DEPLOY_ONLY
