"""The whole analysis as one call on in-memory frames, and a writer for its output folder.

``analyse(logs, participants, options)`` is what ``peerlog analyse`` runs; other code (the web
app, notebooks, the synthetic cohort's checks) can call it with frames straight from memory.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import contract
from .models import ASSOCIATION_COLUMNS, EXTRA_COLUMNS, fit_model, model_set
from .periods import Prepared, prepare


@dataclass
class Options:
    """Analysis options (the command-line flags of ``peerlog analyse``)."""

    adjust_projects: bool = True
    subgroups: tuple[str, ...] = ()  # extra participant columns used as subgroup factors
    where: tuple[tuple[str, str], ...] = ()  # (column, value) subset filters
    include_subgroups: bool = True  # False: primary and grouped-form models only
    pdf: bool = True
    figures: bool = True
    economics: object | None = None  # economics.EconomicsOptions: run the health economics


@dataclass
class AnalysisResult:
    """Everything the analysis produced, as frames."""

    associations: pd.DataFrame
    models: pd.DataFrame
    prepared: Prepared
    options: Options
    where_excluded: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    economics: object | None = None  # economics.EconomicsResult
    economics_section: str = ""  # its HTML fragment for the report

    @property
    def periods(self) -> pd.DataFrame:
        return self.prepared.periods

    @property
    def flow(self):
        return self.prepared.flow


def parse_where(items: list[str] | None) -> tuple[tuple[str, str], ...]:
    """Parse repeated ``col=value`` strings."""
    out = []
    for item in items or []:
        col, sep, value = item.partition("=")
        if not sep or not col.strip():
            raise ValueError(f"--where expects column=value, got {item!r}")
        out.append((col.strip(), value.strip()))
    return tuple(out)


def apply_where(
    logs: pd.DataFrame, participants: pd.DataFrame, where: tuple[tuple[str, str], ...]
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """Keep participants (and their logs) matching every participant-column filter, and logs
    matching every log-column filter. Returns the counts excluded."""
    excluded = {"participants": 0, "logs": 0}
    for col, value in where:
        if col in participants.columns:
            keep = participants[col].astype(str) == value
            excluded["participants"] += int((~keep).sum())
            participants = participants[keep.to_numpy()]
            lk = logs["personal_id"].isin(set(participants["personal_id"]))
        elif col in logs.columns:
            lk = logs[col].astype(str) == value
        else:
            raise ValueError(f"--where: no column '{col}' in participants.csv or logs.csv")
        excluded["logs"] += int((~lk).sum())
        logs = logs[lk.to_numpy()]
    return logs.reset_index(drop=True), participants.reset_index(drop=True), excluded


def analyse(
    logs: pd.DataFrame,
    participants: pd.DataFrame,
    options: Options | None = None,
    progress: Callable[[int, int], None] | None = None,
    items: pd.DataFrame | None = None,
) -> AnalysisResult:
    """Run the model set on validated frames (``contract.read_logs`` / ``read_participants``
    output, or frames of strings shaped like the CSVs, which are validated here)."""
    options = options or Options()
    if "ps_informal_given_ticked" not in logs.columns:  # raw strings, not yet validated
        logs = contract.validate_logs(logs)
    participants = contract.validate_participants(participants)
    timings = {}
    t0 = time.perf_counter()
    logs, participants, excluded = apply_where(logs, participants, options.where)
    prepared = prepare(logs, participants, tuple(options.subgroups))
    timings["prepare"] = time.perf_counter() - t0
    subgroups = prepared.subgroups if options.include_subgroups else ()
    specs = model_set(subgroups)
    rows, summaries = [], []
    t1 = time.perf_counter()
    for i, spec in enumerate(specs):
        res = fit_model(prepared.periods, spec, options.adjust_projects)
        rows += res.rows
        summaries.append(res.summary)
        if progress:
            progress(i + 1, len(specs))
    timings["models"] = time.perf_counter() - t1
    assoc = pd.DataFrame(rows, columns=ASSOCIATION_COLUMNS + EXTRA_COLUMNS)
    models = pd.DataFrame(summaries)
    result = AnalysisResult(assoc, models, prepared, options, excluded, timings)
    if options.economics is not None and items is not None:
        from . import economics
        from .periods import participant_factors

        t2 = time.perf_counter()
        result.economics = economics.run(items, prepared.logs, participants, options.economics,
                                         participant_factors(participants))
        timings["economics"] = time.perf_counter() - t2
    return result


def write_outputs(result: AnalysisResult, out_dir: str | os.PathLike) -> list[Path]:
    """Write associations.csv, models.csv, periods.csv, data_flow.csv, the descriptive tables,
    figures and the report into ``out_dir``. Returns the paths written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    assoc = result.associations.copy()
    assoc["n"] = assoc["n"].astype(int)
    path = out / "associations.csv"
    assoc.to_csv(path, index=False, float_format="%.10g")
    written.append(path)
    path = out / "models.csv"
    result.models.to_csv(path, index=False, float_format="%.10g")
    written.append(path)
    flow_rows = result.flow.rows() + [
        (f"excluded_by_where_{k}", v) for k, v in result.where_excluded.items()
    ]
    path = out / "data_flow.csv"
    pd.DataFrame(flow_rows, columns=["item", "count"]).to_csv(path, index=False)
    written.append(path)
    periods = result.periods.copy()
    for col in periods.columns:
        if col.endswith("_change") and periods[col].dtype == np.int8:
            periods[col] = pd.Categorical.from_codes(
                periods[col].astype(int), categories=["decreased", "same", "increased"]
            ) if (periods[col] >= 0).all() else periods[col].map(
                {-1: "", 0: "decreased", 1: "same", 2: "increased"})
    path = out / "periods.csv"
    periods.drop(columns=["pid"]).to_csv(path, index=False, float_format="%.10g")
    written.append(path)
    from . import report, tables

    written += tables.write_tables(result, out)
    figures = []
    if result.options.figures:
        from . import figures as figs

        figures = figs.write_figures(result, out)
        written += [p for f in figures for p in (f.svg, f.png)]
    if result.economics is not None:
        from . import economics

        written += economics.write_outputs(result.economics, out)
        result.economics_section, econ_figures = economics.report_section(
            result.economics, out, figures=result.options.figures)
        figures += econ_figures
        written += [p for f in econ_figures for p in (f.svg, f.png)]
    written += report.write_report(result, out, figures, pdf=result.options.pdf)
    return written
