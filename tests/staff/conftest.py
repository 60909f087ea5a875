"""Staff console fixtures: staff accounts of every role and a small two-region world."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

DAY = dt.date(2016, 3, 1)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Staff accounts are made by the dozen here; a fast hasher keeps the suite quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_staff(db, django_user_model):
    from peerlog.staff.models import StaffProfile

    def make(role: str, name: str | None = None, projects=(), regions=()):
        user = django_user_model.objects.create_user(name or f"{role}-{uuid.uuid4().hex[:6]}",
                                                     password="correct horse battery")
        profile = StaffProfile.objects.create(user=user, role=role)
        profile.projects.set(projects)
        profile.regions.set(regions)
        return user

    return make


def monthly_answers(**extra):
    return {f"swemwbs_{i}": 4 for i in range(1, 8)} | {"ps_informal_given": 2} | extra


@pytest.fixture
def world(db, project_factory, participant_factory, make_staff):
    """Project A (Leeds) and B (Plymouth); staff of every role; logs in every state."""
    from peerlog.capture.models import ContactDetails, Log
    from peerlog.capture.services import store_log
    from peerlog.staff.models import PaperEntry

    a = project_factory(region="Leeds", name="Alpha")
    b = project_factory(region="Plymouth", name="Beta")
    pa = participant_factory(project=a)
    pb = participant_factory(project=b)
    ContactDetails.objects.create(participant=pa, channels=["email"], email="a@example.org")
    w = type("World", (), {})()
    w.a, w.b, w.pa, w.pb = a, b, pa, pb
    w.staff = {
        "coordinator": make_staff("coordinator", "coord-a", projects=[a]),
        "other_coordinator": make_staff("coordinator", "coord-b", projects=[b]),
        "regional_researcher": make_staff("regional_researcher", "reg-leeds",
                                          regions=[a.region]),
        "other_regional_researcher": make_staff("regional_researcher", "reg-plymouth",
                                                regions=[b.region]),
        "central_researcher": make_staff("central_researcher", "central"),
        "commissioner": make_staff("commissioner", "commissioner"),
        "administrator": make_staff("administrator", "admin"),
    }
    clerk1 = make_staff("coordinator", "clerk1", projects=[a])
    clerk2 = make_staff("coordinator", "clerk2", projects=[a])
    w.log, _ = store_log(instrument="monthly", answers=monthly_answers(),
                         typed_personal_id=pa.personal_id.code, completed_on=DAY,
                         mode="online", submission_key="w-online")
    # An unregistered paper log with a tick, entered for project A.
    w.unregistered, _ = store_log(instrument="monthly",
                                  answers=monthly_answers(ps_groups_given="ticked"),
                                  typed_personal_id="999999", completed_on=DAY, mode="paper",
                                  submission_key="w-unreg", entered_by=clerk1)
    PaperEntry.objects.create(log=w.unregistered, project=a, kind="first", entered_by=clerk1,
                              values={"personal_id": "999999"})
    # Held logs: one awaiting a second entry, one whose entries differ.
    w.held, _ = store_log(instrument="monthly", answers=monthly_answers(),
                          typed_personal_id=pa.personal_id.code, completed_on=DAY,
                          mode="paper", submission_key="w-held", status=Log.Status.HELD)
    PaperEntry.objects.create(log=w.held, project=a, kind="first", entered_by=clerk1,
                              values={"personal_id": pa.personal_id.code})
    w.differing, _ = store_log(instrument="monthly", answers=monthly_answers(),
                               typed_personal_id=pa.personal_id.code,
                               completed_on=DAY + dt.timedelta(days=1), mode="paper",
                               submission_key="w-diff", status=Log.Status.HELD)
    PaperEntry.objects.create(log=w.differing, project=a, kind="first", entered_by=clerk1,
                              values={"personal_id": pa.personal_id.code, "swemwbs_1": 4})
    PaperEntry.objects.create(log=w.differing, project=a, kind="second", entered_by=clerk2,
                              values={"personal_id": pa.personal_id.code, "swemwbs_1": 5})
    return w
