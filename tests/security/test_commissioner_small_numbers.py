"""Issue 9, item 7: no figure about fewer than five people reaches a commissioner, by any
parameter, page, chart, table or CSV.

The attack from the report: ``/staff/monitoring/projects.csv?project=<id>`` for a 2-person
project showed ``2026-12,2,2``. Here a commissioner tries every route and every parameter
against a world with 1- and 2-person projects, and no cell may hold a count of 1 to 4.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from tests.conftest import monthly_answers

from peerlog.capture.services import store_log
from peerlog.staff.monitoring import HIDDEN, SMALL, suppress_for_commissioners

NAMES = ("registrations", "logs", "since_first", "since_first_by_region", "projects")
LABELS = {"month", "region", "project", "month_since_first"}
SMALL_COUNTS = {"1", "2", "3", "4"}
PAGE_LABELS = {"Month", "Region", "Project", "Log number (month since first log)"}


@pytest.fixture
def small_world(world, project_factory, participant_factory):
    """World (A and B: one person each) plus C (2 people), Big (7) and Huge (10) in Leeds."""
    today = timezone.localdate()
    recent = [today - dt.timedelta(days=40), today - dt.timedelta(days=10)]
    c = project_factory(region="Leeds", name="Charlie")
    big = project_factory(region="Leeds", name="Big")
    huge = project_factory(region="Leeds", name="Huge")
    people = {"c": [participant_factory(project=c) for _ in range(2)],
              "big": [participant_factory(project=big) for _ in range(7)],
              "huge": [participant_factory(project=huge) for _ in range(10)]}
    n = 0
    for group, logs_each in (("c", [2, 1]), ("big", [2, 2, 2, 1, 1, 1, 0]),
                             ("huge", [2] * 10)):
        for person, count in zip(people[group], logs_each, strict=True):
            for on in recent[:count]:
                n += 1
                store_log(instrument="monthly", answers=monthly_answers(), scope=None,
                          typed_personal_id=person.personal_id.code, completed_on=on,
                          mode="online", submission_key=f"small-{n}")
    world.c, world.big, world.huge = c, big, huge
    return world


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


def small_csv_cells(rows: list[list[str]]) -> list[tuple[str, str]]:
    header, body = rows[0], rows[1:]
    return [(header[i], cell) for row in body for i, cell in enumerate(row)
            if header[i] not in LABELS and cell in SMALL_COUNTS]


def small_page_cells(body: str) -> list[str]:
    """Counts of 1-4 in any table's data cells (label columns excepted) or chart bar."""
    found = []
    for table in re.findall(r"<table.*?</table>", body, flags=re.S):
        header = re.findall(r'<th scope="col">([^<]*)</th>', table)
        for row in re.findall(r"<tbody>.*?</tbody>", table, flags=re.S):
            for tr in re.findall(r"<tr>(.*?)</tr>", row, flags=re.S):
                cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, flags=re.S)
                for label, cell in zip(header, cells, strict=False):
                    if label not in PAGE_LABELS and cell.strip() in SMALL_COUNTS:
                        found.append(f"{label}={cell}")
    bars = re.findall(r":\s*([0-9.]+)</title>", body)
    return found + [b for b in bars if b in SMALL_COUNTS]


PARAMS = ["", "?project={c}", "?project={a}", "?region=leeds", "?region=plymouth",
          "?region=leeds&project={c}", "?project=%C2%B2", "?region=%00"]


@pytest.mark.parametrize("params", PARAMS)
def test_no_route_gives_a_commissioner_a_count_under_five(client, small_world, params):
    w = small_world
    query = params.format(c=w.c.pk, a=w.a.pk)
    client.force_login(w.staff["commissioner"])
    page = client.get(f"/staff/monitoring/{query}")
    assert page.status_code == 200
    body = page.content.decode()
    assert small_page_cells(body) == [], query
    assert 'name="project"' not in body  # no single-project filter
    assert ("Charlie" in body) == ("plymouth" not in query)
    for name in NAMES:
        response = client.get(f"/staff/monitoring/{name}.csv{query}")
        assert response.status_code == 200
        rows = csv_rows(response)
        assert small_csv_cells(rows) == [], (name, query)
    home = client.get("/staff/").content.decode()
    assert small_page_cells(home) == []


def test_a_project_filter_changes_nothing_for_a_commissioner(client, small_world):
    w = small_world
    client.force_login(w.staff["commissioner"])
    for name in NAMES:
        everything = client.get(f"/staff/monitoring/{name}.csv").content
        assert client.get(f"/staff/monitoring/{name}.csv?project={w.c.pk}").content == everything


def test_the_rule_withholds_small_cells_totals_and_differences(client, small_world):
    w = small_world
    client.force_login(w.staff["commissioner"])
    rows = {r[0]: r for r in csv_rows(client.get("/staff/monitoring/projects.csv"))[1:]}
    # A (1 person) and Charlie (2): no figures at all; Big withheld so that A + Charlie + Big
    # together hold 5 or more (Leeds totals elsewhere minus Huge give only their sum).
    assert rows["Alpha"][2:] == [""] * 7 and rows["Charlie"][2:] == [""] * 7
    assert rows["Big"][2:] == [HIDDEN] * 7
    assert rows["Huge"][2:] == ["100", "10", "10", "10", "10", "0", "0"]
    # Beta (1 person) is alone in Plymouth: blank.
    assert rows["Beta"][2:] == [""] * 7
    logs = csv_rows(client.get("/staff/monitoring/logs.csv"))
    header = logs[0]
    latest = (timezone.localdate() - dt.timedelta(days=10)).strftime("%Y-%m")
    last = next(r for r in logs if r[0] == latest)
    assert header[-1] == "total" and int(last[-1]) >= 10
    assert all(cell not in SMALL_COUNTS for cell in last[1:])
    # The 2016 log of A's one person: "<5", and the total with it.
    march = next(r for r in logs if r[0] == "2016-03")
    assert march[header.index("Leeds")] == SMALL and march[-1] == SMALL


def test_other_roles_see_the_real_figures(client, small_world):
    """The same world for a central researcher: small figures are there (so the checks above
    can fail), and a project filter works."""
    w = small_world
    client.force_login(w.staff["central_researcher"])
    rows = {r[0]: r for r in csv_rows(client.get("/staff/monitoring/projects.csv"))[1:]}
    assert rows["Charlie"][6] == "2" and rows["Big"][6] == "7"
    only_c = csv_rows(client.get(f"/staff/monitoring/projects.csv?project={w.c.pk}"))
    assert [r[0] for r in only_c[1:]] == ["Charlie"]
    assert small_csv_cells(csv_rows(client.get("/staff/monitoring/logs.csv")))


def test_within_a_project_a_difference_of_one_to_four_is_withheld():
    header = ["project", "region", "retention_pct", "logged_last_2_months", "with_2plus_logs",
              "with_1plus_logs", "registered", "due_now", "overdue_now"]
    rows = [["P", "R", 50, 9, 6, 9, 12, 3, 0], ["Q", "R2", 100, 20, 20, 20, 20, 0, 0]]
    p, q = suppress_for_commissioners("projects", header, rows)
    # 12 registered, 9 with a log: 3 without one. "with 1+" and "logged lately" withheld;
    # "with 2+" is 6 (9 - 6 = 3 would give the 1-log people): withheld, and retention too.
    assert p == ["P", "R", HIDDEN, HIDDEN, HIDDEN, HIDDEN, 12, SMALL, 0]
    assert q == rows[1]


def test_every_page_a_commissioner_can_reach_is_clean(client, small_world):
    """Whatever the navigation offers a commissioner, followed link by link."""
    client.force_login(small_world.staff["commissioner"])
    home = client.get("/staff/").content.decode()
    hrefs = set(re.findall(r'href="(/staff/[^"]*)"', home))
    assert "/staff/monitoring/" in hrefs
    for href in sorted(hrefs):
        response = client.get(href.replace("&amp;", "&"))
        if response.status_code != 200:
            continue
        body = response.content.decode()
        assert small_page_cells(body) == [], href
        for csv_link in set(re.findall(r'href="(/staff/[^"]*\.csv[^"]*)"', body)):
            rows = csv_rows(client.get(csv_link.replace("&amp;", "&")))
            assert small_csv_cells(rows) == [], csv_link
