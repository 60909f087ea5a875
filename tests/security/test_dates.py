"""Issue 9, item 9: dates are bounded.

The attack from the report: a paper log dated ``0001-01-01`` was stored and turned
monitoring into a 9 MB, 24,313-row page. Paper-entry dates (and date corrections) before
the programme start or after tomorrow are refused at the field; a date more than three
months back needs a tick; monitoring tables run from the programme start to this month.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone
from tests.conftest import monthly_answers

from peerlog.capture.models import Log
from peerlog.capture.services import store_log
from peerlog.staff.models import PaperEntry
from peerlog.staff.monitoring import MAX_MONTHS
from peerlog.staff.views.paper import months_before

TODAY = timezone.localdate()


def paper(date: str, **extra) -> dict:
    return {"id-personal_id": "4839201", "id-confirm_id": "on", "id-date_completed": date,
            "submission_key": "k",
            "peer_support-ps_informal_given": "7", "peer_support-projects_attended": "2",
            **extra}


def post(client, world, data):
    client.force_login(world.staff["coordinator"])
    return client.post(f"/staff/entry/{world.a.pk}/monthly/en/", data)


def stored() -> int:
    return Log.objects.filter(mode="paper", submission_key__startswith="paper-").count()


@pytest.mark.parametrize(("date", "message"), [
    ("01/01/0001", "before the programme started (01/09/2015)"),
    ("0001-01-01", "before the programme started"),
    ("31/08/2015", "before the programme started"),
    ((TODAY + dt.timedelta(days=2)).strftime("%d/%m/%Y"), "This date is in the future"),
    ("31/12/9999", "This date is in the future"),
    ("31/02/2020", "Enter a valid date"),
])
def test_dates_outside_the_programme_are_refused_at_the_field(client, world, date, message):
    response = post(client, world, paper(date))
    body = response.content.decode()
    assert response.status_code == 400 and stored() == 0
    assert message in body
    assert f'value="{date}"' in body and 'value="4839201"' in body  # what was typed is kept
    assert 'name="peer_support-ps_informal_given" value="7"' in body


def test_tomorrow_is_accepted(client, world):
    response = post(client, world, paper((TODAY + dt.timedelta(days=1)).strftime("%d/%m/%Y")))
    assert response.status_code == 302 and stored() == 1


def test_the_programme_start_is_a_setting(client, world, settings):
    settings.PEERLOG = {**settings.PEERLOG, "PROGRAMME_START": "2024-01-01"}
    response = post(client, world, paper("01/12/2023", **{"id-confirm_old_date": "on"}))
    assert response.status_code == 400 and "(01/01/2024)" in response.content.decode()
    assert stored() == 0


def test_a_date_over_three_months_back_needs_a_tick(client, world):
    old = (months_before(TODAY, 3) - dt.timedelta(days=1)).strftime("%d/%m/%Y")
    first = post(client, world, paper(old))
    body = first.content.decode()
    assert first.status_code == 400 and stored() == 0
    assert "more than three months ago" in body
    assert 'type="checkbox" name="id-confirm_old_date"' in body
    assert f'value="{old}"' in body and 'name="peer_support-ps_informal_given" value="7"' in body
    confirmed = post(client, world, paper(old, **{"id-confirm_old_date": "on"}))
    assert confirmed.status_code == 302 and stored() == 1
    log = Log.objects.get(mode="paper", submission_key__startswith="paper-")
    assert log.completed_on.strftime("%d/%m/%Y") == old
    assert PaperEntry.objects.get(log=log).values["date_completed"] == log.completed_on.isoformat()


def test_a_recent_date_needs_no_tick(client, world):
    recent = months_before(TODAY, 2).strftime("%d/%m/%Y")
    page = client.get(f"/staff/entry/{world.a.pk}/monthly/en/").content.decode()
    assert 'type="checkbox" name="id-confirm_old_date"' not in page
    assert post(client, world, paper(recent)).status_code == 302 and stored() == 1


def test_months_before_keeps_to_the_end_of_short_months():
    assert months_before(dt.date(2026, 5, 31), 3) == dt.date(2026, 2, 28)
    assert months_before(dt.date(2026, 2, 15), 3) == dt.date(2025, 11, 15)


@pytest.mark.parametrize(("value", "message"), [
    ("01/01/0001", "before the programme started"), ("0001-01-01", "before the programme"),
    ("31/12/9999", "in the future"), ("yesterday", "Type the date as dd/mm/yy"),
    ("²", "Type the date as dd/mm/yy"),
])
def test_a_date_correction_is_bounded_too(client, world, value, message):
    client.force_login(world.staff["coordinator"])
    url = f"/staff/quality/log/{world.unregistered.pk}/ticks/"
    page = client.get(url).content.decode()
    assert 'name="date"' in page
    response = client.post(url, {"outcome": "correct", "date": value,
                                 "note": "as on the paper"})
    body = response.content.decode()
    world.unregistered.refresh_from_db()
    assert response.status_code == 400 and message in body
    assert world.unregistered.completed_on == dt.date(2016, 3, 1)
    assert 'value="as on the paper"' in body  # the note typed is kept
    good = client.post(url, {"outcome": "correct", "date": "02/03/16"})
    world.unregistered.refresh_from_db()
    assert good.status_code == 302 and world.unregistered.completed_on == dt.date(2016, 3, 2)


def test_a_stray_date_in_the_database_cannot_stretch_monitoring(client, world):
    """Rows stored before the bounds (or by an import) stay out of every monthly table."""
    for key, day in (("year-1", dt.date(1, 1, 1)), ("year-9999", dt.date(9999, 12, 31))):
        store_log(instrument="monthly", answers=monthly_answers(), scope=None,
                  typed_personal_id=world.pa.personal_id.code, completed_on=day,
                  mode="paper", submission_key=key)
    client.force_login(world.staff["central_researcher"])
    start = dt.date(2015, 9, 1)
    months = (TODAY.year - start.year) * 12 + TODAY.month - start.month + 1
    for name in ("logs", "registrations", "since_first", "since_first_by_region"):
        rows = list(csv.reader(io.StringIO(
            client.get(f"/staff/monitoring/{name}.csv").content.decode())))
        assert len(rows) - 1 <= months, name
        assert not any(r[0].startswith(("0001", "9999")) for r in rows)
    since = list(csv.reader(io.StringIO(
        client.get("/staff/monitoring/since_first.csv").content.decode())))
    assert [r[0] for r in since[1:]] == ["1"]  # only the 2016 log: the person's first
    page = client.get("/staff/monitoring/")
    assert page.status_code == 200 and len(page.content) < 400_000


def test_monthly_tables_are_capped(client, world, settings):
    settings.PEERLOG = {**settings.PEERLOG, "PROGRAMME_START": "1900-01-01"}
    store_log(instrument="monthly", answers=monthly_answers(), scope=None,
              typed_personal_id=world.pa.personal_id.code, completed_on=dt.date(1901, 1, 1),
              mode="paper", submission_key="old")
    client.force_login(world.staff["central_researcher"])
    rows = list(csv.reader(io.StringIO(
        client.get("/staff/monitoring/logs.csv").content.decode())))
    assert 1 < len(rows) <= MAX_MONTHS + 1
