"""The cohort's planted service use is recovered by the economics from the written files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from peerlog.analysis import economics
from peerlog.analysis.contract import read_logs, read_participants
from peerlog.analysis.economics.service_use import read_items
from peerlog.analysis.periods import prepare
from peerlog.synth.cohort import ECON_PLANTED

EXAMPLE = Path(economics.__file__).parent / "data" / "unit_costs_example.csv"


def test_planted_service_use_is_recovered(cohort, tmp_path):
    paths = cohort.write(tmp_path)
    assert paths["items_wide"].exists() and paths["items"].exists()
    people = read_participants(paths["participants"])
    prepared = prepare(read_logs(paths["logs"]), people)
    result = economics.run(read_items(paths["items_wide"]), prepared.logs, people,
                           economics.EconomicsOptions(EXAMPLE, replicates=200))
    use = result.service_use
    n = len(use.logs)
    assert n > 500
    # some hospital stays: the planted share of quarters with a mental health admission
    admitted = use.values["inpatient_mental_health_admissions"] > 0
    p = ECON_PLANTED["mh_admission"]
    assert abs(admitted.mean() - p) < 3 * np.sqrt(p * (1 - p) / n)
    nights = use.values["inpatient_mental_health_nights"][admitted]
    se = np.sqrt(ECON_PLANTED["mh_nights_mean"] * (ECON_PLANTED["mh_nights_mean"] - 1)
                 / len(nights))
    assert abs(nights.mean() - ECON_PLANTED["mh_nights_mean"]) < 3 * se
    # GP contacts among those with any: 1 + Poisson(mean - 1)
    gp = use.values["service_gp_contacts"]
    users = gp[gp > 0]
    assert abs(users.mean() - ECON_PLANTED["gp_contacts_mean"]) < 3 * np.sqrt(
        (ECON_PLANTED["gp_contacts_mean"] - 1) / len(users))
    # blank community cells read as "not used", so most services are zero
    assert (gp == 0).mean() > 0.35
    # skewed costs with many zeros: the shape economists expect
    total = result.costs.costs["total_hsc"].dropna().to_numpy()
    assert len(total) > 300
    assert stats.skew(total) > 2
    assert total.mean() > 2 * np.median(total)
    assert 0.1 < (total == 0).mean() < 0.6
    # the short quarterly log never invents answers it did not ask
    short = use.logs["source"].to_numpy() == "short"
    assert short.any()
    assert (use.status["visits_outpatient_other"][short] == 5).all()
    summary = result.summary.set_index(["grouping", "level", "measure"])
    assert summary.loc[("overall", "all", "total_hsc"), "ci_low"] < total.mean() < \
        summary.loc[("overall", "all", "total_hsc"), "ci_high"]
    assert pd.notna(summary.loc[("overall", "all", "qaly_per_person_year"), "mean"])
