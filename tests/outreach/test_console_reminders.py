"""Issue 13, item 9: reminders in the console: the preview of today's run (channels, no
addresses), "send now" (central researchers; the same run and outbox as `peerlog remind`),
the outbox in words, and the monthly prize draw run from the console."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from peerlog.capture import personal_ids
from peerlog.capture.models import AuditEvent
from peerlog.outreach.models import Message, PrizeDraw
from peerlog.outreach.schedule import month_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(reachable, project_factory, make_staff):
    a, b = project_factory(name="Alpha"), project_factory(region="Plymouth", name="Beta")
    w = type("W", (), {})()
    w.a_person = reachable(channels=("email",), project=a)
    w.b_person = reachable(channels=("sms",), project=b)
    w.coord = make_staff("coordinator", "coord-a", projects=[a])
    w.central = make_staff("central_researcher", "central")
    return w


def _id(person) -> str:
    return personal_ids.display(person.personal_id.code)


def test_preview_shows_own_people_and_channel_never_the_address(client, people):
    client.force_login(people.coord)
    page = client.get("/staff/reminders/").content.decode()
    assert _id(people.a_person) in page and _id(people.b_person) not in page
    assert "<td>Email</td>" in page and "English" in page
    assert "@example.org" not in page and "+44" not in page
    assert "Send these reminders now" not in page  # coordinators do not send
    client.force_login(people.central)
    page = client.get("/staff/reminders/").content.decode()
    assert _id(people.b_person) in page and "<td>Text message</td>" in page


def test_a_person_reminded_this_month_leaves_the_preview(client, people):
    Message.objects.create(participant=people.a_person, month=month_key(timezone.localdate()),
                           channel="email", body="x", state="sent")
    client.force_login(people.coord)
    page = client.get("/staff/reminders/").content.decode()
    assert "No one is due a reminder today." in page
    assert f"/staff/participants/{people.a_person.pk}/" not in page


def test_coordinator_cannot_send_or_draw(client, people):
    client.force_login(people.coord)
    assert client.post("/staff/reminders/send/").status_code == 403
    assert client.post("/staff/reminders/draw/", {"month": "2026-01"}).status_code == 403
    assert not Message.objects.exists() and not PrizeDraw.objects.exists()


def test_send_now_runs_the_batch_once(client, people, smtp_server, sms_provider):
    client.force_login(people.central)
    response = client.post("/staff/reminders/send/")
    assert response.status_code == 302
    assert len(smtp_server.messages) == 1 and len(sms_provider.sent) == 1
    assert set(Message.objects.values_list("state", flat=True)) == {"sent"}
    event = AuditEvent.objects.get(action="outreach.remind_now")
    assert event.actor == people.central and event.detail["sent"] == 2
    # Sent again (a double click): nobody gets a second reminder.
    client.post("/staff/reminders/send/")
    assert len(smtp_server.messages) == 1 and Message.objects.count() == 2
    page = client.get("/staff/reminders/").content.decode()
    assert "No one is due a reminder today." in page and "<td>Sent.</td>" in page


def test_outbox_explains_a_failure_in_words(client, people):
    Message.objects.create(participant=people.a_person, month="2026-01", channel="email",
                           body="x", state="failed", error_kind="recipient_refused",
                           error_class="permanent", error_code="SMTP 550 5.1.1")
    client.force_login(people.coord)
    page = client.get("/staff/reminders/").content.decode()
    assert "PeerLog has stopped trying" in page and "SMTP 550 5.1.1" in page
    assert "Message-ID" not in page


def test_draw_from_the_console(client, people):
    from peerlog.capture.models import Log
    from peerlog.capture.services import store_log

    people.a_person.prize_draw = True
    people.a_person.save()
    today = timezone.localdate()
    month = month_key(today.replace(day=1) - dt.timedelta(days=1))
    log, _ = store_log(scope=None, instrument="monthly", answers={"swemwbs_1": 4},
                       typed_personal_id=people.a_person.personal_id.code,
                       completed_on=today.replace(day=1) - dt.timedelta(days=3),
                       mode="online", submission_key="draw-1")
    Log.objects.filter(pk=log.pk).update(
        status=Log.Status.COMPLETE,
        received_at=timezone.now().replace(day=1) - dt.timedelta(days=2))
    client.force_login(people.central)
    page = client.get("/staff/reminders/").content.decode()
    assert f'value="{month}"' in page  # last month offered
    response = client.post("/staff/reminders/draw/", {"month": month})
    record = PrizeDraw.objects.get()
    assert response["Location"] == f"/staff/outreach/draws/{record.pk}/"
    assert record.individual_winner == people.a_person.personal_id.code
    assert AuditEvent.objects.filter(action="outreach.draw", actor=people.central).exists()
    # Again: the recorded draw, not a new one.
    client.post("/staff/reminders/draw/", {"month": month})
    assert PrizeDraw.objects.count() == 1


@pytest.mark.parametrize(("month", "words"), [("March", "Type the month as YYYY-MM"),
                                              ("2999-01", "is not over yet")])
def test_a_bad_month_is_explained_at_the_field(client, people, month, words):
    client.force_login(people.central)
    response = client.post("/staff/reminders/draw/", {"month": month})
    assert response.status_code == 400 and words in response.content.decode()
    assert f'value="{month}"' in response.content.decode()  # kept as typed
    assert not PrizeDraw.objects.exists()
