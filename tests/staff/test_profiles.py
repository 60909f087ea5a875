"""Project and region profiles (issue 13 item 6): who may edit which, the attack from out of
scope (404, database unchanged), the audit trail, and bad input kept at its field."""

from __future__ import annotations

import re

import pytest

from peerlog.capture.models import AuditEvent, Project, Region

pytestmark = pytest.mark.django_db

GOOD = {
    "approach": "hybrid", "bame_type": "community_specific", "facilitation": "volunteer",
    "peer_led": "yes", "leaders_trained": "no", "leaders_paid": "volunteer",
    "focus": ["social", "activity"], "membership": ["identity", "training"],
    "organisational_support": "loosely_affiliated",
}
PROFILE_FIELDS = ["approach", "bame_type", "facilitation", "peer_led", "leaders_trained",
                  "leaders_paid", "focus", "membership", "organisational_support"]


def snapshot(project: Project) -> dict:
    project.refresh_from_db()
    return {f: getattr(project, f) for f in PROFILE_FIELDS}


# role -> may edit project A's profile (A is in Leeds; "other" staff are Plymouth's / B's)
PROJECT_A = {"coordinator": True, "regional_researcher": True, "central_researcher": True,
             "other_coordinator": False, "other_regional_researcher": False}


@pytest.mark.parametrize("role", sorted(PROJECT_A))
def test_project_profile_edit_in_scope_and_404_out_of_scope(client, world, role):
    client.force_login(world.staff[role])
    before = snapshot(world.a)
    page = client.get(f"/staff/projects/{world.a.pk}/profile/")
    response = client.post(f"/staff/projects/{world.a.pk}/profile/", GOOD)
    after = snapshot(world.a)
    events = AuditEvent.objects.filter(action="project.profile")
    if PROJECT_A[role]:
        assert page.status_code == 200 and response.status_code == 302
        assert after == {**GOOD, "peer_led": True, "leaders_trained": False}
        event = events.get()
        assert event.target_id == str(world.a.pk)
        assert event.actor_label == world.staff[role].username
        assert event.detail["changed"]["facilitation"] == ["", "volunteer"]
        assert event.detail["changed"]["approach"] == ["group", "hybrid"]
    else:
        # Looks exactly like a project that does not exist; nothing stored, nothing audited.
        assert page.status_code == 404 and response.status_code == 404
        assert client.get("/staff/projects/999999/profile/").status_code == 404
        assert after == before and not events.exists()


@pytest.mark.parametrize("role", ["commissioner", "administrator"])
def test_project_profile_refused_to_roles_without_rows(client, world, role):
    client.force_login(world.staff[role])
    before = snapshot(world.a)
    assert client.post(f"/staff/projects/{world.a.pk}/profile/", GOOD).status_code == 403
    assert client.get("/staff/profiles/").status_code == 403
    assert snapshot(world.a) == before


def test_anonymous_is_sent_to_sign_in_and_nothing_changes(client, world):
    before = snapshot(world.a)
    response = client.post(f"/staff/projects/{world.a.pk}/profile/", GOOD)
    assert response.status_code == 302 and response["Location"].startswith("/staff/login/")
    assert snapshot(world.a) == before


def test_bad_input_is_shown_at_its_field_and_the_rest_is_kept(client, world):
    client.force_login(world.staff["central_researcher"])
    before = snapshot(world.a)
    bad = {**GOOD, "membership": ["open", "diagnosis"], "facilitation": "sometimes"}
    response = client.post(f"/staff/projects/{world.a.pk}/profile/", bad)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose either open to anyone" in html
    assert 'id="id_membership-error"' in html and 'id="id_facilitation-error"' in html
    # what was typed elsewhere is still chosen
    assert re.search(r'<input[^>]*value="community_specific"[^>]*checked', html)
    assert re.search(r'<input[^>]*name="focus" value="activity"[^>]*checked', html)
    form = response.context["form"]
    assert form["focus"].value() == ["social", "activity"]
    assert form["leaders_paid"].value() == "volunteer"
    assert snapshot(world.a) == before
    assert not AuditEvent.objects.filter(action="project.profile").exists()


def test_a_double_submit_changes_and_audits_once(client, world):
    client.force_login(world.staff["coordinator"])
    url = f"/staff/projects/{world.a.pk}/profile/"
    assert client.post(url, GOOD).status_code == 302
    assert client.post(url, GOOD).status_code == 302
    assert AuditEvent.objects.filter(action="project.profile").count() == 1
    # clearing a choice is a change too ("not recorded" is the empty value)
    assert client.post(url, {**GOOD, "peer_led": "", "focus": []}).status_code == 302
    assert snapshot(world.a)["peer_led"] is None and snapshot(world.a)["focus"] == []
    assert AuditEvent.objects.filter(action="project.profile").count() == 2


REGION_A = {"regional_researcher": True, "central_researcher": True,
            "other_regional_researcher": False, "coordinator": False}


@pytest.mark.parametrize("role", sorted(REGION_A))
def test_region_profile_edit_in_scope_and_refused_out_of_scope(client, world, role):
    client.force_login(world.staff[role])
    region = world.a.region
    url = f"/staff/regions/{region.pk}/profile/"
    data = {"strategic_partner": "Leeds Mind", "hub": "Leeds Mind", "rural_urban": "urban"}
    response = client.post(url, data)
    region.refresh_from_db()
    got = (region.strategic_partner, region.hub, region.rural_urban)
    events = AuditEvent.objects.filter(action="region.profile")
    if REGION_A[role]:
        assert response.status_code == 302
        assert got == ("Leeds Mind", "Leeds Mind", "urban")
        assert events.get().detail["changed"]["rural_urban"] == ["", "urban"]
    else:
        # another region's researcher: as if it did not exist; coordinators: not their page
        assert response.status_code == (404 if role.startswith("other") else 403)
        assert got == ("", "", "") and not events.exists()
        assert Region.objects.filter(strategic_partner="Leeds Mind").count() == 0


def test_profiles_list_shows_only_what_may_be_edited(client, world):
    client.force_login(world.staff["other_coordinator"])
    page = client.get("/staff/profiles/").content.decode()
    assert world.b.name in page and world.a.name not in page
    assert "/staff/regions/" not in page  # coordinators edit no region
    client.force_login(world.staff["regional_researcher"])
    page = client.get("/staff/profiles/").content.decode()
    assert f"/staff/projects/{world.a.pk}/profile/" in page
    assert f"/staff/projects/{world.b.pk}/profile/" not in page
    assert f"/staff/regions/{world.a.region.pk}/profile/" in page
    assert f"/staff/regions/{world.b.region.pk}/profile/" not in page
