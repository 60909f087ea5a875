"""Determinism, speed and the command line."""

from __future__ import annotations

import time

import pandas as pd

from peerlog.cli import main
from peerlog.synth.cohort import generate


def test_same_seed_same_cohort_other_seed_other_cohort():
    a, b, c = generate(7, 0.5), generate(7, 0.5), generate(8, 0.5)
    pd.testing.assert_frame_equal(a.participants, b.participants)
    pd.testing.assert_frame_equal(a.logs, b.logs)
    assert a.answers == b.answers
    assert not a.logs[["completed_on", "wellbeing"]].equals(c.logs[["completed_on", "wellbeing"]])
    assert set(a.participants["personal_id"]) != set(c.participants["personal_id"])


def test_generates_in_seconds():
    start = time.perf_counter()
    generate(2)
    assert time.perf_counter() - start < 5


def test_scale_multiplies_the_cohort():
    big = generate(3, 3.0)
    assert len(big.participants) == 3 * 703
    assert (~big.logs["personal_id"].isin(big.participants["personal_id"])).sum() == 3 * 125
    assert big.logs.duplicated(["personal_id", "completed_on"]).sum() == 90


def test_synth_out_writes_the_contract_files(tmp_path, capsys):
    assert main(["synth", "--seed", "4", "--scale", "0.2", "--out", str(tmp_path)]) == 0
    cohort = generate(4, 0.2)
    logs = pd.read_csv(tmp_path / "logs.csv", dtype=str, keep_default_na=False)
    parts = pd.read_csv(tmp_path / "participants.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(logs, cohort.logs.astype(str), check_dtype=False)
    pd.testing.assert_frame_equal(parts, cohort.participants.astype(str), check_dtype=False)
    assert (tmp_path / "planted_effects.csv").exists()
    assert main(["synth"]) == 2


def test_every_project_has_a_plausible_profile(cohort):
    """The demo shows the chapter 8 profiles: every registered person's project has each
    key decision recorded, and the comparisons have both sides."""
    from peerlog.export.columns import PROFILE_COLUMNS

    parts = cohort.participants
    online = parts["project_approach"] == "online"
    for col in PROFILE_COLUMNS:
        if col == "region_rural_urban":  # the online network is in no place
            assert (parts.loc[~online, col] != "").all() and (parts.loc[online, col] == "").all()
            continue
        assert (parts[col] != "").all(), col
        if col not in ("region_hub", "region_strategic_partner", "project_approach"):
            assert parts[col].nunique() >= 2, col  # something to compare
    assert set(parts["facilitation"]) == {"none", "volunteer", "paid"}
    assert (parts["project_type"] == parts["project_approach"]).all()  # no hybrids invented
