"""Registration pages (appendix 3.1): consent, personal ID checks, contact details, region ->
project, about you; stored as a participant with encrypted contact details and a link."""

import pytest
from django.conf import settings

from peerlog.capture import links
from peerlog.capture.models import ContactDetails, Participant, RegistrationDraft

pytestmark = pytest.mark.django_db


def register(client, posts):
    """Every page but the last redirects; the last shows the personal link (once)."""
    response = None
    for step, data in posts:
        response = client.post(f"/register/{step}/", data)
        expected = 200 if step == posts[-1][0] else 302
        assert response.status_code == expected, (step, response.content.decode()[:3000])
    return response


def test_full_registration_stores_participant_contact_and_link(client, issued_id,
                                                               project_factory,
                                                               registration_posts):
    project = project_factory(region="Leeds")
    pid = issued_id(project)
    assert client.get("/").status_code == 200
    assert client.get("/register/").status_code == 200
    for step, _data in registration_posts(pid, project)[:1]:
        assert client.get(f"/register/{step}/").status_code == 200
    response = register(client, registration_posts(pid, project))
    page = response.content.decode()
    assert "/l/" in page
    again = client.get("/register/done/").content.decode()  # shown once: not kept anywhere
    assert "You are registered" in again and "/l/" not in again
    p = Participant.objects.get(personal_id__code=pid)
    assert p.project == project and p.consent_data_use and p.consent_reminders
    assert p.consent_form_version == settings.PEERLOG["CONSENT_FORM_VERSION"]
    assert p.age_band == "25-34" and p.gender == "female" and p.mh_services_years == 3
    assert p.ethnicity == "prefer_not_to_answer" and p.prize_draw is True
    assert p.interview_interest == "no"
    assert "contact_email" not in p.registration_answers
    assert "contact_phone" not in p.registration_answers
    assert p.registration_answers["region"] == project.region.code
    contact = ContactDetails.objects.get(participant=p)
    assert contact.email == "a@example.org" and contact.phone == "+447700900123"
    assert sorted(contact.channels) == ["email", "sms"]
    token = page.split("/l/")[1].split("/")[0]
    assert links.participant_for_token(token) == p
    assert p.links.get().token_hash == Participant.hash_token(token)
    assert token not in str(Participant.objects.filter(pk=p.pk).values().get())
    assert not RegistrationDraft.objects.exists()


def post_until(client, posts, last_step):
    for step, data in posts:
        if step == last_step:
            return data
        assert client.post(f"/register/{step}/", data).status_code == 302, step
    raise AssertionError(last_step)


def test_consent_must_be_yes_to_go_on(client):
    response = client.post("/register/consent/", {
        "consent_information": "yes", "consent_reminders": "no", "consent_data_use": "yes"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_consent_reminders-error"' in page
    assert 'id="id_consent_information-error"' not in page
    assert client.get("/register/id/")["Location"] == "/register/consent/"


def test_unknown_mistyped_and_registered_ids_say_what_to_do(client, issued_id,
                                                           participant_factory,
                                                           project_factory,
                                                           registration_posts):
    from peerlog.capture import personal_ids

    project = project_factory()
    posts = registration_posts(issued_id(project), project)
    post_until(client, posts, "id")
    body = "12345"
    unknown = body + personal_ids.check_digit(body)
    page = client.post("/register/id/", {"personal_id": unknown}).content.decode()
    assert "We cannot register this personal ID" in page and "project coordinator" in page
    page = client.post("/register/id/", {"personal_id": unknown[:-1] + "0"
                                         if unknown[-1] != "0" else unknown[:-1] + "1"})
    assert "does not look right" in page.content.decode()
    registered = participant_factory(project=project)
    page = client.post("/register/id/", {"personal_id": registered.personal_id.code})
    text = page.content.decode()
    # The same answer as for an ID never issued: the page does not tell which IDs exist.
    assert "We cannot register this personal ID" in text and "personal link" in text
    assert registered.project.name not in text  # nothing about that person


def test_contact_channel_needs_its_detail_and_keeps_other_answers(client, issued_id,
                                                                 project_factory,
                                                                 registration_posts):
    project = project_factory()
    post_until(client, registration_posts(issued_id(project), project), "contact")
    response = client.post("/register/contact/", {
        "contact_channels": ["sms", "email"], "contact_email": "me@example.org",
        "contact_phone": "12"})
    page = response.content.decode()
    assert 'id="id_contact_phone-error"' in page and 'value="me@example.org"' in page
    assert client.post("/register/contact/", {}).status_code == 200  # at least one channel


def test_projects_are_those_of_the_chosen_region(client, issued_id, project_factory,
                                                 registration_posts):
    leeds = project_factory(region="Leeds", name="Leeds Hearing Voices")
    project_factory(region="Leeds", name="Old group", active=False)
    coventry = project_factory(region="Coventry", name="Coventry Café")
    posts = registration_posts(issued_id(leeds), leeds)
    post_until(client, posts, "project")
    page = client.get("/register/project/").content.decode()
    assert "Leeds Hearing Voices" in page
    assert "Coventry Café" not in page and "Old group" not in page
    response = client.post("/register/project/", {"project": coventry.code})
    assert response.status_code == 200  # not a project of this region


def test_a_resubmitted_last_page_registers_once(client, issued_id, project_factory,
                                                registration_posts):
    project = project_factory()
    posts = registration_posts(issued_id(project), project)
    register(client, posts)
    again = client.post("/register/prize-draw/", posts[-1][1])
    assert again.status_code == 302
    assert Participant.objects.count() == 1
    assert again["Location"] == "/register/done/"
    assert "/l/" not in client.get("/register/done/").content.decode()


def test_conditional_questions_hide_without_javascript(client, issued_id, project_factory,
                                                      registration_posts):
    project = project_factory()
    post_until(client, registration_posts(issued_id(project), project), "contact")
    page = client.get("/register/contact/").content.decode()
    assert ("form:not(:has(input[name=contact_channels][value='sms']:checked)) "
            "#q-contact_phone{display:none}") in page


def test_ids_typed_in_arabic_indic_digits_are_read_and_odd_digits_refused(client, issued_id,
                                                                        project_factory,
                                                                        registration_posts):
    from peerlog.capture import personal_ids

    assert personal_ids.is_valid("12²") is False  # was a crash (int("²"))
    project = project_factory()
    pid = issued_id(project)
    arabic = "".join("٠١٢٣٤٥٦٧٨٩"[int(d)] for d in pid)
    post_until(client, registration_posts(pid, project), "id")
    assert client.post("/register/id/", {"personal_id": arabic})["Location"] == \
        "/register/contact/"
