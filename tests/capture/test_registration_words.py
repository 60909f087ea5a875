"""Registration records what the evaluation needed (issue 10 item 4): the issuing project
preselected, "Not sure", "Other, please specify" kept for staff and out of exports."""

import csv
import re

import pytest

from peerlog.capture.models import Participant
from peerlog.export.columns import OTHER_SPECIFY

pytestmark = pytest.mark.django_db


def _register(client, posts):
    for step, data in posts:
        response = client.post(f"/register/{step}/", data)
        assert response.status_code in (200, 302), (step, response.content.decode()[:2000])
    return response


def test_project_page_preselects_the_issuing_project_with_the_usual_options(
        client, issued_id, project_factory, registration_posts):
    project = project_factory(region="Leeds", name="Harbour Peers")
    project_factory(region="Leeds", name="Moor Group")
    pid = issued_id(project)
    for step, data in registration_posts(pid, project)[:4]:
        assert client.post(f"/register/{step}/", data).status_code == 302
    contact = client.get("/register/contact/").content.decode()  # ticks stay ticks
    assert contact.count('<input type="checkbox" name="contact_channels"') == 3
    page = client.get("/register/project/").content.decode()
    assert f'value="{project.code}" id="id_project_' in page
    chosen = page.split(f'value="{project.code}"')[1].split(">")[0]
    assert "checked" in chosen
    assert page.count('<label class="option"') >= 2  # drawn like every other page's options


def test_not_sure_and_other_in_own_words_are_stored_shown_to_staff_and_not_exported(
        client, issued_id, project_factory, registration_posts, make_staff, tmp_path):
    from peerlog.export.contract import export

    project = project_factory(region="Leeds")
    pid = issued_id(project)
    about = {"age_band": "25-34", "gender": "other", "gender_other": "Non-binary",
             "transgender_history": "not_sure", "sexual_orientation": "other",
             "sexual_orientation_other": "Pansexual", "ethnicity": "white_other",
             "ethnicity_other": "Romanian Roma"}
    posts = registration_posts(pid, project, **{"about-you": about})
    page = client.get("/register/about-you/")  # (redirects until earlier pages are done)
    assert page.status_code == 302
    for step, data in posts[:5]:
        assert client.post(f"/register/{step}/", data).status_code == 302
    form = client.get("/register/about-you/").content.decode()
    for code in OTHER_SPECIFY:  # a one-line box under its question, hidden by CSS until "Other"
        assert f'<input type="text" name="{code}" maxlength="200"' in form
        assert f"#q-{code}{{display:none}}" in form
    assert 'value="not_sure"' in form and "Not sure" in form
    _register(client, posts[5:])
    person = Participant.objects.get(personal_id__code=pid)
    assert person.transgender_history == "not_sure" and person.gender == "other"
    assert person.registration_answers["gender_other"] == "Non-binary"
    assert person.registration_answers["sexual_orientation_other"] == "Pansexual"
    assert person.registration_answers["ethnicity_other"] == "Romanian Roma"

    client.force_login(make_staff("coordinator", projects=[project]))
    staff_page = client.get(f"/staff/participants/{person.pk}/").content.decode()
    assert "Other: “Non-binary”" in staff_page and "White other: “Romanian Roma”" in staff_page

    export(tmp_path / "plain", labelled=False)
    text = (tmp_path / "plain" / "participants.csv").read_text()
    assert "Non-binary" not in text and "Romanian Roma" not in text
    assert not any("Pansexual" in p.read_text() for p in (tmp_path / "plain").glob("*.csv"))
    export(tmp_path / "free", labelled=False, include_free_text=True)
    with (tmp_path / "free" / "participants.csv").open() as handle:
        row = next(r for r in csv.DictReader(handle) if r["personal_id"] == pid)
    assert row["gender_other"] == "Non-binary" and row["ethnicity_other"] == "Romanian Roma"


def test_own_words_are_dropped_unless_other_is_chosen(client, issued_id, project_factory,
                                                     registration_posts):
    project = project_factory(region="Leeds")
    pid = issued_id(project)
    about = {"gender": "female", "gender_other": "typed then changed my mind"}
    _register(client, registration_posts(pid, project, **{"about-you": about}))
    person = Participant.objects.get(personal_id__code=pid)
    assert person.gender == "female" and "gender_other" not in person.registration_answers


def test_paper_registration_needs_all_three_consents_at_the_field(client, project_factory,
                                                                  make_staff):
    from peerlog.staff.views.ids import issue_batch

    project = project_factory(name="Harbour Peers")
    clerk = make_staff("coordinator", projects=[project])
    code = issue_batch(project, 1, clerk).ids.first().code
    client.force_login(clerk)
    url = f"/staff/entry/{project.pk}/registration/en/"
    data = {"id-personal_id": code, "id-date_completed": "14/03/16", "id-confirm_old_date": "on",
            "consent-consent_information": "yes", "consent-consent_reminders": "no",
            "consent-consent_data_use": "yes", "more_about_you-age_band": "45-54",
            "prize_draw-prize_draw": "enter"}
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 400 and not Participant.objects.exists()
    assert page.count("The form must say Yes to all three agreements") == 1
    error_at = page.index("The form must say Yes to all three agreements")
    assert page.rfind('consent-consent_reminders', 0, error_at) > page.rfind(
        'consent-consent_information', 0, error_at)  # at the reminders question
    assert re.search(r'name="more_about_you-age_band" value="45-54"[^>]*checked', page)
    assert client.post(url, data | {"consent-consent_reminders": "yes"}).status_code == 302
    assert Participant.objects.get(personal_id__code=code).consent_reminders is True
