"""Health economics on a small hand-computed fixture (data/), and the bootstrap against scipy."""

import dataclasses
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from peerlog.analysis import economics
from peerlog.analysis.contract import read_logs, read_participants
from peerlog.analysis.economics import bootstrap, costs, service_use
from peerlog.analysis.periods import prepare
from peerlog.cli import main

DATA = Path(__file__).parent / "data"
EXAMPLE = Path(economics.__file__).parent / "data" / "unit_costs_example.csv"
TEMPLATE = Path(economics.__file__).parent / "data" / "unit_costs_template.csv"


def run_fixture(unit_costs=DATA / "unit_costs.csv", **kw):
    logs = read_logs(DATA / "logs.csv")
    people = read_participants(DATA / "participants.csv")
    prepared = prepare(logs, people)
    items = service_use.read_items(DATA / "items_wide.csv")
    options = economics.EconomicsOptions(unit_costs, informal_care_rate=12.34,
                                         replicates=kw.pop("replicates", 2000), **kw)
    return economics.run(items, prepared.logs, people, options)


@pytest.fixture(scope="module")
def result():
    return run_fixture()


def test_costs_match_the_hand_computation_to_the_penny(result):
    expected = pd.read_csv(DATA / "expected_costs.csv").set_index("log_id")
    got = result.costs.costs.set_index("log_id")
    assert sorted(got.index) == sorted(expected.index)  # L7 (a same-day duplicate) dropped
    for column in expected.columns.drop("working"):
        for log_id in expected.index:
            want, have = expected.at[log_id, column], got.at[log_id, column]
            if pd.isna(want):
                assert pd.isna(have), (log_id, column, have)
            else:
                assert abs(float(have) - float(want)) < 0.005, (log_id, column, have, want)
    # the three calendar months before each log (2016 is a leap year)
    assert dict(got["period_days"]) == {"L1": 92, "L3": 91, "L4": 91, "L5": 92, "L8": 90}
    assert set(got["source"]) == {"full", "short"}
    assert got.at["L4", "source"] == "short"


def test_qalys_match_the_hand_computation(result):
    expected = pd.read_csv(DATA / "expected_qalys.csv", dtype={"personal_id": str})
    got = result.qalys
    assert got[["personal_id", "start_log_id", "end_log_id", "days"]].values.tolist() == \
        expected[["personal_id", "start_log_id", "end_log_id", "days"]].values.tolist()
    assert np.allclose(got["qaly"], expected["qaly"], atol=5e-7)


def test_service_use_statuses_follow_the_forms_instructions(result):
    tidy = service_use.tidy(result.service_use)
    row = tidy.set_index(["log_id", "resource", "measure"])
    assert row.loc[("L4", "inpatient_physical_health", "nights"), "status"] == "ticked"
    assert row.loc[("L4", "inpatient_physical_health", "nights"), "value"] == ""
    assert row.loc[("L1", "home_care", "contacts"), "status"] == "blank_not_used"
    assert row.loc[("L1", "home_care", "contacts"), "value"] == "0"
    assert row.loc[("L5", "inpatient_maternity", "nights"), "status"] == "missing"
    assert row.loc[("L3", "informal_care", "friends_hours_per_week"), "status"] == "missing"
    assert row.loc[("L1", "employment", "hours_per_week"), "status"] == "missing"
    # skipped by its condition (not in work) or nothing to ask (GP not used): no row
    assert ("L3", "employment", "hours_per_week") not in row.index
    assert ("L4", "gp", "average_minutes") not in row.index
    assert row.loc[("L3", "gp", "average_minutes"), "status"] == "missing"
    assert row.loc[("L5", "medication", "taken"), "status"] == "prefer_not"
    # the short form does not ask outpatient visits: no row, never a zero
    assert ("L4", "outpatient_mental_health", "visits") not in row.index
    first = tidy[tidy["log_id"] == "L1"].iloc[0]
    assert (first["period_start"], first["period_end"]) == ("2015-10-10", "2016-01-10")
    assert set(tidy["log_id"]) == {"L1", "L3", "L4", "L5", "L8"}


def test_baseline_descriptives_use_each_first_log(result):
    b = result.baseline.set_index(["variable", "level", "region"])
    # Leeds: 100001 (part-time, voluntary) and 100003 (full-time) at their first logs
    assert b.loc[("employment", "part_time", "Leeds"), ["n", "answered"]].tolist() == [1, 2]
    assert b.loc[("employment", "full_time", "Total"), ["n", "answered", "missing"]].tolist() \
        == [1, 2, 1]  # 100002's first log is a short quarterly: not asked
    assert b.loc[("mh_admission_3_months", "yes", "Total"), ["n", "answered"]].tolist() == [1, 3]
    assert b.loc[("mh_medication", "yes", "Total"), ["n", "answered", "percent"]].tolist() == \
        [2, 2, 100.0]


def test_a_used_resource_without_a_unit_cost_is_an_error_naming_it(tmp_path):
    table = pd.read_csv(DATA / "unit_costs.csv", comment="#")
    table[table["resource"] != "day_centre"].to_csv(tmp_path / "u.csv", index=False)
    with pytest.raises(costs.UnitCostError, match="'day_centre' was used in 1 quarterly"):
        run_fixture(tmp_path / "u.csv")
    # midwife was never used: leaving it out is fine
    table[table["resource"] != "midwife"].to_csv(tmp_path / "v.csv", index=False)
    assert run_fixture(tmp_path / "v.csv", replicates=10).costs.costs["total_hsc"].notna().any()


@pytest.mark.parametrize("change, message", [
    ({"resource": "gp_visits"}, "unknown resource"),
    ({"unit": "visit"}, "unit must be contact or minute"),
    ({"cost": "cheap"}, "cost must be a number"),
    ({"cost": "-1"}, "cost must be >= 0"),
    ({"price_year": "2019"}, "different price years"),
    ({"currency": "EUR"}, "more than one currency"),
])
def test_bad_unit_cost_tables_are_refused_with_the_reason(tmp_path, change, message):
    table = pd.read_csv(DATA / "unit_costs.csv", comment="#", dtype=str)
    i = table.index[table["resource"] == "gp"][0]
    for k, v in change.items():
        table.at[i, k] = v
    table.to_csv(tmp_path / "u.csv", index=False)
    with pytest.raises(costs.UnitCostError, match=message):
        run_fixture(tmp_path / "u.csv", replicates=10)


def test_inflation_with_a_price_index(tmp_path):
    table = pd.read_csv(DATA / "unit_costs.csv", comment="#", dtype=str)
    table.loc[table["resource"] == "gp", "price_year"] = "2015"
    table.to_csv(tmp_path / "u.csv", index=False)
    (tmp_path / "index.csv").write_text("year,index\n2015,100\n2016,105\n2020,126\n")
    res = run_fixture(tmp_path / "u.csv", inflate_to=2020, price_index=tmp_path / "index.csv",
                      replicates=10)
    got = res.costs.costs.set_index("log_id")
    assert res.costs.price_year == 2020
    # GP 1 x 10 min x 3.99 at 2015 prices -> x 126/100
    assert abs(got.at["L8", "community_health"] - round(39.90 * 1.26, 2)) < 0.005
    # CMHT at 2016 prices -> x 126/105
    assert abs(got.at["L1", "community_health"] - round(79.80 * 1.26 + 266.64 * 1.2, 2)) < 0.006


def test_bootstrap_matches_scipy_and_is_reproducible():
    rng = np.random.default_rng(4)
    values = np.where(rng.random(300) < 0.6, 0.0, rng.lognormal(5, 1.2, 300))  # skewed costs
    frame = pd.DataFrame({"personal_id": [f"p{i}" for i in range(300)], "cost": values})
    ours = bootstrap.grouped_means(frame, ["cost"], None, seed=7, replicates=4000)
    again = bootstrap.grouped_means(frame, ["cost"], None, seed=7, replicates=4000)
    pd.testing.assert_frame_equal(ours, again)
    other = bootstrap.grouped_means(frame, ["cost"], None, seed=8, replicates=4000)
    assert other["ci_low"].iloc[0] != ours["ci_low"].iloc[0]
    ref = stats.bootstrap((values,), np.mean, n_resamples=20000, method="percentile",
                          random_state=np.random.default_rng(1))
    assert ours["mean"].iloc[0] == pytest.approx(values.mean(), rel=1e-12)
    width = ref.confidence_interval.high - ref.confidence_interval.low
    assert abs(ours["ci_low"].iloc[0] - ref.confidence_interval.low) < 0.05 * width
    assert abs(ours["ci_high"].iloc[0] - ref.confidence_interval.high) < 0.05 * width
    assert ours["zeros_pct"].iloc[0] == pytest.approx(100 * (values == 0).mean())


def test_bootstrap_resamples_people_not_logs():
    """Two identical logs per person: the person-level bootstrap CI is the one of the
    person means (a log-level bootstrap would be narrower by about sqrt(2))."""
    rng = np.random.default_rng(5)
    x = rng.normal(100, 30, 200)
    twice = pd.DataFrame({"personal_id": np.repeat(np.arange(200), 2), "c": np.repeat(x, 2)})
    once = pd.DataFrame({"personal_id": np.arange(200), "c": x})
    a = bootstrap.grouped_means(twice, ["c"], None, seed=3, replicates=3000)
    b = bootstrap.grouped_means(once, ["c"], None, seed=3, replicates=3000)
    assert a["ci_high"].iloc[0] - a["ci_low"].iloc[0] == pytest.approx(
        b["ci_high"].iloc[0] - b["ci_low"].iloc[0], rel=1e-9)
    assert a["n_obs"].iloc[0] == 400 and a["n_people"].iloc[0] == 200


def test_template_lists_every_resource_and_the_example_is_labelled():
    template = pd.read_csv(TEMPLATE, comment="#", dtype=str, keep_default_na=False)
    assert set(template["resource"]) == set(costs.RESOURCES)
    assert (template["cost"] == "").all()
    example = costs.read_unit_costs(EXAMPLE)
    assert set(example["resource"]) == set(costs.RESOURCES)
    assert costs.is_illustrative(example)
    assert "ILLUSTRATIVE, NOT FOR REPORTING" in EXAMPLE.read_text().splitlines()[0]


def test_peerlog_analyse_unit_costs_writes_the_files_and_the_report(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["analyse", str(DATA), "-o", str(out), "--unit-costs", str(EXAMPLE),
                 "--informal-care-rate", "12.34", "--no-pdf", "--quiet"])
    assert code == 0, capsys.readouterr().err
    for name in ("service_use.csv", "costs.csv", "qalys.csv", "economics_summary.csv",
                 "economics_change.csv", "baseline_economics.csv", "unit_costs_used.csv"):
        assert (out / name).exists(), name
    page = (out / "report.html").read_text()
    assert "Health economics" in page and "illustrative, not for reporting" in page
    # reproducibility: the SHA-256 of every file the run read, economics inputs included
    import hashlib

    for name, path in (("participants.csv", DATA / "participants.csv"),
                       ("logs.csv", DATA / "logs.csv"), ("items_wide.csv", DATA / "items_wide.csv"),
                       ("unit costs", EXAMPLE)):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert f"Input {name}</td><td>{path} (SHA-256 {digest})" in page, name
    assert "<td>--informal-care-rate</td><td>12.34</td>" in page
    got = pd.read_csv(out / "costs.csv").set_index("log_id")
    assert (got["note"] == "illustrative, not for reporting").all()
    assert got.at["L1", "informal_care"] == pytest.approx(1122.94)


def test_peerlog_analyse_names_a_missing_unit_cost(tmp_path, capsys):
    table = pd.read_csv(DATA / "unit_costs.csv", comment="#")
    table[table["resource"] != "cmht"].to_csv(tmp_path / "u.csv", index=False)
    code = main(["analyse", str(DATA), "-o", str(tmp_path / "o"), "--unit-costs",
                 str(tmp_path / "u.csv"), "--no-pdf", "--quiet", "--no-figures"])
    assert code == 2
    assert "'cmht' was used" in capsys.readouterr().err
    assert not (tmp_path / "o" / "costs.csv").exists()


def test_the_economics_does_not_import_django():
    code = ("import sys, peerlog.analysis.economics, peerlog.analysis.pipeline; "
            "assert not any(m.startswith('django') for m in sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_fast_service_use_writer_matches_the_tidy_frame(result, tmp_path):
    use = dataclasses.replace(result.service_use, logs=result.service_use.logs.copy())
    use.logs.loc[0, "personal_id"] = 'odd, "typed" id'  # an unregistered ID as typed
    frame = service_use.tidy(use)
    frame.to_csv(tmp_path / "a.csv", index=False, lineterminator="\n")
    n = service_use.write_tidy(use, tmp_path / "b.csv", chunk=2)
    assert n == len(frame)
    assert (tmp_path / "b.csv").read_text() == (tmp_path / "a.csv").read_text()


@pytest.mark.parametrize("bad", ["three", "-2", "inf"])
def test_a_bad_number_in_items_names_the_log_and_item(bad):
    items = service_use.read_items(DATA / "items_wide.csv")
    items.loc[items["log_id"] == "L3", "service_gp_contacts"] = bad
    with pytest.raises(service_use.ItemsError, match="log L3, item service_gp_contacts"):
        service_use.build(items)
