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
from .report import TITLE, report_section

__all__ = ["TITLE", "EconomicsOptions", "EconomicsResult", "report_section", "run", "write_outputs"]

COST_MEASURES = ("inpatient", "outpatient_ae", "community_health", "social_care", "total_hsc",
                 "total_hsc_known", "informal_care_hours", "informal_care")
SUBGROUP_MEASURES = ("total_hsc", "total_hsc_known", "informal_care")
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
    periods = descriptives.change_periods(per_log, logs)
    first = logs.sort_values(["personal_id", "completed_on"], kind="stable").drop_duplicates(
        "personal_id")
    base = descriptives.baseline(use, first, participants)
    t1 = time.perf_counter()
    people = participants[["personal_id", "region", "project_type"]]
    if factors is not None:
        extra = [c for c in factors.columns if c not in people.columns]
        people = people.merge(factors[["personal_id", *extra]], on="personal_id", how="left")
    groupings = [g for g in GROUPINGS if g in people.columns]
    by_log = per_log.merge(people, on="personal_id", how="left")
    q_people = q.merge(people, on="personal_id", how="left")
    ids = pd.Index(pd.unique(np.concatenate([by_log["personal_id"].to_numpy(),
                                             q_people["personal_id"].to_numpy()])))
    n = len(ids)
    cost_codes = ids.get_indexer(by_log["personal_id"])
    q_codes = ids.get_indexer(q_people["personal_id"])
    period_codes = ids.get_indexer(periods["personal_id"])
    years = (q_people["days"].to_numpy(float) / qaly.DAYS_PER_YEAR)[:, None]
    cells = []
    for group in (None, *groupings):
        name = group or "overall"
        measures = list(COST_MEASURES if group in (None, "region", "project_type")
                        else SUBGROUP_MEASURES)
        cost_cells = bootstrap.make_cells(name, cost_codes, n,
                                          by_log[measures].to_numpy(float), measures,
                                          _levels(by_log, group))
        qaly_cells = bootstrap.make_cells(name, q_codes, n, q_people[["qaly"]].to_numpy(float),
                                          ["qaly_per_person_year"], _levels(q_people, group),
                                          weights=years)
        cells += bootstrap.merge_cells(cost_cells, qaly_cells)
    change_measures = [f"{m}_change" for m in descriptives.CHANGE_MEASURES]
    for ps in descriptives.PS_VARIABLES:
        cells += bootstrap.make_cells(f"{ps}_change", period_codes, n,
                                      periods[change_measures].to_numpy(float),
                                      change_measures, _levels(periods, f"{ps}_change"))
    stats = bootstrap.run_cells(cells, n, options.seed, options.replicates)
    is_change = stats["grouping"].str.endswith("_change")
    summary = stats[~is_change].reset_index(drop=True)
    change = stats[is_change].reset_index(drop=True)
    summary.attrs["replicates"] = change.attrs["replicates"] = options.replicates
    t2 = time.perf_counter()
    return EconomicsResult(use, result, q, summary, periods, change, base, table,
                           {"economics_compute": t1 - t0, "economics_bootstrap": t2 - t1})


def _levels(frame: pd.DataFrame, group: str | None) -> np.ndarray | None:
    if group is None:
        return None
    values = frame[group]
    return values.astype(object).where(values.notna(), None).to_numpy()


def write_outputs(result: EconomicsResult, out: str | os.PathLike) -> list[Path]:
    """service_use.csv, unit_costs_used.csv, costs.csv, qalys.csv, economics_summary.csv,
    economics_change_periods.csv, economics_change.csv, baseline_economics.csv."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "service_use.csv"]
    service_use.write_tidy(result.service_use, written[0])
    files = {
        "unit_costs_used.csv": result.unit_costs,
        "costs.csv": result.costs.costs,
        "qalys.csv": result.qalys,
        "economics_summary.csv": result.summary,
        "economics_change_periods.csv": result.change_periods,
        "economics_change.csv": result.change,
        "baseline_economics.csv": result.baseline,
    }
    for name, frame in files.items():
        path = out / name
        # Large files are rounded where they are made and written with the fast C path;
        # float_format costs a Python call per number.
        small = len(frame) < 20_000
        frame.to_csv(path, index=False, float_format="%.10g" if small else None,
                     lineterminator="\n")
        written.append(path)
    return written
