"""Monthly prize draws: who may win, a recorded seed, the same winners every time."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from peerlog.capture.models import AuditEvent, Log
from peerlog.cli import main
from peerlog.outreach import draw
from peerlog.outreach.models import PrizeDraw

MARCH = "2026-03"
AFTER = dt.date(2026, 4, 2)


def log_on(participant, day, status=Log.Status.COMPLETE):
    """A log dated and submitted on ``day`` (the draw counts the submission)."""
    return Log.objects.create(
        participant=participant, typed_personal_id=participant.personal_id.code,
        instrument="monthly", kind="monthly", version="full", mode="online",
        completed_on=day, status=status, submission_key=uuid.uuid4().hex,
        received_at=dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_default_timezone()),
    )


@pytest.fixture
def march(participant_factory, project_factory):
    """Five people eligible for March, and five who are not."""
    a, b = project_factory(), project_factory()
    eligible = [participant_factory(project=p, prize_draw=True) for p in (a, a, a, b, b)]
    for i, person in enumerate(eligible):
        log_on(person, dt.date(2026, 3, 1 + i * 7))
    log_on(eligible[0], dt.date(2026, 3, 30))  # two logs: still one entry
    not_opted_in = participant_factory(project=a, prize_draw=False)
    no_contact = participant_factory(project=a, prize_draw=True, withdrawal="no_contact")
    remove_data = participant_factory(project=b, prize_draw=True, withdrawal="remove_data")
    other_month = participant_factory(project=b, prize_draw=True)
    held = participant_factory(project=b, prize_draw=True)
    for person in (not_opted_in, no_contact, remove_data):
        log_on(person, dt.date(2026, 3, 10))
    log_on(other_month, dt.date(2026, 4, 1))
    log_on(other_month, dt.date(2026, 2, 28))
    log_on(held, dt.date(2026, 3, 10), status=Log.Status.HELD)
    Log.objects.create(  # an unregistered ID wins nothing
        typed_personal_id="000000", instrument="monthly", kind="monthly", version="full",
        mode="paper", completed_on=dt.date(2026, 3, 5), submission_key=uuid.uuid4().hex,
        received_at=dt.datetime(2026, 3, 5, 12, tzinfo=dt.UTC),
    )
    return eligible


def test_eligible_are_opted_in_not_withdrawn_with_a_complete_log_that_month(march):
    entries = draw.eligible(MARCH)
    assert [e["personal_id"] for e in entries] == sorted(p.personal_id.code for p in march)
    assert {e["project"] for e in entries} == {p.project.code for p in march}


def test_draw_is_recorded_and_reproducible_from_its_seed(march):
    record, created = draw.draw(MARCH, actor="cli", today=AFTER)
    assert created and record.current and len(record.seed) == 32
    assert record.eligible == draw.eligible(MARCH)
    codes = {p.personal_id.code for p in march}
    assert record.individual_winner in codes and record.project_drawn_person in codes
    assert record.project_drawn_person != record.individual_winner
    assert record.project_winner == next(
        p.project.code for p in march if p.personal_id.code == record.project_drawn_person)
    assert (record.individual_prize, record.project_prize) == ("£25 vouchers", "£50 vouchers")
    assert draw.verify(record)
    assert draw.pick(record.seed, record.eligible) == draw.pick(record.seed, record.eligible)
    assert AuditEvent.objects.filter(action="outreach.draw").count() == 1

    # Drawing again shows the recorded draw; it never redraws on its own.
    again, created = draw.draw(MARCH, actor="cli", today=AFTER)
    assert not created and again.pk == record.pk and again.seed == record.seed
    # Even if the data change later (a withdrawal), the kept list and winners stand.
    march[0].withdrawal = "no_contact"
    march[0].save()
    record.refresh_from_db()
    assert draw.verify(record) and len(record.eligible) == 5


def test_a_forced_redraw_needs_a_reason_and_keeps_the_first(march):
    first, _ = draw.draw(MARCH, today=AFTER)
    with pytest.raises(draw.DrawError):
        draw.draw(MARCH, force=True, today=AFTER)
    second, created = draw.draw(MARCH, force=True, reason="winner unreachable", today=AFTER)
    first.refresh_from_db()
    assert created and second.current and not first.current
    assert second.seed != first.seed and second.reason == "winner unreachable"
    assert PrizeDraw.objects.filter(month=MARCH).count() == 2
    assert draw.verify(first) and draw.verify(second)


def test_known_seed_gives_known_winners():
    entries = [{"personal_id": f"{i:06d}", "project": "p1" if i < 3 else "p2"} for i in range(6)]
    result = draw.pick("00ff" * 8, entries)
    assert result == draw.pick("00ff" * 8, list(entries))
    assert result["individual_winner"] != result["project_drawn_person"]
    one = draw.pick("abc", entries[:1])
    assert one["individual_winner"] == one["project_drawn_person"] == "000000"
    assert draw.pick("abc", [])["individual_winner"] == ""


def test_month_must_be_over(march):
    with pytest.raises(draw.DrawError):
        draw.draw(MARCH, today=dt.date(2026, 3, 31))
    with pytest.raises(draw.DrawError):
        draw.draw("March", today=AFTER)


def test_a_month_with_nobody_eligible(db):
    record, _ = draw.draw("2025-01", today=AFTER)
    assert record.eligible == [] and record.individual_winner == "" and draw.verify(record)


def test_draw_command(march, capsys):
    assert main(["draw", "--month", MARCH, "--today", "2026-04-02"]) == 0
    out = capsys.readouterr().out
    record = PrizeDraw.objects.get()
    assert "new draw" in out and record.seed in out and record.individual_winner in out
    assert "reproduces from seed: yes" in out
    assert main(["draw", "--month", MARCH, "--today", "2026-04-02"]) == 0
    assert "recorded draw" in capsys.readouterr().out
    assert PrizeDraw.objects.count() == 1
    assert main(["draw", "--month", "2099-01"]) == 2
