"""Health economics from the quarterly log: service use, costs, QALYs and their statistics.

Pure pandas/numpy (no Django), like the rest of the analysis package: it reads
``items_wide.csv`` next to the contract files. :func:`run` computes everything in memory;
:func:`write_outputs` writes the files; :func:`report_section` gives the report's HTML.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import bootstrap, costs, descriptives, qaly, service_use
from .report import report_section

__all__ = ["EconomicsOptions", "EconomicsResult", "report_section", "run", "write_outputs"]

COST_MEASURES = ("inpatient", "outpatient_ae", "community_health", "social_care", "total_hsc",
                 "total_hsc_known", "informal_care_hours", "informal_care")
GROUPINGS = ("region", "project_type", "gender", "age_group", "ethnic_group", "area",
             "uses_mh_services", "learning_disability", "physical_condition")


@dataclass
class EconomicsOptions:
    """The ``--unit-costs`` family of ``peerlog analyse`` flags."""

    unit_costs: str | os.PathLike | pd.DataFrame
    inflate_to: int | None = None
    price_index: str | os.PathLike | None = None
    informal_care_rate: float | None = None
    seed: int = bootstrap.SEED
    replicates: int = bootstrap.REPLICATES


@dataclass
class EconomicsResult:
    service_use: service_use.ServiceUse
    costs: costs.CostResult
    qalys: pd.DataFrame
    summary: pd.DataFrame
    change_periods: pd.DataFrame
    change: pd.DataFrame
    baseline: pd.DataFrame
    unit_costs: pd.DataFrame
    timings: dict[str, float] = field(default_factory=dict)


def load_unit_costs(options: EconomicsOptions) -> pd.DataFrame:
    if isinstance(options.unit_costs, pd.DataFrame):
        table = costs.validate_unit_costs(options.unit_costs)
    else:
        table = costs.read_unit_costs(options.unit_costs)
    index = None
    if options.price_index is not None:
        index = pd.read_csv(options.price_index, comment="#")
    return costs.inflate(table, options.inflate_to, index)


def run(items: pd.DataFrame, logs: pd.DataFrame, participants: pd.DataFrame,
        options: EconomicsOptions, factors: pd.DataFrame | None = None) -> EconomicsResult:
    """Everything, from items_wide (strings), the cleaned logs (``Prepared.logs``: deduplicated,
    with the peer support variables) and the participants.

    ``factors`` are the participant subgroup factors (``periods.participant_factors``).
    """
    t0 = time.perf_counter()
    table = load_unit_costs(options)
    use = service_use.build(items, logs["log_id"])
    result = costs.compute_costs(use, table, options.informal_care_rate)
    per_log = descriptives.per_log_measures(use, result.costs)
    q = qaly.qalys(logs)
    t1 = time.perf_counter()
    people = participants[["personal_id", "region", "project_type"]]
    if factors is not None:
        extra = [c for c in factors.columns if c not in people.columns]
        people = people.merge(factors[["personal_id", *extra]], on="personal_id", how="left")
    groupings = [g for g in GROUPINGS if g in people.columns]
    by_log = per_log.merge(people, on="personal_id", how="left")
    q_people = q.merge(people, on="personal_id", how="left")
    summaries = []
    for group in (None, *groupings):
        summaries.append(bootstrap.grouped_means(by_log, list(COST_MEASURES), group,
                                                 options.seed, options.replicates))
        summaries.append(_qaly_means(q_people, group, options))
    summary = pd.concat(summaries, ignore_index=True)
    periods, change = descriptives.change_by_peer_support(per_log, logs, options.seed,
                                                          options.replicates)
    first = logs.sort_values(["personal_id", "completed_on"], kind="stable").drop_duplicates(
        "personal_id")
    base = descriptives.baseline(use, first, participants)
    t2 = time.perf_counter()
    return EconomicsResult(use, result, q, summary, periods, change, base, table,
                           {"economics_compute": t1 - t0, "economics_bootstrap": t2 - t1})


def _qaly_means(q: pd.DataFrame, group: str | None, options: EconomicsOptions) -> pd.DataFrame:
    """QALYs per person-year observed (= time-weighted mean EQ-5D index), bootstrapped."""
    frame = q.assign(_years=q["days"] / qaly.DAYS_PER_YEAR)
    rows = []
    grouping = group or "overall"
    levels = [("all", frame)] if group is None else [
        (str(k), g) for k, g in frame[frame[group].notna()].groupby(group, observed=True)]
    for level, g in levels:
        codes, ids = pd.factorize(g["personal_id"])
        sums = np.bincount(codes, g["qaly"].to_numpy(float), len(ids))[:, None]
        years = np.bincount(codes, g["_years"].to_numpy(float), len(ids))[:, None]
        point, reps = bootstrap.cluster_means(
            sums, years, bootstrap.rng_for(options.seed, f"qaly|{grouping}|{level}"),
            options.replicates)
        low, high = bootstrap.percentile_ci(reps)
        rows.append({"grouping": grouping, "level": level, "measure": "qaly_per_person_year",
                     "n_people": len(ids), "n_obs": len(g), "mean": point[0],
                     "ci_low": np.atleast_1d(low)[0], "ci_high": np.atleast_1d(high)[0],
                     "zeros_pct": np.nan})
    return pd.DataFrame(rows)


def write_outputs(result: EconomicsResult, out: str | os.PathLike) -> list[Path]:
    """service_use.csv, unit_costs_used.csv, costs.csv, qalys.csv, economics_summary.csv,
    economics_change_periods.csv, economics_change.csv, baseline_economics.csv."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "service_use.csv": service_use.tidy(result.service_use),
        "unit_costs_used.csv": result.unit_costs,
        "costs.csv": result.costs.costs,
        "qalys.csv": result.qalys,
        "economics_summary.csv": result.summary,
        "economics_change_periods.csv": result.change_periods,
        "economics_change.csv": result.change,
        "baseline_economics.csv": result.baseline,
    }
    written = []
    for name, frame in files.items():
        path = out / name
        frame.to_csv(path, index=False, float_format="%.10g", lineterminator="\n")
        written.append(path)
    return written
