"""On a large generated cohort the analysis recovers the planted effects.

The true estimated marginal mean change of a planted (outcome, variable) is -delta for
"decreased", 0 for "same" and +delta for "increased" (docs/synthetic-cohort.md). At 95%
each interval misses its true value 5% of the time by design; this seed is fixed, and the
coverage over many seeds is measured in bench/synth_bench.py (bench/README.md).
"""

from __future__ import annotations

import pytest

from peerlog.analysis import contract
from peerlog.analysis.models import ModelSpec, fit_model
from peerlog.analysis.periods import prepare
from peerlog.synth.cohort import generate


@pytest.fixture(scope="module")
def large():
    cohort = generate(11, scale=10)
    periods = prepare(contract.validate_logs(cohort.logs),
                      contract.validate_participants(cohort.participants)).periods
    return cohort, periods


def _fit(periods, outcome, variable):
    result = fit_model(periods, ModelSpec("primary", outcome, variable))
    return {row["change"]: row for row in result.rows}, result.summary


def test_planted_associations_are_recovered(large):
    cohort, periods = large
    for (outcome, variable), group in cohort.planted.groupby(["outcome", "ps_variable"]):
        rows, summary = _fit(periods, outcome, variable)
        delta = group["delta"].iloc[0]
        diff = rows["increased"]["mean"] - rows["decreased"]["mean"]
        assert (diff > 0) == (delta > 0), (outcome, variable, diff)
        assert summary["p_value"] < 0.001, (outcome, variable)
        for truth in group.itertuples():
            row = rows[truth.change]
            assert row["ci_low"] <= truth.true_mean <= row["ci_high"], (
                outcome, variable, truth.change, row["mean"], row["ci_low"], row["ci_high"])


def test_an_association_that_was_not_planted_is_not_found(large):
    _, periods = large
    rows, summary = _fit(periods, "wellbeing", "types_received")
    for level in ("decreased", "same", "increased"):
        assert rows[level]["ci_low"] <= 0 <= rows[level]["ci_high"], level
