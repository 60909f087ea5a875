"""The evaluation's model set: change in outcome by change in peer support, per outcome.

Each model is a random-intercept LMM (``lmm.py``) on the periods that have every variable it
uses; results come out as rows of the contract's ``associations.csv`` plus one summary row
per model (``models.csv``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import lmm
from .contract import OUTCOMES
from .periods import CHANGE_LEVELS, FORM_PS, OVERALL_PS

ASSOCIATION_COLUMNS = [
    "analysis", "outcome", "ps_variable", "subgroup", "subgroup_level", "change",
    "n", "mean", "ci_low", "ci_high", "p_value", "es",
]
EXTRA_COLUMNS = ["se", "df", "note"]
SUBGROUP_PS = OVERALL_PS


@dataclass(frozen=True)
class ModelSpec:
    """One model of the set."""

    analysis: str  # primary, form or subgroup
    outcome: str
    ps_variable: str
    subgroup: str = ""


def model_set(subgroups: tuple[str, ...]) -> list[ModelSpec]:
    """Every model of the contract: primary, grouped forms, subgroups (overall variables)."""
    specs = []
    for o in OUTCOMES:
        specs += [ModelSpec("primary", o, v) for v in OVERALL_PS]
        specs += [ModelSpec("form", o, v) for v in FORM_PS]
    for sg in subgroups:
        for o in OUTCOMES:
            specs += [ModelSpec("subgroup", o, v, sg) for v in SUBGROUP_PS]
    return specs


@dataclass
class ModelResult:
    spec: ModelSpec
    rows: list[dict]
    summary: dict


class PeriodArrays:
    """The periods frame's columns as numpy arrays, each taken out of the frame once: a run
    fits ~270 models on the same periods, and pandas' column access costs more than the
    masking each model does with it."""

    def __init__(self, periods: pd.DataFrame):
        self.frame = periods
        self._arrays: dict[str, np.ndarray] = {}
        self._categories: dict[str, tuple[np.ndarray, tuple[str, ...]]] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self._arrays:
            self._arrays[name] = self.frame[name].to_numpy()
        return self._arrays[name]

    def categorical(self, name: str) -> tuple[np.ndarray, tuple[str, ...]]:
        """(codes, levels) of a categorical column; code -1 is missing."""
        if name not in self._categories:
            cat = self.frame[name]
            self._categories[name] = (cat.cat.codes.to_numpy(),
                                      tuple(str(c) for c in cat.cat.categories))
        return self._categories[name]


def fit_model(periods: pd.DataFrame | PeriodArrays, spec: ModelSpec,
              adjust_projects: bool = True) -> ModelResult:
    """Fit one model on the periods that have all of its variables; never raises for data
    that cannot support the model (too few levels, too few periods): it says so in ``note``.
    ``periods`` may be wrapped in :class:`PeriodArrays` once for many models."""
    cols = periods if isinstance(periods, PeriodArrays) else PeriodArrays(periods)
    y_all = cols[f"{spec.outcome}_change"]
    base_all = cols[f"{spec.outcome}_baseline"]
    ps_all = cols[f"{spec.ps_variable}_change"]
    mask = np.isfinite(y_all) & np.isfinite(base_all) & (ps_all >= 0)
    use_projects = adjust_projects and spec.ps_variable != "projects"
    if use_projects:
        pr_all = cols["projects_change"]
        mask &= pr_all >= 0
    if spec.subgroup:
        sg_codes_all, sg_levels = cols.categorical(spec.subgroup)
        mask &= sg_codes_all >= 0
    idx = np.flatnonzero(mask)
    pid = cols["pid"][idx]
    n_participants = len(np.unique(pid))
    summary = {
        "analysis": spec.analysis, "outcome": spec.outcome, "ps_variable": spec.ps_variable,
        "subgroup": spec.subgroup, "periods": len(idx),
        "participants": int(n_participants),
        "adjusted_for_projects": use_projects,
    }
    factors = {"ps": lmm.factor_from_codes(ps_all[idx], CHANGE_LEVELS)}
    terms: list[tuple[str, ...]] = [("baseline",), ("ps",)]
    if use_projects:
        factors["projects"] = lmm.factor_from_codes(pr_all[idx], CHANGE_LEVELS)
        terms.append(("projects",))
    if spec.subgroup:
        factors["sg"] = lmm.factor_from_codes(sg_codes_all[idx], sg_levels)
        terms += [("sg",), ("ps", "sg")]
    y = y_all[idx]
    problem = _problem(factors, len(idx), n_participants)
    if problem:
        summary["note"] = problem
        return ModelResult(spec, [], summary)
    frame = lmm.ModelFrame.build(
        y, pid, ("baseline", base_all[idx]), factors, terms
    )
    fit = lmm.fit_reml(frame)
    test_term = ("ps", "sg") if spec.subgroup else ("ps",)
    ftest = lmm.anova_type3(fit, test_term)
    missing = lmm.missing_cells(frame)
    note = lmm.MISSING_CELLS_NOTE + " (" + ", ".join(missing) + ")" if missing else ""
    specs = ["ps", "sg"] if spec.subgroup else ["ps"]
    emm = lmm.emmeans(fit, specs)
    sd = float(np.std(y, ddof=1)) if len(y) > 1 else math.nan
    counts = _cell_counts(factors, specs)
    rows = []
    for rec in emm:
        key = (rec["ps"], rec.get("sg"))
        mean, low, high = rec["emmean"], rec["lower"], rec["upper"]
        significant = ftest.p_value < 0.05 and np.isfinite(low) and (low > 0 or high < 0)
        rows.append({
            "analysis": spec.analysis,
            "outcome": spec.outcome,
            "ps_variable": spec.ps_variable,
            "subgroup": spec.subgroup,
            "subgroup_level": rec.get("sg", ""),
            "change": rec["ps"],
            "n": counts.get(key, 0),
            "mean": mean,
            "ci_low": low,
            "ci_high": high,
            "p_value": ftest.p_value,
            "es": mean / sd if significant else math.nan,
            "se": rec["se"],
            "df": rec["df"],
            "note": note if note else ("" if np.isfinite(mean) else "not estimable"),
        })
        if not np.isfinite(mean) and note:
            rows[-1]["note"] = "not estimable; " + note
    summary.update({
        "f_value": ftest.f_value, "ndf": ftest.ndf, "ddf": ftest.ddf, "p_value": ftest.p_value,
        "sigma": fit.sigma, "sigma_participant": fit.sigma_b, "singular": fit.singular,
        "sd_change": sd, "dropped_columns": " ".join(fit.dropped), "note": note,
    })
    return ModelResult(spec, rows, summary)


def _problem(factors: dict[str, lmm.Factor], n: int, groups: int) -> str:
    for name, f in factors.items():
        if len(f.levels) < 2:
            label = {"ps": "peer support change", "projects": "projects change",
                     "sg": "subgroup"}[name]
            return f"not fitted: {label} has fewer than 2 levels in the model's periods"
    p = 1 + 1 + sum(len(f.levels) - 1 for f in factors.values())
    if n <= p + 1 or groups < 2:
        return "not fitted: too few periods for the model"
    return ""


def _cell_counts(factors: dict[str, lmm.Factor], specs: list[str]) -> dict:
    ps = factors["ps"]
    if "sg" in specs:
        sg = factors["sg"]
        k = len(sg.levels)
        cnt = np.bincount(ps.codes * k + sg.codes, minlength=len(ps.levels) * k)
        return {
            (ps.levels[i], sg.levels[j]): int(cnt[i * k + j])
            for i in range(len(ps.levels)) for j in range(k)
        }
    cnt = np.bincount(ps.codes, minlength=len(ps.levels))
    return {(lev, None): int(c) for lev, c in zip(ps.levels, cnt, strict=False)}
