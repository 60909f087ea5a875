"""The audit trail in plain words: every action code the code records has a label, the page
shows it (with the code beside it), and the filter still takes the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from peerlog.capture import audit
from peerlog.staff.audit_labels import ACTION_LABELS, action_label

SRC = Path(__file__).resolve().parents[2] / "src" / "peerlog"
CODE = re.compile(r"\"([a-z_]+\.[a-z_]+|export)\"")
CALLS = ("audit.record(", "save_audited(", "_profile_page(")


def _recorded_codes() -> set[str]:
    """Every "area.action" literal on a line that calls audit.record / save_audited, or on
    the two lines after it (calls spread over lines; conditional codes give both)."""
    codes = set()
    for path in SRC.rglob("*.py"):
        lines = path.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            if any(c in line for c in CALLS) and "def " not in line:
                for text in lines[i:i + 3]:
                    codes |= {c for c in CODE.findall(text)
                              if not c.startswith("peerlog.") and not c.endswith(
                                  (".csv", ".html", ".pdf", ".sav", ".dta"))}
    return codes


def test_every_recorded_action_has_plain_words():
    codes = _recorded_codes()
    assert {"staff.sign_in", "log.change", "contact.view", "settings.programme",
            "project.profile", "export", "admin.add"} <= codes  # the scan finds them
    assert sorted(codes - set(ACTION_LABELS)) == []


def test_an_unknown_code_is_shown_as_it_is():
    assert action_label("something.new") == "something.new"
    assert action_label("contact.view") == "Contact details viewed"


@pytest.mark.django_db
def test_the_audit_page_shows_words_and_filters_by_code(client, world):
    user = world.staff["central_researcher"]
    audit.record(user, "contact.view", world.pa, reason="posting a paper log")
    audit.record(user, "ids.print", "batch 1")
    client.force_login(user)
    page = client.get("/staff/audit/").content.decode()
    assert "Contact details viewed" in page and "Personal ID slips printed" in page
    assert '<option value="contact.view">Contact details viewed</option>' in page
    only = client.get("/staff/audit/?action=contact.view").content.decode()
    assert "posting a paper log" in only and "Personal ID slips printed</td>" not in only
    assert '<option value="contact.view" selected>' in only
    csv = client.get("/staff/audit/?action=contact.view&format=csv").content.decode()
    assert ",contact.view," in csv  # the download keeps the codes
