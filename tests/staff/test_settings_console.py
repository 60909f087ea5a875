"""Settings in the console (issue 13, item 5): programme settings by central researchers,
project settings within scope, a person's leaving date; each change audited, every refusal
leaves the database as it was."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from tests.capture.test_programme_and_last_log import _fresh_programme_cache  # noqa: F401

from peerlog.capture import programme
from peerlog.capture.models import AuditEvent, Participant, ProgrammeSettings, Project

pytestmark = pytest.mark.django_db

URL = "/staff/settings/programme/"


def _same_page(one, other) -> bool:
    """The same page but for the per-request CSRF token and the key in the address."""
    def blank(response):
        body = re.sub(r'value="[0-9a-zA-Z]{40,}"', 'value=""', response.content.decode())
        return re.sub(r"\d+", "N", body)
    return blank(one) == blank(other)


def _programme_post(**changes) -> dict:
    data = {k: ("" if v is None else v) for k, v in programme.defaults().items()}
    data["programme_start"] = data["programme_start"].isoformat()
    data["crisis_contacts"] = ""
    data.update(changes)
    return data


def test_central_researcher_changes_the_programme_and_it_is_audited(client, world):
    client.force_login(world.staff["central_researcher"])
    page = client.get(URL).content.decode()
    assert "Mind, Bipolar UK and Depression Alliance" in page  # today's values, to edit
    response = client.post(URL, _programme_post(
        partners="Leeds Mind and Touchstone", prize_individual="£30",
        programme_end="2027-06-30",
        crisis_contacts="Leeds Survivor Led Crisis Service | 0808 800 1212 | 6pm to 2am | "
                        "Phone or visit"))
    assert response.status_code == 302
    row = ProgrammeSettings.objects.get()
    assert (row.partners, row.prize_individual, row.programme_end) == (
        "Leeds Mind and Touchstone", "£30", dt.date(2027, 6, 30))
    assert row.crisis_contacts == [{"name": "Leeds Survivor Led Crisis Service",
                                    "phone": "0808 800 1212", "when": "6pm to 2am",
                                    "text": "Phone or visit"}]
    event = AuditEvent.objects.get(action="settings.programme")
    assert event.actor == world.staff["central_researcher"]
    assert event.detail["changed"]["partners"] == [
        "Mind, Bipolar UK and Depression Alliance", "Leeds Mind and Touchstone"]
    assert event.detail["changed"]["programme_end"] == [None, "2027-06-30"]
    assert set(event.detail["changed"]) == {"partners", "prize_individual", "programme_end",
                                            "crisis_contacts"}
    # In force at once, through the one cached reader.
    now = programme.current()
    assert (now.partners, now.end) == ("Leeds Mind and Touchstone", dt.date(2027, 6, 30))
    assert programme.instrument_settings()["prize_individual"] == "£30"
    # Sent again (a double submit): nothing changes, nothing more is recorded.
    client.post(URL, _programme_post(
        partners="Leeds Mind and Touchstone", prize_individual="£30",
        programme_end="2027-06-30",
        crisis_contacts="Leeds Survivor Led Crisis Service | 0808 800 1212 | 6pm to 2am | "
                        "Phone or visit"))
    assert AuditEvent.objects.filter(action="settings.programme").count() == 1


def test_bad_programme_settings_are_refused_at_the_field_keeping_the_rest(client, world):
    client.force_login(world.staff["central_researcher"])
    response = client.post(URL, _programme_post(
        partners="Leeds Mind", programme_end="2015-01-01", support_email="not an address",
        crisis_contacts="Samaritans | 116 123\nJust a name"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "The end must be after the start" in page
    assert "Line 2: write a name" in page
    assert "Enter a valid email address" in page
    assert 'value="Leeds Mind"' in page  # what was typed is kept
    assert not ProgrammeSettings.objects.exists()
    assert not AuditEvent.objects.filter(action="settings.programme").exists()


@pytest.mark.parametrize("role", ["coordinator", "regional_researcher", "commissioner",
                                  "administrator"])
def test_other_roles_cannot_change_the_programme(client, world, role):
    client.force_login(world.staff[role])
    assert client.get(URL).status_code == 403
    response = client.post(URL, _programme_post(partners="Hijacked partners"))
    assert response.status_code == 403
    assert not ProgrammeSettings.objects.exists()
    assert programme.current().partners == "Mind, Bipolar UK and Depression Alliance"
    assert not AuditEvent.objects.filter(action="settings.programme").exists()


def _project_post(**changes):
    return {"short_version": "on", "languages": ["en", "ar"], "active": "on", **changes}


@pytest.mark.parametrize("role", ["coordinator", "regional_researcher", "central_researcher"])
def test_staff_change_the_settings_of_projects_in_their_scope(client, world, role):
    client.force_login(world.staff[role])
    url = f"/staff/projects/{world.a.pk}/settings/"
    page = client.get(url).content.decode()
    assert 'type="checkbox" name="languages" value="ar"' in page
    assert client.post(url, _project_post()).status_code == 302
    project = Project.objects.get(pk=world.a.pk)
    assert (project.short_version, project.double_entry, project.languages, project.active) == (
        True, False, ["en", "ar"], True)
    event = AuditEvent.objects.get(action="settings.project")
    assert event.target_id == str(world.a.pk)
    assert event.detail["changed"] == {"short_version": [False, True],
                                       "languages": [[], ["en", "ar"]]}
    assert f'href="{url}"' in client.get("/staff/settings/").content.decode()


@pytest.mark.parametrize("role", ["other_coordinator", "other_regional_researcher"])
def test_a_project_out_of_scope_is_not_found_and_unchanged(client, world, role):
    client.force_login(world.staff[role])
    url = f"/staff/projects/{world.a.pk}/settings/"
    assert client.get(url).status_code == 404
    attack = client.post(url, _project_post(active=""))
    nobody = client.post("/staff/projects/999999/settings/", _project_post(active=""))
    assert attack.status_code == nobody.status_code == 404
    assert _same_page(attack, nobody)  # out of scope looks exactly like nonexistent
    project = Project.objects.get(pk=world.a.pk)
    assert project.active and not project.short_version and project.languages == []
    assert not AuditEvent.objects.filter(action="settings.project").exists()
    assert f'href="{url}"' not in client.get("/staff/settings/").content.decode()


@pytest.mark.parametrize("role", ["commissioner", "administrator"])
def test_roles_without_rows_cannot_change_projects(client, world, role):
    client.force_login(world.staff[role])
    assert client.post(f"/staff/projects/{world.a.pk}/settings/",
                       _project_post(active="")).status_code == 403
    assert Project.objects.get(pk=world.a.pk).active


def test_nav_links_settings_for_the_roles_allowed(client, world):
    client.force_login(world.staff["central_researcher"])
    assert 'href="/staff/settings/"' in client.get("/staff/").content.decode()
    assert f'href="{URL}"' in client.get("/staff/settings/").content.decode()
    client.force_login(world.staff["coordinator"])
    assert f'href="{URL}"' not in client.get("/staff/settings/").content.decode()
    client.force_login(world.staff["commissioner"])
    assert 'href="/staff/settings/"' not in client.get("/staff/").content.decode()


def test_staff_set_a_leaving_date_within_scope_audited(client, world):
    client.force_login(world.staff["coordinator"])
    url = f"/staff/participants/{world.pa.pk}/leaving/"
    assert client.post(url, {"leaving_on": "2027-03-31"}).status_code == 302
    assert Participant.objects.get(pk=world.pa.pk).leaving_on == dt.date(2027, 3, 31)
    event = AuditEvent.objects.get(action="participant.leaving")
    assert event.detail == {"old": "", "new": "2027-03-31"}
    assert event.actor == world.staff["coordinator"]
    client.post(url, {"leaving_on": "2027-03-31"})  # again: nothing more
    assert AuditEvent.objects.filter(action="participant.leaving").count() == 1
    page = client.get(f"/staff/participants/{world.pa.pk}/").content.decode()
    assert 'value="2027-03-31"' in page


def test_a_leaving_date_outside_scope_is_not_found_and_unchanged(client, world):
    client.force_login(world.staff["other_coordinator"])
    response = client.post(f"/staff/participants/{world.pa.pk}/leaving/",
                           {"leaving_on": "2027-03-31"})
    nobody = client.post("/staff/participants/999999/leaving/", {"leaving_on": "2027-03-31"})
    assert response.status_code == nobody.status_code == 404
    assert _same_page(response, nobody)
    assert Participant.objects.get(pk=world.pa.pk).leaving_on is None
    assert not AuditEvent.objects.filter(action="participant.leaving").exists()


def test_the_participant_page_names_the_quarterly_form_when_the_person_leaves(
        client, world, participant_factory):
    from peerlog.capture.services import store_log
    from peerlog.staff.views.logs import form_title

    person = participant_factory(project=world.a)
    store_log(scope=None, instrument="quarterly", answers={}, mode="paper",
              typed_personal_id=person.personal_id.code, submission_key="first",
              completed_on=dt.date.today() - dt.timedelta(days=20))
    client.force_login(world.staff["coordinator"])
    record = f"/staff/participants/{person.pk}/"
    next_form = re.compile(r"Next form</dt><dd>([^<]*)</dd>")
    assert next_form.findall(client.get(record).content.decode()) == [form_title("monthly")]
    soon = dt.date.today() + dt.timedelta(days=10)
    client.post(f"/staff/participants/{person.pk}/leaving/", {"leaving_on": soon.isoformat()})
    assert next_form.findall(client.get(record).content.decode()) == [form_title("quarterly")]


def test_support_contact_fills_empty_fields_from_the_deployment(settings):
    """Reminders name the support contact: the console's fields, each empty one taken from
    the deployment's settings; with none set in the console, the deployment's phrase."""
    settings.PEERLOG = {**settings.PEERLOG, "SUPPORT_CONTACT": "your project coordinator",
                        "SUPPORT_PHONE": "0113 000 0000", "SUPPORT_EMAIL": "help@example.org",
                        "SUPPORT_NAME": ""}
    programme.forget()
    assert programme.support_contact() == "your project coordinator"
    ProgrammeSettings.objects.update_or_create(pk=1, defaults={"support_name": "Sam at Leeds"})
    programme.forget()
    assert programme.support_contact() == "Sam at Leeds, 0113 000 0000, help@example.org"
