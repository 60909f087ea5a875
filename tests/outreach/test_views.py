"""Staff pages of outreach: who sees which messages and draws, and deciding a message."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from peerlog.outreach.models import Message, PrizeDraw
from peerlog.staff.models import Role, StaffProfile


@pytest.fixture
def staff(django_user_model):
    def make(role, projects=()):
        user = django_user_model.objects.create_user(f"{role}-{len(projects)}", password="x" * 12)
        profile = StaffProfile.objects.create(user=user, role=role)
        profile.projects.set(projects)
        return user

    return make


@pytest.fixture
def outbox(participant_factory, project_factory):
    mine, theirs = project_factory(), project_factory()
    rows = {}
    for name, project, state in (("mine", mine, "in_doubt"), ("theirs", theirs, "failed"),
                                 ("sent", mine, "sent")):
        participant = participant_factory(project=project)
        rows[name] = Message.objects.create(participant=participant, month="2026-03",
                                            channel="email", body="secret link", state=state)
    return mine, rows


def test_coordinator_sees_and_decides_own_projects_messages(client, staff, outbox):
    mine, rows = outbox
    client.force_login(staff(Role.COORDINATOR, [mine]))
    page = client.get(reverse("outreach:outbox")).content.decode()
    assert rows["mine"].key in page and rows["theirs"].key not in page
    assert rows["mine"].participant.personal_id.code in page
    assert "secret link" not in page
    answer = client.post(reverse("outreach:decide", args=[rows["mine"].pk]),
                         {"action": "mark_sent"})
    assert answer.status_code == 302
    rows["mine"].refresh_from_db()
    assert rows["mine"].state == "sent" and rows["mine"].resolution == "mark_sent"
    # Another project's message is not theirs to decide.
    answer = client.post(reverse("outreach:decide", args=[rows["theirs"].pk]), {"action": "resend"})
    assert answer.status_code == 404
    # A sent message cannot be resent.
    client.post(reverse("outreach:decide", args=[rows["sent"].pk]), {"action": "resend"})
    rows["sent"].refresh_from_db()
    assert rows["sent"].state == "sent"


def test_central_researcher_sees_all_administrator_without_ids(client, staff, outbox):
    _, rows = outbox
    client.force_login(staff(Role.CENTRAL_RESEARCHER))
    page = client.get(reverse("outreach:outbox")).content.decode()
    assert rows["mine"].key in page and rows["theirs"].key in page
    client.force_login(staff(Role.ADMINISTRATOR))
    page = client.get(reverse("outreach:outbox") + "?show=all").content.decode()
    assert rows["sent"].key in page
    assert rows["mine"].participant.personal_id.code not in page


def test_commissioners_and_strangers_are_kept_out(client, staff, outbox):
    assert client.get(reverse("outreach:outbox")).status_code == 302  # sign in first
    client.force_login(staff(Role.COMMISSIONER))
    assert client.get(reverse("outreach:outbox")).status_code == 403
    assert client.get(reverse("outreach:draws")).status_code == 403


def test_draw_pages(client, staff, participant_factory, project_factory):
    from peerlog.capture.models import Log
    from peerlog.outreach import draw

    mine, theirs = project_factory(), project_factory()
    for project in (mine, theirs):
        person = participant_factory(project=project, prize_draw=True)
        Log.objects.create(participant=person, typed_personal_id=person.personal_id.code,
                           instrument="monthly", kind="monthly", version="full", mode="online",
                           completed_on=dt.date(2026, 3, 3), submission_key=f"k{project.pk}",
                           received_at=dt.datetime(2026, 3, 3, 12, tzinfo=dt.UTC))
    record, _ = draw.draw("2026-03", today=dt.date(2026, 4, 1))
    client.force_login(staff(Role.CENTRAL_RESEARCHER))
    page = client.get(reverse("outreach:draws")).content.decode()
    assert record.individual_winner in page
    detail = client.get(reverse("outreach:draw", args=[record.pk])).content.decode()
    assert record.seed in detail and "same winners" in detail
    coordinator = staff(Role.COORDINATOR, [mine])
    client.force_login(coordinator)
    page = client.get(reverse("outreach:draws")).content.decode()
    assert (record.individual_winner in page) == (record.individual_winner_project == mine.code)
    assert client.get(reverse("outreach:draw", args=[record.pk])).status_code == 403
    assert PrizeDraw.objects.count() == 1
