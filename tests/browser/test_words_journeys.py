"""Issue 10 items 4, 6, 7 and 9 in a real browser (Chromium, JavaScript off, 320 px; axe on
every page, LTR and RTL): registration with "Other" in the person's own words, "Not sure" and
the issuing project preselected; a change of language on a half-filled page that keeps what
was typed; plain page titles, 1-10 anchors and the date hint on the log; a short-only
translation's speakers given the short log in their language; paper registration's consents
(staff console)."""

from __future__ import annotations

import pytest
from django.utils import timezone
from tests.browser.test_participant_pages import visit  # noqa: F401 (the fixture)
from tests.browser.test_staff_console import SECRET, sign_in
from tests.instruments.short_only import short_only_arabic

from peerlog.capture import links
from peerlog.capture.models import Draft, Log, Participant
from peerlog.instruments import load_instrument

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

DIRECTION = {"en": "ltr", "ar": "rtl"}


def change_language(v, code: str) -> None:
    """The header's chooser, by keyboard: on a page with answers it sends them along."""
    v.page.select_option("#language-choice", code)
    with v.page.expect_navigation():
        v.page.locator("header form.lang button").press("Enter")
    assert v.page.locator("html").get_attribute("lang") == code


@pytest.mark.parametrize(("first", "then"), [("en", "ar"), ("ar", "en")])
def test_registration_in_own_words_and_a_change_of_language_mid_page(
        visit, issued_id, project_factory, first, then):  # noqa: F811
    project = project_factory(region="Leeds", name="Harbour Peers")
    project_factory(region="Leeds", name="Moor Group")
    pid = issued_id(project)
    v = visit(f"words-register-{first}")
    v.goto("/register/")
    if first != "en":
        change_language(v, first)
    direction = DIRECTION[first]
    v.goto("/register/consent/")
    for code in ("consent_information", "consent_reminders", "consent_data_use"):
        v.choose(code, "yes")
    v.submit()
    v.page.fill("#id_personal_id", pid)
    v.submit()
    v.choose("contact_channels", "email")
    v.page.fill("#id_contact_email", "peer@example.org")
    v.submit()
    v.choose("region", project.region.code)
    v.submit()
    # The project that issued the ID is chosen already, drawn like every other page's options.
    assert v.page.locator(f"input[name=project][value='{project.code}']").is_checked()
    assert v.page.locator("label.option input[name=project]").count() == 2
    v.check("project-preselected", direction)
    v.submit()

    assert not v.page.locator("#id_gender_other").is_visible()  # until "Other" is chosen
    v.choose("gender", "other")
    assert v.page.locator("#id_gender_other").is_visible()
    v.page.fill("#id_gender_other", "Non-binary")
    v.choose("transgender_history", "not_sure")
    v.choose("ethnicity", "white_other")
    v.page.fill("#id_ethnicity_other", "Romanian Roma")
    v.check("about-you-own-words", direction)

    change_language(v, then)  # half-filled: the answers come back in the other language
    assert v.page.input_value("#id_gender_other") == "Non-binary"
    assert v.page.input_value("#id_ethnicity_other") == "Romanian Roma"
    assert v.page.locator("input[name=transgender_history][value=not_sure]").is_checked()
    assert v.page.locator("input[name=gender][value=other]").is_checked()
    assert v.page.locator(".error-summary").count() == 0
    v.check("about-you-language-changed", DIRECTION[then])
    v.submit()
    v.choose("interview_interest", "no")
    v.submit()
    v.choose("prize_draw", "enter")
    v.submit()
    assert v.page.locator("#personal-link").count() == 1
    person = Participant.objects.get(personal_id__code=pid)
    assert person.project == project and person.transgender_history == "not_sure"
    assert person.registration_answers["gender_other"] == "Non-binary"
    assert person.registration_answers["ethnicity_other"] == "Romanian Roma"
    assert person.language == then


@pytest.mark.parametrize("language", ["en", "ar"])
def test_log_pages_in_plain_words_and_a_change_of_language_keeps_answers(
        visit, participant_factory, language):  # noqa: F811
    person = participant_factory(language=language, short_version=False)
    token = links.new_token(person, "test")
    direction = DIRECTION[language]
    v = visit(f"words-log-{language}")
    v.goto(f"/l/{token}/")
    assert ("13 pages, with up to 124 questions" in v.page.locator("main").inner_text()
            or language != "en")
    v.check("link-length", direction)
    v.submit()
    assert v.page.url.endswith("/log/log_on/")
    hint = v.page.locator("#id_date_completed-hint").inner_text()
    assert "dd/mm/yy" not in hint and v.page.input_value("#id_date_completed")
    v.check("log-on-date-hint", direction)
    draft = Draft.objects.get(participant=person)
    draft.done_sections = [s.code for s in load_instrument(draft.instrument).sections]
    draft.save()
    monthly = load_instrument("monthly", language)
    titles = {s.code: s for s in monthly.sections}
    for code in ("wellbeing", "hope", "social_network", "self_efficacy", "quality_of_life"):
        v.goto(f"/l/{token}/log/{code}/")
        assert v.page.locator("h1").inner_text() == titles[code].title
        assert titles[code].scale in v.page.locator("p.scale-name").inner_text()
        if code == "self_efficacy":
            options = v.page.locator("#q-mhses_1 label.option")
            assert options.first.inner_text() == titles[code].groups[0].options[0].text
            assert options.last.inner_text() == titles[code].groups[0].options[-1].text
        v.check(f"log-{code}", direction)
    other = "ar" if language == "en" else "en"
    v.goto(f"/l/{token}/log/wellbeing/")
    v.choose("swemwbs_1", "2")
    v.choose("swemwbs_6", "5")
    change_language(v, other)
    assert v.page.locator("input[name=swemwbs_1][value='2']").is_checked()
    assert v.page.locator("input[name=swemwbs_6][value='5']").is_checked()
    assert v.page.locator("h1").inner_text() == load_instrument(
        "monthly", other).sections[2].title
    v.check("wellbeing-language-changed", DIRECTION[other])
    draft.refresh_from_db()
    assert "swemwbs_1" not in draft.answers  # only sending the page saves it
    v.submit()  # (every other page was marked as seen: this sends the log)
    log = Log.objects.get(participant=person)
    assert (log.answers["swemwbs_1"], log.answers["swemwbs_6"]) == (2, 5)


def test_a_short_only_translation_gives_its_speakers_the_short_log(
        visit, participant_factory, tmp_path, monkeypatch):  # noqa: F811
    with short_only_arabic(tmp_path, monkeypatch):
        person = participant_factory(language="ar", short_version=False)
        token = links.new_token(person, "test")
        v = visit("words-short-only-ar")
        v.goto(f"/l/{token}/")
        assert v.page.locator("h1").inner_text() == load_instrument("quarterly_short", "ar").title
        v.check("short-only-link", "rtl")
        v.submit()
        pages = 0
        while "/log/" in v.page.url:
            pages += 1
            section = v.page.url.rstrip("/").rsplit("/", 1)[1]
            v.check(f"short-only-{section}", "rtl")
            v.submit()
        assert pages == len(load_instrument("quarterly_short").sections)
        log = Log.objects.get(participant=person)
        assert log.instrument == "quarterly_short" and log.language == "ar"


@pytest.fixture
def clerk(django_user_model, project_factory, settings):
    from peerlog.staff.models import StaffProfile, TotpDevice
    from peerlog.staff.views.ids import issue_batch

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    project = project_factory(region="Leeds", name="Harbour Peers")
    user = django_user_model.objects.create_user("coord", password="correct horse battery")
    StaffProfile.objects.create(user=user, role="coordinator").projects.set([project])
    TotpDevice.objects.create(user=user, secret=SECRET, confirmed=True)
    return project, issue_batch(project, 1, user).ids.first().code


def test_paper_registration_needs_the_three_consents(chromium, axe, live_server, clerk):
    project, code = clerk
    page = chromium.new_page()
    sign_in(page, live_server.url, "coord")
    page.goto(f"{live_server.url}/staff/entry/{project.pk}/registration/en/")
    page.get_by_label("Personal ID").fill(code)
    page.get_by_label("Date on the form (dd/mm/yy)").fill(
        timezone.localdate().strftime("%d/%m/%y"))
    for name, value in (("consent_information", "yes"), ("consent_reminders", "no"),
                        ("consent_data_use", "yes")):
        page.check(f"input[name='consent-{name}'][value='{value}']")
    page.check("input[name='more_about_you-age_band'][value='45-54']")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert "The form must say Yes to all three agreements" in page.content()
    assert page.locator("input[name='more_about_you-age_band'][value='45-54']").is_checked()
    assert page.locator("input[name='consent-consent_reminders'][value='no']").is_checked()
    assert axe(page) == []
    assert not Participant.objects.exists()
    page.check("input[name='consent-consent_reminders'][value='yes']")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    person = Participant.objects.get(personal_id__code=code)
    assert person.consent_reminders and person.age_band == "45-54"
    page.close()
