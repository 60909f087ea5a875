"""The end-of-evaluation prizes for the most frequent completers (`peerlog draw --final`):
who may win, the ranking, ties settled by a recorded seed, the same winners every time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from tests.outreach.test_draw import log_on

from peerlog.capture.models import AuditEvent, Log
from peerlog.cli import main
from peerlog.outreach import draw
from peerlog.outreach.models import PrizeDraw

END = dt.date(2026, 6, 30)
AFTER = dt.date(2026, 7, 1)


def logs(person, n: int, start=dt.date(2026, 1, 5)):
    for i in range(n):
        log_on(person, start + dt.timedelta(days=20 * i))


@pytest.fixture
def season(participant_factory, project_factory):
    """Completers with 6, 5, 4, 4, 4 and 1 logs; and people who may not win."""
    a, b = project_factory(), project_factory()
    people = {}
    for name, n, project in (("six", 6, a), ("five", 5, b), ("four1", 4, a), ("four2", 4, b),
                             ("four3", 4, a), ("one", 1, b)):
        people[name] = participant_factory(project=project, prize_draw=True)
        logs(people[name], n)
    many = dict(project=a)
    people["not_opted_in"] = participant_factory(prize_draw=False, **many)
    people["withdrawn"] = participant_factory(prize_draw=True, withdrawal="no_contact", **many)
    for name in ("not_opted_in", "withdrawn"):
        logs(people[name], 9)
    people["late"] = participant_factory(prize_draw=True, **many)  # after the end: not counted
    logs(people["late"], 9, start=dt.date(2026, 7, 1))
    people["held"] = participant_factory(prize_draw=True, **many)
    for i in range(9):
        log_on(people["held"], dt.date(2026, 2, 1 + i), status=Log.Status.HELD)
    return people


def test_eligible_counts_complete_logs_up_to_the_end(season):
    entries = {e["personal_id"]: e["logs"] for e in draw.final_eligible(END)}
    code = {name: p.personal_id.code for name, p in season.items()}
    assert entries == {code["six"]: 6, code["five"]: 5, code["four1"]: 4, code["four2"]: 4,
                       code["four3"]: 4, code["one"]: 1}
    assert [e["personal_id"] for e in draw.final_eligible(END)] == sorted(entries)


def test_most_logs_win_and_a_tie_for_the_last_place_is_drawn(season):
    record, created = draw.draw_final(END, prizes=3, actor="cli", today=AFTER)
    assert created and record.month == "final" and record.until == END
    code = {name: p.personal_id.code for name, p in season.items()}
    winners = [w["personal_id"] for w in record.winners]
    assert winners[:2] == [code["six"], code["five"]]
    assert winners[2] in {code["four1"], code["four2"], code["four3"]}
    assert draw.verify(record)
    # Reproducible: the same seed and list give the same winners; another seed may not.
    assert draw.pick_final(record.seed, record.eligible, 3) == record.winners
    thirds = {draw.pick_final(f"{s:032x}", record.eligible, 3)[2]["personal_id"]
              for s in range(40)}
    assert thirds == {code["four1"], code["four2"], code["four3"]}
    event = AuditEvent.objects.get(action="outreach.draw")
    assert event.detail["seed"] == record.seed and event.detail["prizes"] == 3


def test_a_tie_that_fits_takes_everyone_tied(season):
    record, _ = draw.draw_final(END, prizes=5, today=AFTER)
    assert [w["logs"] for w in record.winners] == [6, 5, 4, 4, 4]


def test_a_tampered_record_does_not_verify(season):
    record, _ = draw.draw_final(END, prizes=3, today=AFTER)
    record.winners = [record.winners[1], record.winners[0], record.winners[2]]
    assert not draw.verify(record)


def test_recorded_once_redraw_needs_force_and_reason_and_keeps_the_first(season):
    first, _ = draw.draw_final(END, today=AFTER)
    again, created = draw.draw_final(END, today=AFTER)
    assert not created and again.pk == first.pk
    with pytest.raises(draw.DrawError):
        draw.draw_final(END, force=True, today=AFTER)
    second, created = draw.draw_final(END, force=True, reason="a log was wrongly held",
                                      today=AFTER)
    assert created and PrizeDraw.objects.filter(month="final").count() == 2
    assert PrizeDraw.objects.get(pk=first.pk).current is False


def test_the_evaluation_must_be_over(season):
    with pytest.raises(draw.DrawError):
        draw.draw_final(END, today=END)
    assert not PrizeDraw.objects.exists()


def test_nobody_eligible(db):
    record, _ = draw.draw_final(END, today=AFTER)
    assert record.winners == [] and record.eligible == [] and draw.verify(record)


def test_final_draw_command(season, capsys):
    assert main(["draw", "--final", "--until", "2026-06-30", "--prizes", "2",
                 "--today", "2026-07-01"]) == 0
    out = capsys.readouterr().out
    record = PrizeDraw.objects.get(month="final")
    assert "new draw" in out and record.seed in out
    assert f"prize 1 (£50 vouchers): {season['six'].personal_id.code}" in out
    assert "reproduces from seed: yes" in out
    assert main(["draw", "--final", "--today", "2026-07-01"]) == 2  # --until is needed
    with pytest.raises(SystemExit):  # one draw or the other
        main(["draw", "--month", "2026-03", "--final"])
    assert PrizeDraw.objects.count() == 1


def test_final_draw_defaults_to_the_programme_end_and_its_prize(season, capsys):
    from peerlog.capture import programme
    from peerlog.capture.models import ProgrammeSettings

    ProgrammeSettings.objects.update_or_create(
        pk=1, defaults={"programme_end": END, "prize_final": "£40"})
    programme.forget()
    try:
        assert main(["draw", "--final", "--prizes", "1", "--today", "2026-07-01"]) == 0
        record = PrizeDraw.objects.get(month="final")
        assert record.until == END and record.individual_prize == "£40 vouchers"
        assert f"prize 1 (£40 vouchers): {season['six'].personal_id.code}" in capsys.readouterr().out
    finally:
        programme.forget()


def test_staff_see_final_winners_of_their_own_projects_only(season, client, make_staff):
    record, _ = draw.draw_final(END, prizes=3, today=AFTER)
    coordinator = make_staff("coordinator", projects=[season["five"].project])
    client.force_login(coordinator)
    html = client.get(reverse("outreach:draws")).content.decode()
    assert season["five"].personal_id.code in html
    assert season["six"].personal_id.code not in html
    central = make_staff("central_researcher")
    client.force_login(central)
    html = client.get(reverse("outreach:draw", args=[record.pk])).content.decode()
    assert all(w["personal_id"] in html for w in record.winners)
    assert "same winners" in html
