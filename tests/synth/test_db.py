"""--into-db: stored through store_log, exported back identically, loaded once."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest

from peerlog.synth.cohort import generate

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def small():
    return generate(5, scale=0.3)


def test_round_trip_through_the_database(small, tmp_path):
    from peerlog.capture.models import AuditEvent, ContactDetails, Log, Participant
    from peerlog.export.contract import export
    from peerlog.synth.db import is_loaded, load

    created = load(small)
    assert created["participants"] == len(small.participants)
    assert created["logs"] == len(small.logs) and is_loaded(small)
    export(tmp_path, labelled=False)
    parts = pd.read_csv(tmp_path / "participants.csv", dtype=str, keep_default_na=False)
    logs = pd.read_csv(tmp_path / "logs.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(
        parts.sort_values("personal_id").reset_index(drop=True),
        small.participants.astype(str).sort_values("personal_id").reset_index(drop=True),
        check_dtype=False)
    cols = [c for c in logs.columns if c != "log_id"]  # the database makes its own log ids
    key = ["personal_id", "submitted_at"]
    pd.testing.assert_frame_equal(
        logs[cols].sort_values(key).reset_index(drop=True),
        small.logs[cols].astype(str).sort_values(key).reset_index(drop=True),
        check_dtype=False)
    flags = Counter(f for log in Log.objects.all() for f in log.flags)
    registered = set(small.participants["personal_id"])
    assert flags["unregistered_id"] == (~small.logs["personal_id"].isin(registered)).sum()
    assert flags["same_day_duplicate"] == small.logs.duplicated(["personal_id",
                                                                 "completed_on"]).sum()
    assert flags["ticks"] == small.log_meta["ticked"].sum()
    assert AuditEvent.objects.filter(action="log.create").count() == len(small.logs)
    assert ContactDetails.objects.count() == Participant.objects.count()
    for contact in ContactDetails.objects.exclude(email=""):
        assert contact.email.endswith("@example.org")
    for contact in ContactDetails.objects.exclude(phone=""):
        assert contact.phone.startswith("+4477009")

    again = load(small)  # a second load stores nothing new
    assert again == {"projects": 0, "personal_ids": 0, "participants": 0, "logs": 0}
    assert Log.objects.count() == len(small.logs)


def test_demo_accounts_one_per_role_created_once(small):
    from django.contrib.auth import authenticate

    from peerlog.staff.models import Role, StaffProfile
    from peerlog.synth.db import load
    from peerlog.web.demo import _demo_accounts, _demo_participant_link

    load(small)
    state: dict = {}
    accounts = _demo_accounts(state)
    assert {role for role, _, _ in accounts} == set(Role.values)
    for role, username, password in accounts:
        user = authenticate(username=username, password=password)
        assert user is not None and user.staff_profile.role == role
    assert _demo_accounts(state) == accounts
    assert StaffProfile.objects.count() == len(Role.values)
    coordinator = StaffProfile.objects.get(role="coordinator")
    assert coordinator.projects.count() == 1
    link = _demo_participant_link(state, "http://127.0.0.1:8000/")
    assert link and link == _demo_participant_link(state, "http://127.0.0.1:8000/")
