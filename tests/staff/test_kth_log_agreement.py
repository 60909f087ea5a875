"""One database, two readers: the console's figure 4.4 / table A4.1 and the analysis's table
A4.1 number each person's logs the same way (peerlog.analysis.sequence.log_sequence)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from tests.conftest import DAY, monthly_answers

from peerlog.analysis import tables
from peerlog.analysis.contract import read_contract
from peerlog.analysis.periods import prepare
from peerlog.capture.models import Project
from peerlog.capture.services import store_log
from peerlog.export.contract import export
from peerlog.staff import monitoring


def _log(pid: str, key: str, day: dt.date, kind: str = "monthly", hour: int = 12) -> None:
    store_log(scope=None, instrument=kind, answers=monthly_answers() if kind == "monthly" else {},
              typed_personal_id=pid, completed_on=day, mode="online", submission_key=key,
              received_at=dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC))


def test_console_and_analysis_count_the_kth_log_alike(world, tmp_path):
    a, b = world.pa.personal_id.code, world.pb.personal_id.code
    # pa: DAY (world.log), a same-day duplicate, then two logs in the SAME calendar month
    # (calendar months since the first log would put both in one "month").
    _log(a, "a-dup", DAY, hour=18)
    _log(a, "a-2", DAY + dt.timedelta(days=9))
    _log(a, "a-3", DAY + dt.timedelta(days=20), kind="quarterly")
    _log(a, "a-4", DAY + dt.timedelta(days=120))
    # pb starts three months later; an unregistered person logs twice.
    _log(b, "b-1", DAY + dt.timedelta(days=90), kind="quarterly")
    _log(b, "b-2", DAY + dt.timedelta(days=130))
    _log("999999", "u-2", DAY + dt.timedelta(days=40))

    projects = Project.objects.all()
    header, console = monitoring.logs_since_first(projects)
    assert header == ["month_since_first", "quarterly", "monthly", "total"]
    # k-th log: month 1 = every person once (pa, pb, 999999); the duplicate counts once.
    assert console == [[1, 1, 2, 3], [2, 0, 3, 3], [3, 1, 0, 1], [4, 0, 1, 1]]

    export(tmp_path, labelled=False)
    data = read_contract(tmp_path)
    analysis = tables.logs_by_month(prepare(data.logs, data.participants))
    total = analysis[analysis["region"] == tables.TOTAL].set_index("kind")
    months = [c for c in total.columns if c not in ("region", "kind")]
    from_analysis = [
        [int(m), int(total.get(m, pd.Series()).get("quarterly", 0)),
         int(total.get(m, pd.Series()).get("monthly", 0))]
        for m in months if m != "later"
    ]
    assert [[r[0], r[1], r[2]] for r in console] == from_analysis

    header, by_region = monitoring.logs_since_first(projects, by_region=True)
    console_regions = {(r[0], r[1], kind): r[i] for r in by_region
                       for i, kind in ((2, "quarterly"), (3, "monthly"))}
    for row in analysis[analysis["region"] != tables.TOTAL].to_dict("records"):
        region = "(unregistered)" if row["region"] == tables.UNREGISTERED else row["region"]
        for m in months:
            if m != "later":
                assert console_regions.get((region, int(m), row["kind"]), 0) == row[m], (
                    region, m, row["kind"])


def test_a_project_coordinator_sees_no_unregistered_logs(world):
    _log(world.pa.personal_id.code, "a-2", DAY + dt.timedelta(days=30))
    _header, rows = monitoring.logs_since_first(Project.objects.filter(pk=world.a.pk))
    assert rows == [[1, 0, 1, 1], [2, 0, 1, 1]]  # pa only; 999999 belongs to no project
