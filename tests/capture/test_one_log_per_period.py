"""One log per due period (issue 10, item 3): after a log the link offers no new one until
the next is due, says when that is, and for a week lets the person change the log they sent
(that same log, re-scored and audited)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from tests.capture.test_pages_logs import a_period_later, complete_log, page_data

from peerlog.capture import links, schedule
from peerlog.capture.models import AuditEvent, Draft, Log
from peerlog.capture.services import store_log

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(client, participant_factory):
    """A person who has just sent their first log through their link."""
    person = participant_factory()
    token = links.new_token(person, "test")
    log = complete_log(client, token)
    return person, token, log


def test_after_a_log_no_new_log_until_the_next_is_due(client, sent):
    person, token, log = sent
    page = client.get(f"/l/{token}/").content.decode()
    due = log.completed_on + dt.timedelta(days=28)
    assert "Your log is up to date" in page and "Start my log" not in page
    assert f"Your next log will be due on {due.day} {due:%B %Y}" in page
    assert "Change something in the log you sent" in page
    started = client.post(f"/l/{token}/")  # a stale page, or a crafted POST
    assert started["Location"] == f"/l/{token}/"
    assert not Draft.objects.filter(participant=person, log__isnull=True).exists()
    thanks = client.get(f"/l/{token}/thanks/").content.decode()
    assert f"Your next log will be due on {due.day} {due:%B %Y}" in thanks
    assert schedule.next_due_on(person) == due and not schedule.is_due(person)
    assert schedule.is_due(person, due)


def test_the_next_log_opens_when_it_is_due(client, sent):
    person, token, _log = sent
    a_period_later(person)
    page = client.get(f"/l/{token}/").content.decode()
    assert "Start my log" in page and "Your next log is due now." in page
    assert complete_log(client, token, "monthly").kind == "monthly"
    assert Log.objects.filter(participant=person).count() == 2


def test_changing_the_log_sent_changes_that_log(client, sent):
    person, token, log = sent
    before = dict(log.answers)
    page = client.get(f"/l/{token}/change/wellbeing/").content.decode()
    assert re.search(r'<input[^>]*name="swemwbs_1"[^>]*value="4"[^>]*checked', page)
    assert not re.search(r'<input[^>]*name="swemwbs_1"[^>]*value="1"[^>]*checked', page)
    assert 'name="date_completed"' not in page
    data = {**page_data(log.instrument, "wellbeing"), "swemwbs_1": "1",
            "date_completed": "2000-01-01"}
    response = client.post(f"/l/{token}/change/wellbeing/", data)
    assert response["Location"] == f"/l/{token}/change/?saved=wellbeing"
    assert "Your changes are saved." in client.get(response["Location"]).content.decode()
    log.refresh_from_db()
    assert Log.objects.filter(participant=person).count() == 1
    assert log.answers["swemwbs_1"] == 1 and log.scores["wellbeing_raw"] == 25
    assert log.answers["date_completed"] == before["date_completed"]
    assert {k: v for k, v in log.answers.items() if k != "swemwbs_1"} == {
        k: v for k, v in before.items() if k != "swemwbs_1"}
    event = AuditEvent.objects.get(action="log.change", target_id=str(log.pk))
    assert event.actor is None and event.actor_label == "participant"
    assert event.detail["changed"]["answers"] == {"swemwbs_1": [4, 1]}


def test_bad_input_on_a_change_page_keeps_the_log(client, sent):
    _person, token, log = sent
    response = client.post(f"/l/{token}/change/peer_support/",
                           {"ps_informal_given": "-3", "ps_groups_received": "7"})
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body
    assert 'value="7"' in body
    log.refresh_from_db()
    assert log.answers["ps_informal_given"] == 1
    assert not AuditEvent.objects.filter(action="log.change").exists()


def test_no_change_after_a_week(client, sent):
    person, token, log = sent
    Log.objects.filter(pk=log.pk).update(received_at=timezone.now() - dt.timedelta(days=8))
    assert "Change something" not in client.get(f"/l/{token}/").content.decode()
    assert client.get(f"/l/{token}/change/")["Location"] == f"/l/{token}/"
    response = client.post(f"/l/{token}/change/wellbeing/",
                           {**page_data(log.instrument, "wellbeing"), "swemwbs_1": "1"})
    assert response["Location"] == f"/l/{token}/"
    log.refresh_from_db()
    assert log.answers["swemwbs_1"] == 4 and not AuditEvent.objects.filter(
        action="log.change").exists()


def test_a_paper_log_counts_but_is_not_changed_online(client, participant_factory):
    person = participant_factory()
    token = links.new_token(person, "test")
    store_log(scope=None, instrument="quarterly", answers={"swemwbs_1": 4},
              typed_personal_id=person.personal_id.code, completed_on=timezone.localdate(),
              mode="paper", submission_key="paper-1")
    page = client.get(f"/l/{token}/").content.decode()
    assert "Your log is up to date" in page and "Change something" not in page
    assert client.get(f"/l/{token}/change/")["Location"] == f"/l/{token}/"


def test_someone_elses_link_changes_only_their_own_log(client, sent, participant_factory):
    _person, _token, log = sent
    other = participant_factory()
    other_token = links.new_token(other, "test")
    response = client.post(f"/l/{other_token}/change/wellbeing/",
                           {**page_data(log.instrument, "wellbeing"), "swemwbs_1": "1"})
    assert response["Location"] == f"/l/{other_token}/"
    log.refresh_from_db()
    assert log.answers["swemwbs_1"] == 4

