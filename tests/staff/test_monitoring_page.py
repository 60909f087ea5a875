"""Monitoring people can read (issue 13 item 10): a date range, totals first, regions in
collapsed sections, overdue linked to the due list."""

from __future__ import annotations

import datetime as dt
import re

from tests.conftest import monthly_answers

from peerlog.capture.models import Log
from peerlog.capture.services import store_log
from peerlog.staff import monitoring


def _log(pid, key, day):
    return store_log(scope=None, instrument="monthly", answers=monthly_answers(),
                     typed_personal_id=pid, completed_on=day, mode="online",
                     submission_key=key,
                     received_at=dt.datetime.combine(day, dt.time(12), dt.UTC))[0]


def test_a_date_range_narrows_the_monthly_figures(client, world):
    _log(world.pa.personal_id.code, "may", dt.date(2016, 5, 10))
    client.force_login(world.staff["central_researcher"])
    everything = client.get("/staff/monitoring/logs.csv").content.decode().splitlines()
    assert [r.split(",")[0] for r in everything[1:]] == ["2016-03", "2016-04", "2016-05"]
    may = client.get("/staff/monitoring/logs.csv?start=2016-05-01&end=2016-05-31")
    assert [r.split(",")[0] for r in may.content.decode().splitlines()[1:]] == ["2016-05"]
    page = client.get("/staff/monitoring/?start=2016-05-01&end=2016-05-31").content.decode()
    assert "from 1 May 2016 to 31 May 2016" in page
    # The CSV links carry the dates, so a download is what the page shows.
    assert "/staff/monitoring/logs.csv?start=2016-05-01&amp;end=2016-05-31" in page
    totals = re.search(r"Complete logs in these dates</dt><dd>(\d+)<", page).group(1)
    assert totals == "1"


def test_a_date_before_the_programme_or_the_wrong_way_round_cannot_stretch_anything(
        client, world):
    client.force_login(world.staff["central_researcher"])
    old = client.get("/staff/monitoring/registrations.csv?start=0001-01-01").content.decode()
    first_month = old.splitlines()[1].split(",")[0] if len(old.splitlines()) > 1 else "9999"
    assert first_month >= "2015-09"
    page = client.get("/staff/monitoring/?start=2016-06-01&end=2016-01-01").content.decode()
    assert "The end date is before the start date." in page
    assert 'value="2016-06-01"' in page  # what was typed is kept


def test_totals_come_first_regions_collapse_and_overdue_links_to_the_due_list(client, world):
    user = world.staff["central_researcher"]
    client.force_login(user)
    page = client.get("/staff/monitoring/").content.decode()
    assert page.index('id="h-totals"') < page.index('id="h-projects"') < page.index(
        'id="h-registrations"')
    assert page.count('<details class="region"') >= 4  # 2 regions x (projects, since first)
    assert "<summary>Leeds: 1 project, 1 registered, " in page
    overdue = [d for d in monitoring.due_people(monitoring.Project.objects.all()) if d.overdue]
    assert overdue  # the world's people last logged in 2016
    link = re.search(r'<a href="(/staff/due/\?status=overdue)" id="overdue-link">(\d+) ',
                     page)
    assert link and int(link.group(2)) == len(overdue)
    # Each project's overdue figure links to the due list filtered to that project.
    assert f"/staff/due/?project={world.a.pk}&amp;status=overdue" in page
    due_list = client.get(f"/staff/due/?project={world.a.pk}&status=overdue").content.decode()
    assert "Overdue" in due_list or "overdue" in due_list


def test_commissioners_get_totals_without_links_to_people(client, world):
    client.force_login(world.staff["commissioner"])
    page = client.get("/staff/monitoring/").content.decode()
    assert 'id="totals"' in page and "/staff/due/" not in page
    assert ">1<" not in re.search(r'<dl class="figures" id="totals">(.*?)</dl>', page,
                                  re.S).group(1)  # small counts shown as <5


def test_a_held_paper_log_counts_as_logged_in_monitoring_as_in_the_due_list(world):
    projects = monitoring.Project.objects.filter(pk=world.a.pk)
    today = dt.date(2016, 3, 1) + dt.timedelta(days=40)
    header, rows = monitoring.project_table(projects, today=today)
    due = monitoring.due_people(projects, today)
    assert rows[0][header.index("due_now")] == sum(not d.overdue for d in due)
    assert rows[0][header.index("overdue_now")] == sum(d.overdue for d in due)
    assert Log.objects.filter(status=Log.Status.HELD).exists()


def test_the_due_list_counts_an_online_log_from_the_day_it_was_received(world):
    """A log sent online today but dated 40 days back does not make the person due again
    (the link page and reminders count it from receipt: capture.schedule.counted_on); the
    due list and a person's due status say the same. A paper log keeps its paper date."""
    from django.utils import timezone

    projects = monitoring.Project.objects.filter(pk=world.a.pk)
    person = world.pa
    assert person in [d.participant for d in monitoring.due_people(projects)]
    today = timezone.localdate()
    store_log(scope=None, instrument="monthly", answers=monthly_answers(),
              typed_personal_id=person.personal_id.code, completed_on=today - dt.timedelta(40),
              mode="online", submission_key="backdated")
    assert person not in [d.participant for d in monitoring.due_people(projects)]
    status = monitoring.due_status(person)
    assert status["state"] == "not_yet" and status["last_log"] == today
