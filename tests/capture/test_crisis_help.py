"""Help in a crisis (issue 10, item 2): the link on every participant page, the contacts
page, the thank-you page, and the signpost after answers that suggest distress, which tells
no one."""

from __future__ import annotations

import pytest
from django.test import Client
from tests.capture.test_pages_logs import page_data

from peerlog.capture import links
from peerlog.capture.models import AuditEvent, Draft
from peerlog.capture.views import crisis
from peerlog.outreach.models import Message

SIGNPOST = "If things are hard just now"


@pytest.fixture
def token(participant_factory):
    return links.new_token(participant_factory(), "test")


def test_every_participant_page_links_to_help(client, token):
    for path in ("/", "/register/", "/link/new/", f"/l/{token}/", f"/l/{token}/progress/",
                 "/no-such-page/", f"/l/{token[:-2]}/"):
        body = client.get(path).content.decode()
        assert '<a href="/help/?lang=en">Need to talk to someone now?</a>' in body, path


def test_the_help_page_lists_the_uk_services_by_default(client, db):
    body = client.get("/help/").content.decode()
    for name, tel, number in (("Samaritans", "116123", "116 123"), ("NHS 111", "111", "111"),
                              ("Emergency services", "999", "999")):
        assert f"<strong>{name}</strong>: <a href=\"tel:{tel}\" dir=\"ltr\">{number}</a>" in body
    assert "24 hours a day" in body


def test_the_help_page_in_arabic(client, db):
    client.cookies["django_language"] = "ar"
    body = client.get("/help/").content.decode()
    assert 'dir="rtl"' in body and "116 123" in body
    assert "Talk to someone now" not in body and "تحدث مع أحد الآن" in body
    assert "تحدث مع أحد الآن" in Client().get("/help/?lang=ar").content.decode()
    assert "هل تحتاج إلى التحدث مع أحد الآن؟" in body


def test_a_programme_replaces_the_contacts(client, db, settings):
    settings.PEERLOG = {**settings.PEERLOG, "CRISIS_CONTACTS": [
        {"name": "Leeds Crisis Line", "phone": "0800 000 0000", "text": "Evenings."}]}
    body = client.get("/help/").content.decode()
    assert "Leeds Crisis Line" in body and 'href="tel:08000000000"' in body
    assert "Samaritans" not in body


def test_contacts_from_the_environment(monkeypatch):
    from peerlog.web import settings as web_settings

    monkeypatch.setenv("PEERLOG_CRISIS_CONTACTS", '[{"name": "Line", "phone": "1"}]')
    assert web_settings._crisis_contacts() == [{"name": "Line", "phone": "1", "text": ""}]
    monkeypatch.delenv("PEERLOG_CRISIS_CONTACTS")
    assert [c["phone"] for c in web_settings._crisis_contacts()] == ["999", "116 123", "111"]


@pytest.mark.parametrize("answers,expected", [
    ({"eq5d_anxiety": 3}, True),
    ({"eq5d_anxiety": 2, "health_today": 3}, False),
    ({"health_today": 2}, True),
    ({"health_today": "1"}, True),
    ({f"swemwbs_{i}": 1 for i in (1, 2, 3)}, True),
    ({f"swemwbs_{i}": 1 for i in (1, 2)} | {"swemwbs_3": 2}, False),
    ({"eq5d_anxiety": "prefer_not_to_answer", "health_today": None}, False),
])
def test_which_answers_suggest_distress(answers, expected):
    assert crisis.suggests_distress(answers) is expected


def test_the_signpost_follows_distressing_answers_and_tells_no_one(client, token):
    client.post(f"/l/{token}/")
    draft = Draft.objects.get(log__isnull=True)
    key = draft.submission_key
    events, messages = AuditEvent.objects.count(), Message.objects.count()
    for section in ("log_on", "peer_support"):
        client.post(f"/l/{token}/log/{section}/", {**page_data(draft.instrument, section),
                                                   "key": key})
    calm = {**page_data(draft.instrument, "wellbeing"), "key": key}
    hard = {**calm, "swemwbs_1": "1", "swemwbs_3": "1", "swemwbs_6": "1"}
    response = client.post(f"/l/{token}/log/wellbeing/", hard, follow=True)
    body = response.content.decode()
    assert response.redirect_chain[-1][0].endswith("/log/hope/")
    assert SIGNPOST in body and "116 123" in body and "it does not alert anyone" in body
    assert SIGNPOST not in client.get(f"/l/{token}/log/wellbeing/").content.decode()
    client.post(f"/l/{token}/log/wellbeing/", calm)
    assert SIGNPOST not in client.get(f"/l/{token}/log/hope/").content.decode()
    assert AuditEvent.objects.count() == events and Message.objects.count() == messages
    assert "signpost" not in str(Draft.objects.get(pk=draft.pk).answers)


def test_the_thank_you_page_shows_the_contacts(client, token):
    from tests.capture.test_pages_logs import complete_log

    log = complete_log(client, token)
    body = client.get(f"/l/{token}/thanks/").content.decode()
    assert log.pk and "Need to talk to someone?" in body and "116 123" in body
    assert SIGNPOST not in body
