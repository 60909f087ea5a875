"""The generated cohort reproduces the evaluation's published marginals (stated tolerances)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from peerlog.instruments import load_instrument, score
from peerlog.synth import calibration as cal


def _deduplicated(cohort):
    keep = ~cohort.log_meta["duplicate"].to_numpy()
    return cohort.logs[keep].reset_index(drop=True), cohort.log_meta[keep].reset_index(drop=True)


def test_registered_participants_by_region_exactly_as_table_a4_2(cohort):
    counts = cohort.participants["region"].value_counts()
    assert len(cohort.participants) == cal.REGISTERED == 703
    for code, n in zip(cal.REGIONS, cal.A42_N, strict=True):
        assert counts[cal.REGION_NAMES[code]] == n


def test_demographic_mix_per_region_within_one_of_table_a4_2(cohort):
    parts = cohort.participants
    for col in ("gender", "area", "age_band", "sexual_orientation"):
        for j, code in enumerate(cal.REGIONS):
            got = parts[parts["region"] == cal.REGION_NAMES[code]][col].value_counts()
            table = {k: v[j] for k, v in cal.A42[col].items()}
            scale = cal.A42_N[j] / sum(table.values())
            for value, n in table.items():
                assert abs(got.get(value, 0) - n * scale) <= 1, (col, code, value)
    for col, yes in cal.A42_YES.items():
        for j, code in enumerate(cal.REGIONS):
            got = (parts[parts["region"] == cal.REGION_NAMES[code]][col] == "yes").sum()
            assert got == yes[j], (col, code)


def test_flow_of_figure_4_1(cohort):
    logs, meta = _deduplicated(cohort)
    registered = set(cohort.participants["personal_id"])
    unreg = logs[~logs["personal_id"].isin(registered)]
    assert unreg["personal_id"].nunique() == cal.UNREGISTERED_PEOPLE == 83
    assert len(unreg) == cal.UNREGISTERED_LOGS == 125
    reg_people = logs[logs["personal_id"].isin(registered)]["personal_id"].nunique()
    assert reg_people == cal.REGISTERED_WITH_LOGS == 566
    per_person = logs.groupby("personal_id").size()
    assert len(per_person) == 649
    assert (per_person == 1).sum() == 246 and (per_person >= 2).sum() == 403
    assert (per_person >= 4).sum() == 213 and (per_person >= 6).sum() == 121
    assert (per_person >= 12).sum() == 7
    assert abs(len(logs) - 2064) <= 2  # A4.1 totals 2066 (text: 2064); K&C's 15th log: -1


def test_exactly_30_same_day_duplicates_submitted_before_the_kept_log(cohort):
    logs = cohort.logs
    assert logs.duplicated(["personal_id", "completed_on"]).sum() == 30
    meta = cohort.log_meta
    for _, group in logs.groupby(["personal_id", "completed_on"]):
        if len(group) > 1:
            last = group.sort_values("submitted_at").index[-1]
            assert not meta.at[last, "duplicate"]


def test_table_a4_1_logs_by_log_number_quarterly_monthly(cohort):
    """Each region's k-th logs, quarterly/monthly, within 1 of A4.1 (exact but for K&C's
    15th log, which the table gives to more people than its 14th)."""
    logs, meta = _deduplicated(cohort)
    table = pd.crosstab([meta["region"], meta["number"]], logs["kind"])
    for code in cal.REGIONS:
        for k, (q, m) in enumerate(cal.a41_cells(cal.A41[code]), start=1):
            row = table.loc[(code, k)] if (code, k) in table.index else {}
            assert abs(row.get("quarterly", 0) - q) <= 1, (code, k)
            assert abs(row.get("monthly", 0) - m) <= 1, (code, k)
    totals = pd.crosstab(meta["number"], logs["kind"])
    for k, (q, m) in enumerate(cal.a41_cells(cal.A41_TOTAL), start=1):
        assert abs(totals.loc[k, "quarterly"] - q) <= 1
        assert abs(totals.loc[k, "monthly"] - m) <= 1


def test_baseline_outcome_means_by_region_within_three_standard_errors(cohort):
    """First logs: A4.3's region means within 3 SD/sqrt(n) (and, where n >= 30, the SD
    within 35%: scores are clipped at the scale's ends)."""
    logs, meta = _deduplicated(cohort)
    first = meta["number"].to_numpy() == 1
    base = logs[first].assign(region=meta.loc[first, "region"].to_numpy())
    for outcome, stats in cal.A43.items():
        for code, (mean, sd) in zip(cal.REGIONS, stats, strict=True):
            values = pd.to_numeric(base[base["region"] == code][outcome], errors="coerce").dropna()
            if len(values) < 5:
                continue
            assert abs(values.mean() - mean) <= 3 * sd / math.sqrt(len(values)), (outcome, code)
            if len(values) >= 30:  # SDs of small regions vary too much to check
                assert abs(values.std() - sd) <= 0.35 * sd + 0.5, (outcome, code)


def test_baseline_peer_support_use_overall_as_table_a4_4(cohort):
    logs, meta = _deduplicated(cohort)
    first = logs[meta["number"].to_numpy() == 1]
    n = sum(cal.A43_N)
    for t, (giving, receiving) in cal.A44.items():
        for d, counts in (("given", giving), ("received", receiving)):
            col = first[f"ps_{t}_{d}"]
            share = ((col != "") & (col != "0")).mean()
            assert abs(share - sum(counts) / n) <= 0.06, (t, d)


def test_versions_modes_ticks_within_three_points(cohort):
    logs, meta = _deduplicated(cohort)
    assert abs((logs["version"] == "short").mean() - cal.SHORT_SHARE) <= 0.03
    assert abs((logs["mode"] == "paper").mean() - cal.PAPER_SHARE) <= 0.03
    ticked = (logs[[c for c in logs.columns if c.startswith("ps_")]] == "ticked").any(axis=1)
    assert abs(ticked.mean() - cal.TICKED_SHARE) <= 0.03
    assert (logs[ticked]["mode"] == "paper").all()
    short = logs["version"] == "short"
    assert (logs[short]["hope"] == "").all() and (logs[~short]["hope"] != "").all()


def test_dates_inside_the_evaluation(cohort):
    logs = cohort.logs
    assert logs["completed_on"].min() >= cal.RECRUITMENT_START.isoformat()
    assert logs["completed_on"].max() <= cal.LOGS_END.isoformat()
    reg = pd.to_datetime(cohort.participants["registered_on"])
    assert reg.min().date() >= cal.RECRUITMENT_START
    assert reg.max().date() <= cal.RECRUITMENT_END
    by_month = reg.dt.to_period("M").value_counts()
    peak = by_month[[pd.Period(f"2016-{m:02d}", "M") for m in (3, 4, 5, 6)]].min()
    assert peak > by_month[pd.Period("2015-12", "M")]  # "except for a slow December"
    assert peak > by_month[pd.Period("2016-09", "M")]  # "before tailing off again"


def test_raw_answers_score_to_the_contract_values(cohort):
    for row, answers in zip(cohort.logs.to_dict("records"), cohort.answers, strict=True):
        scores = score(load_instrument(row["instrument"]), answers)
        for name in ("wellbeing", "hope", "self_efficacy", "contact_family", "contact_friends",
                     "contact_neighbours", "health_status", "eq5d_index", "projects_attended"):
            value = scores[name].value
            fmt = {"wellbeing": "{:.2f}", "eq5d_index": "{:.3f}"}.get(name)
            text = "" if value is None else fmt.format(value) if fmt else str(int(value))
            assert text == row[name], (name, row["log_id"])
        assert answers["personal_id"] == row["personal_id"]


def test_the_analysis_engine_accepts_the_frames(cohort):
    from peerlog.analysis import contract

    contract.validate_participants(cohort.participants)
    logs = contract.validate_logs(cohort.logs)
    assert np.isfinite(logs["wellbeing"]).all()
