"""Paper registration forms entered by staff: a participant with encrypted contact details."""

from __future__ import annotations

import pytest

from peerlog.capture.models import AuditEvent, ContactDetails, Participant
from peerlog.staff.views.ids import issue_batch


@pytest.fixture
def setup(project_factory, make_staff):
    project = project_factory(name="Harbour Peers")
    other = project_factory(name="Moor Group")
    clerk = make_staff("coordinator", projects=[project])
    code = issue_batch(project, 2, clerk).ids.first().code
    other_code = issue_batch(other, 1, clerk).ids.first().code
    return project, clerk, code, other_code


def data(code, **extra):
    return {
        "id-personal_id": code, "id-date_completed": "14/03/16", "id-confirm_old_date": "on",
        "consent-consent_information": "yes", "consent-consent_reminders": "yes",
        "consent-consent_data_use": "yes",
        "contact-contact_channels": ["email"], "contact-contact_email": "kit@example.org",
        "contact-contact_phone": "07700 900123",  # not asked: no SMS channel ticked
        "more_about_you-age_band": "25-34", "more_about_you-gender": "female",
        "prize_draw-prize_draw": "enter",
    } | extra


def test_a_paper_registration_makes_a_participant(client, setup):
    project, clerk, code, _other = setup
    client.force_login(clerk)
    url = f"/staff/entry/{project.pk}/registration/en/"
    page = client.get(url).content.decode()
    assert 'name="consent-consent_information"' in page and 'name="about_you-project"' not in page
    response = client.post(url, data(code))
    assert response.status_code == 302
    person = Participant.objects.get(personal_id__code=code)
    assert person.project == project and person.age_band == "25-34" and person.prize_draw
    assert person.consent_reminders is True and person.registered_at.date().isoformat() == "2016-03-14"
    contact = ContactDetails.objects.get(participant=person)
    assert contact.email == "kit@example.org" and contact.phone == ""
    assert "kit@example.org" not in str(person.registration_answers)
    event = AuditEvent.objects.get(action="participant.register")
    assert event.actor == clerk and event.detail["mode"] == "paper"
    again = client.post(url, data(code))
    assert again.status_code == 400 and "already registered" in again.content.decode()


def test_refused_without_consent_or_with_another_projects_id(client, setup):
    project, clerk, code, other_code = setup
    client.force_login(clerk)
    url = f"/staff/entry/{project.pk}/registration/en/"
    no_consent = client.post(url, data(code, **{"consent-consent_data_use": "no"}))
    assert no_consent.status_code == 400 and "consent" in no_consent.content.decode()
    wrong = client.post(url, data(other_code))
    assert wrong.status_code == 400 and "not issued to this project" in wrong.content.decode()
    assert not Participant.objects.exists()
