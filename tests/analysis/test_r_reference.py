"""Every row of associations.csv against R lme4 + lmerTest + emmeans (committed outputs of
tests/analysis/r/reference.R, which derives the periods from the contract files itself)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from peerlog.analysis import lmm
from peerlog.analysis.models import ASSOCIATION_COLUMNS

from .conftest import DATASETS, read_reference

KEY = ["analysis", "outcome", "ps_variable", "subgroup", "subgroup_level", "change"]
TOL = 1e-3


def _merged(analysed, name):
    py = analysed(name).associations.copy()
    ref = read_reference(name, "associations")
    for frame in (py, ref):
        frame["subgroup"] = frame["subgroup"].fillna("").astype(str)
        frame["subgroup_level"] = frame["subgroup_level"].fillna("").astype(str)
    merged = py.merge(ref, on=KEY, how="outer", suffixes=("_py", "_r"), indicator=True)
    return py, ref, merged


def _local_optimum_models(analysed, name, merged):
    """Models where lme4 stopped in a local optimum of the REML criterion (found here by
    comparing deviances: ours must be lower there). Returns their keys."""
    res = analysed(name)
    theta_py = {}
    for s in res.models.to_dict("records"):
        theta_py[(s["outcome"], s["ps_variable"], s["subgroup"] or "")] = s
    out = set()
    for _, row in merged.drop_duplicates(["outcome", "ps_variable", "subgroup"]).iterrows():
        k = (row["outcome"], row["ps_variable"], row["subgroup"])
        s = theta_py[k]
        theta_ours = s["sigma_participant"] / s["sigma"]
        if abs(theta_ours - row["theta"]) > 1e-3:
            out.add(k)
    return out


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_every_row_matches_r(analysed, name):
    py, ref, merged = _merged(analysed, name)
    assert list(py.columns[: len(ASSOCIATION_COLUMNS)]) == ASSOCIATION_COLUMNS
    assert len(ref) > 1000
    assert (merged["_merge"] == "both").all(), merged.loc[merged["_merge"] != "both", KEY]
    skip = _local_optimum_models(analysed, name, merged)
    assert len(skip) <= 1  # at most one bimodal REML surface in these fixtures
    keys = list(zip(merged["outcome"], merged["ps_variable"], merged["subgroup"], strict=False))
    check = merged[[k not in skip for k in keys]]
    assert (check["n_py"] == check["n_r"]).all()
    for col in ("mean", "ci_low", "ci_high", "p_value", "es"):
        a, b = check[f"{col}_py"].astype(float), check[f"{col}_r"].astype(float)
        assert (a.isna() == b.isna()).all(), f"{col}: missing in one only"
        diff = np.nanmax(np.abs(a - b)) if a.notna().any() else 0.0
        assert diff < TOL, f"{name} {col}: max abs difference {diff}"
    # lmerTest's missing-cells warning is carried into `note`
    flagged = check["note"].str.contains("missing cells")
    assert (flagged == check["missing_cells"].astype(bool)).all()


def test_local_optimum_of_lme4_is_worse(analysed):
    """Where lme4's θ differs from ours, our REML criterion is lower (a better optimum)."""
    name = "small"
    _, _, merged = _merged(analysed, name)
    skip = _local_optimum_models(analysed, name, merged)
    res = analysed(name)
    for outcome, ps, sg in skip:
        theta_r = float(merged.loc[(merged.outcome == outcome) & (merged.ps_variable == ps)
                                   & (merged.subgroup == sg), "theta"].iloc[0])
        frame = _frame_for(res, outcome, ps)
        fit = lmm.fit_reml(frame)
        assert lmm.reml_deviance(fit.gsums, fit.theta**2) < lmm.reml_deviance(
            fit.gsums, theta_r**2
        )


def _frame_for(res, outcome, ps):
    p = res.periods
    y = p[f"{outcome}_change"].to_numpy()
    b = p[f"{outcome}_baseline"].to_numpy()
    c = p[f"{ps}_change"].to_numpy()
    m = np.isfinite(y) & np.isfinite(b) & (c >= 0)
    return lmm.ModelFrame.build(
        y[m], p["pid"].to_numpy()[m], ("baseline", b[m]),
        {"ps": lmm.factor_from_codes(c[m], ("decreased", "same", "increased"))},
        [("baseline",), ("ps",)],
    )


def test_fixtures_cover_singular_and_rank_deficient_fits(analysed):
    ref = read_reference("small", "associations")
    assert (ref["theta"] == 0).sum() > 0  # singular fits (λ = 0) in R
    assert ref["missing_cells"].any()  # empty cells: rank-deficient designs
    assert ref["mean"].isna().any()  # non-estimable marginal means
    models = analysed("small").models
    assert models["singular"].sum() > 0
    assert (models["dropped_columns"].fillna("") != "").any()


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_periods_match_r_derivation(analysed, name):
    ours = analysed(name).periods.copy()
    ref = read_reference(name, "periods")
    ours = ours.sort_values(["personal_id", "start"]).reset_index(drop=True)
    ref = ref.sort_values(["personal_id", "start"]).reset_index(drop=True)
    assert len(ours) == len(ref)
    assert (ours["personal_id"] == ref["personal_id"]).all()
    assert (ours["start"].dt.strftime("%Y-%m-%d") == ref["start"]).all()
    for col in ref.columns:
        if col.endswith("_baseline") or (col.endswith("_change") and col[:-7] in _OUTCOMES):
            np.testing.assert_allclose(ours[col], ref[col], atol=1e-9, equal_nan=True)
        elif col.endswith("_change"):
            labels = pd.Series(ours[col]).map({-1: np.nan, 0: "decreased", 1: "same",
                                               2: "increased"})
            assert (labels.fillna("") == ref[col].fillna("")).all(), col


_OUTCOMES = {"wellbeing", "self_efficacy", "hope", "contact_family", "contact_friends",
             "contact_neighbours", "health_status"}
