"""Issue 9 item 6 (logs and draws): online logs cannot be dated before the person's last due
date or after today, and a prize draw counts only logs submitted in the month drawn, so a
fresh ID with backdated logs cannot win a draw that has closed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from peerlog.capture import links
from peerlog.capture.models import Draft, Log
from peerlog.capture.services import store_log
from peerlog.outreach import draw

pytestmark = pytest.mark.django_db


def month_of(day: dt.date) -> str:
    return f"{day:%Y-%m}"


def start_log(client, token: str) -> Draft:
    assert client.post(f"/l/{token}/").status_code == 302
    return Draft.objects.get(log__isnull=True)


def test_a_fresh_registration_cannot_backdate_logs(client, participant_factory):
    today = timezone.localdate()
    person = participant_factory(prize_draw=True)  # registered today
    token = links.new_token(person, "test")
    draft = start_log(client, token)
    for backdated in (today - dt.timedelta(days=1), today - dt.timedelta(days=40)):
        response = client.post(f"/l/{token}/log/log_on/", {
            "key": draft.submission_key, "date_completed": backdated.isoformat()})
        page = response.content.decode()
        assert response.status_code == 200
        assert 'id="id_date_completed-error"' in page and "before your last log" in page
    future = client.post(f"/l/{token}/log/log_on/", {
        "key": draft.submission_key, "date_completed": (today + dt.timedelta(days=1)).isoformat()})
    assert "in the future" in future.content.decode()
    draft.refresh_from_db()
    assert draft.done_sections == [] and draft.answers == {}
    assert not Log.objects.exists()
    ok = client.post(f"/l/{token}/log/log_on/", {"key": draft.submission_key,
                                                 "date_completed": today.isoformat()})
    assert ok.status_code == 302
    draft.refresh_from_db()
    assert draft.answers["date_completed"] == today.isoformat()


def test_a_log_cannot_be_dated_before_the_previous_one(client, participant_factory):
    today = timezone.localdate()
    person = participant_factory(
        registered_at=timezone.now() - dt.timedelta(days=100))
    store_log(scope=None, instrument="quarterly", answers={}, typed_personal_id=person.personal_id.code,
              completed_on=today - dt.timedelta(days=30), mode="online", submission_key="q1",
              received_at=timezone.now() - dt.timedelta(days=30))
    token = links.new_token(person, "test")
    draft = start_log(client, token)
    before = client.post(f"/l/{token}/log/log_on/", {
        "key": draft.submission_key, "date_completed": (today - dt.timedelta(days=31)).isoformat()})
    assert "before your last log" in before.content.decode()
    same_period = client.post(f"/l/{token}/log/log_on/", {
        "key": draft.submission_key, "date_completed": (today - dt.timedelta(days=10)).isoformat()})
    assert same_period.status_code == 302


def test_a_draw_counts_logs_submitted_in_the_month_not_their_date(participant_factory):
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1))
    honest = participant_factory(prize_draw=True)
    stuffer = participant_factory(prize_draw=True)
    tz = timezone.get_default_timezone()
    # The honest person sent a log last month; the stuffer sends three logs today, dated last
    # month (as a paper form typed late would be).
    Log.objects.create(
        participant=honest, typed_personal_id=honest.personal_id.code, instrument="monthly",
        kind="monthly", version="full", mode="online", completed_on=last_month,
        received_at=dt.datetime.combine(last_month, dt.time(12), tzinfo=tz), submission_key="h")
    for n in range(3):
        store_log(scope=None, instrument="monthly", answers={}, typed_personal_id=stuffer.personal_id.code,
                  completed_on=last_month - dt.timedelta(days=n), mode="paper",
                  submission_key=f"s{n}")
    closed = [e["personal_id"] for e in draw.eligible(month_of(last_month))]
    assert closed == [honest.personal_id.code]
    record, created = draw.draw(month_of(last_month), actor="cli", today=today)
    assert created and record.eligible == [{"personal_id": honest.personal_id.code,
                                            "project": honest.project.code}]
    assert record.individual_winner == honest.personal_id.code
    # The late logs count in the month they were sent.
    assert stuffer.personal_id.code in [e["personal_id"] for e in draw.eligible(month_of(today))]
