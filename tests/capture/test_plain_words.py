"""Plain words (issue 10 item 7): titles a person understands with the questionnaire's name in
small print, what 1 and 10 mean, a date hint that matches the date box, and changing language
on a half-filled page keeps what was typed (no JavaScript: the chooser sends the page)."""

import pytest
from django.conf import settings

from peerlog.capture import links
from peerlog.capture.models import Draft, RegistrationDraft
from peerlog.instruments import load_instrument

pytestmark = pytest.mark.django_db


def _start(client, participant, open_all=False):
    """A log begun; ``open_all``: every page may be opened (as if each was visited)."""
    token = links.new_token(participant, "test")
    assert client.post(f"/l/{token}/").status_code == 302
    draft = Draft.objects.get(participant=participant)
    if open_all:
        draft.done_sections = [s.code for s in load_instrument(draft.instrument).sections]
        draft.save()
    return token, draft


@pytest.mark.parametrize(("language", "title", "scale"), [
    ("en", "How you have been feeling",
     "Questionnaire: The Short Warwick-Edinburgh Mental Well-being Scale"),
    ("ar", "كيف كان شعورك", "الاستبيان: مقياس وارويك-إدنبرة المختصر للرفاه النفسي"),
])
def test_titles_in_plain_words_and_the_scales_name_in_small_print(
        client, participant_factory, language, title, scale):
    person = participant_factory(language=language, short_version=True)
    token, _draft = _start(client, person, open_all=True)
    page = client.get(f"/l/{token}/log/wellbeing/").content.decode()
    assert f"<h1>{title}</h1>" in page
    assert '<p class="caption scale-name">' in page and scale in page
    assert "<h2>The Short Warwick" not in page  # no longer a heading of its own
    health = client.get(f"/l/{token}/log/quality_of_life/").content.decode()
    assert "<h1>Your health today</h1>" in health or "<h1>صحتك اليوم</h1>" in health
    assert "EuroQoL EQ5D</h1>" not in health


def test_one_to_ten_scales_say_what_1_and_10_mean_and_the_date_hint_fits(client,
                                                                          participant_factory):
    person = participant_factory(short_version=False)
    token, draft = _start(client, person, open_all=True)
    page = client.get(f"/l/{token}/log/self_efficacy/").content.decode()
    assert "<span>1 (not at all confident)</span>" in page
    assert "<span>10 (totally confident)</span>" in page
    health = client.get(f"/l/{token}/log/quality_of_life/")
    assert "<span>1 (Worst)</span>" in health.content.decode()
    first = client.get(f"/l/{token}/log/log_on/").content.decode()
    assert "(dd/mm/yy)" not in first and 'type="date"' in first
    assert "Today&#x27;s date is filled in for you" in first


def test_changing_language_on_a_log_page_keeps_what_was_typed(client, participant_factory):
    person = participant_factory(language="en", short_version=True)
    token, draft = _start(client, person)
    draft.done_sections = ["log_on", "peer_support"]
    draft.save()
    typed = {"key": draft.submission_key, "swemwbs_1": "2", "swemwbs_5": "4",
             "language": "ar", "_change_language": "1"}
    response = client.post(f"/l/{token}/log/wellbeing/", typed)
    page = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page and "كيف كان شعورك" in page
    assert 'value="2" id="id_swemwbs_1_1" checked' in page
    assert 'value="4" id="id_swemwbs_5_3" checked' in page
    assert 'class="error"' not in page  # not sent yet: no messages
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
    draft.refresh_from_db()
    assert draft.done_sections == ["log_on", "peer_support"]  # nothing saved
    assert "swemwbs_1" not in draft.answers
    # Sending the page afterwards saves it as usual.
    sent = client.post(f"/l/{token}/log/wellbeing/", {k: v for k, v in typed.items()
                                                       if k != "_change_language"})
    assert sent.status_code == 302
    draft.refresh_from_db()
    assert draft.answers["swemwbs_1"] == 2


def test_changing_language_on_a_registration_page_keeps_what_was_typed(
        client, issued_id, project_factory, registration_posts):
    project = project_factory(region="Leeds")
    pid = issued_id(project)
    for step, data in registration_posts(pid, project)[:5]:
        assert client.post(f"/register/{step}/", data).status_code == 302
    response = client.post("/register/about-you/", {
        "gender": "other", "gender_other": "Genderqueer", "mh_services_years": "4",
        "language": "ar", "_change_language": "1"})
    page = response.content.decode()
    assert response.status_code == 200 and '<html lang="ar" dir="rtl">' in page
    assert 'value="Genderqueer"' in page and 'value="4"' in page
    assert 'name="gender" value="other" id="id_gender_3" checked' in page
    draft = RegistrationDraft.objects.get()
    assert "about-you" not in draft.done_sections and "gender" not in draft.answers
    # An unknown language changes nothing but still keeps the answers.
    odd = client.post("/register/about-you/", {"gender_other": "Genderqueer", "language": "xx",
                                               "_change_language": "1"}).content.decode()
    assert 'value="Genderqueer"' in odd


def test_the_chooser_belongs_to_the_page_form(client):
    page = client.get("/register/consent/").content.decode()
    assert '<form method="post" action="/register/consent/" novalidate id="page-form">' in page
    assert 'name="language" form="page-form"' in page
    assert 'form="page-form" name="_change_language"' in page
    home = client.get("/").content.decode()  # no answers on the page: Django's own view
    assert 'form="page-form"' not in home


@pytest.mark.parametrize(("short", "pages", "questions"), [(False, 13, 124), (True, 7, 48)])
def test_the_stated_length_is_counted_from_the_definition(client, participant_factory, short,
                                                          pages, questions):
    """The first log is quarterly: 13 pages and up to 124 questions in full (not "13 short
    pages"), counted from the definition (the personal ID is not asked again online)."""
    inst = load_instrument("quarterly_short" if short else "quarterly")
    assert len(inst.sections) == pages and len(inst.items) - 1 == questions
    token = links.new_token(participant_factory(short_version=short), "test")
    page = client.get(f"/l/{token}/").content.decode()
    assert f"This log has {pages} pages, with up to {questions} questions." in page
    assert "short pages" not in page
    theirs = links.new_token(participant_factory(short_version=short, language="ar"), "test")
    arabic = client.get(f"/l/{theirs}/").content.decode()
    assert f"في هذا السجل {pages} " in arabic and f"حتى {questions} سؤالاً" in arabic
