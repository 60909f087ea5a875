"""Descriptive tables in the shape of the evaluation's appendix tables A4.1-A4.4.

Each function returns a tidy frame; :func:`write_tables` writes them as CSV files.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from gettext import gettext as _
from pathlib import Path

import numpy as np
import pandas as pd

from .contract import OUTCOMES, PARTICIPANT_CATEGORIES, PS_TYPES
from .labels import label
from .periods import Prepared

TOTAL = "Total"
UNREGISTERED = "(unregistered)"


def _once(fn: Callable) -> Callable:
    """Compute a table once per :class:`Prepared` (write_tables writes it, the report's
    display form reads it again). Callers must not change the frame they get."""
    signature = inspect.signature(fn)

    @functools.wraps(fn)
    def cached(prepared: Prepared, *args, **kwargs):
        bound = signature.bind(prepared, *args, **kwargs)
        bound.apply_defaults()
        key = (fn.__name__, *list(bound.arguments.values())[1:])
        if key not in prepared.tables:
            prepared.tables[key] = fn(prepared, *args, **kwargs)
        return prepared.tables[key]
    return cached


@_once
def _with_region(prepared: Prepared) -> pd.DataFrame:
    region = prepared.participants.set_index("personal_id")["region"]
    logs = prepared.logs.copy()
    logs["region"] = logs["personal_id"].map(region).fillna(UNREGISTERED)
    logs.loc[logs["registered"] & logs["region"].eq(UNREGISTERED), "region"] = "(no region)"
    return logs


@_once
def logs_by_month(prepared: Prepared, max_month: int = 15) -> pd.DataFrame:
    """A4.1: logs by 'month' (the report's month k is a participant's k-th log: its month 1
    counts every participant once, month 2 those with 2+ logs), quarterly/monthly, by region;
    logs after ``max_month`` are counted under 'later'."""
    logs = _with_region(prepared)
    month = logs["log_number"].astype(str).where(logs["log_number"] <= max_month, "later")
    table = pd.crosstab([logs["region"], logs["kind"]], month)
    order = [str(m) for m in range(1, max_month + 1)] + ["later"]
    table = table.reindex(columns=[c for c in order if c in table.columns], fill_value=0)
    total = table.groupby(level="kind").sum()
    total.index = pd.MultiIndex.from_product([[TOTAL], total.index], names=["region", "kind"])
    out = pd.concat([table, total]).reset_index()
    out.columns.name = None
    return out


def level_counts(p: pd.DataFrame, var: str, levels, regions: list[str]) -> pd.DataFrame:
    """Counts of each level (and MISSING) of ``var`` by region, with a Total column."""
    rows = [*levels, "MISSING"]
    lev = pd.Categorical(p[var].astype(object).where(p[var].notna(), "MISSING"),
                         categories=rows).codes.astype(np.int64)
    reg = pd.Categorical(p["region"], categories=regions).codes.astype(np.int64)
    ok = (lev >= 0) & (reg >= 0)
    counts = np.bincount(lev[ok] * len(regions) + reg[ok],
                         minlength=len(rows) * len(regions)).reshape(len(rows), len(regions))
    table = pd.DataFrame(counts, index=rows, columns=regions)
    table[TOTAL] = table.sum(axis=1)
    return table


@_once
def participants_by_region(prepared: Prepared) -> pd.DataFrame:
    """A4.2: registered participants' characteristics by region: n and % per level,
    missing counted separately (percentages exclude missing)."""
    p = prepared.participants.assign(region=prepared.participants["region"].fillna(
        "(no region)"))
    regions = sorted(p["region"].unique())
    frames = []
    for var, levels in PARTICIPANT_CATEGORIES.items():
        t = level_counts(p, var, levels, regions)
        valid = t.drop(index="MISSING").sum()
        long = t.stack().rename("n").reset_index()
        long.columns = ["level", "region", "n"]
        long["percent"] = np.where(long["level"] == "MISSING", np.nan, np.round(
            100 * long["n"] / long["region"].map(valid).replace(0, np.nan), 1))
        long.insert(0, "variable", var)
        frames.append(long.sort_values("region", key=lambda r: r.map(
            {x: i for i, x in enumerate([*regions, TOTAL])}), kind="stable"))
    counts = p["region"].value_counts()
    header = pd.DataFrame({"variable": "participants", "level": "", "region": [*regions, TOTAL],
                           "n": [int(counts[r]) for r in regions] + [len(p)], "percent": np.nan})
    return pd.concat([header, *frames], ignore_index=True)


@_once
def _first_logs(prepared: Prepared) -> pd.DataFrame:
    logs = _with_region(prepared)
    return logs[logs["log_number"] == 1]


@_once
def baseline_outcomes(prepared: Prepared) -> pd.DataFrame:
    """A4.3: outcomes at each participant's first log by region: mean, SD, n, missing."""
    first = _first_logs(prepared)
    regions = [*sorted(first["region"].unique()), TOTAL]
    both = pd.concat([first, first.assign(region=TOTAL)])
    g = both.groupby("region")[list(OUTCOMES)]
    stats = {"mean": g.mean(), "sd": g.std(ddof=1), "n": g.count(),
             "missing": g.size().to_frame().values - g.count()}
    rows = []
    for reg in regions:
        for o in OUTCOMES:
            rows.append({"region": reg, "outcome": o, "mean": stats["mean"].loc[reg, o],
                         "sd": stats["sd"].loc[reg, o], "n": int(stats["n"].loc[reg, o]),
                         "missing": int(stats["missing"].loc[reg, o])})
    return pd.DataFrame(rows)


@_once
def baseline_peer_support(prepared: Prepared) -> pd.DataFrame:
    """A4.4: use of each type of peer support at the first log by region, n (%): a count
    above 0 or a tick."""
    first = _first_logs(prepared)
    used = pd.DataFrame({
        f"{t}_{d}": (first[f"ps_{t}_{d}"] > 0) | first[f"ps_{t}_{d}_ticked"]
        for t in PS_TYPES for d in ("given", "received")})
    used["region"] = first["region"].to_numpy()
    both = pd.concat([used, used.assign(region=TOTAL)])
    sums, sizes = both.groupby("region").sum(), both.groupby("region").size()
    rows = []
    for reg in [*sorted(first["region"].unique()), TOTAL]:
        of = int(sizes.get(reg, 0))
        for t in PS_TYPES:
            for d in ("given", "received"):
                n = int(sums.loc[reg, f"{t}_{d}"]) if of else 0
                rows.append({"region": reg, "type": t, "direction": d, "n": n, "of": of,
                             "percent": round(100 * n / of, 1) if of else np.nan})
    return pd.DataFrame(rows)


def write_tables(result, out: Path) -> list[Path]:
    """Write the descriptive tables (and figures and report when the options ask)."""
    prepared = result.prepared
    written = []
    for name, frame in (
        ("table_a4_1_logs_by_month.csv", logs_by_month(prepared)),
        ("table_a4_2_participants_by_region.csv", participants_by_region(prepared)),
        ("table_a4_3_baseline_outcomes.csv", baseline_outcomes(prepared)),
        ("table_a4_4_baseline_peer_support.csv", baseline_peer_support(prepared)),
    ):
        path = out / name
        frame.to_csv(path, index=False, float_format="%.4g")
        written.append(path)
    return written


# ------------------------------------------------------------- display forms for the report
# Each returns (header, rows, caption) with labels instead of codes, as the report prints them.

OPTIONAL_PARTICIPANT_ROWS = ("transgender", "ethnicity", "years_using_services")


def _regions(frame: pd.DataFrame) -> list[str]:
    return sorted(frame["region"].dropna().unique().tolist())


def a4_1_display(prepared: Prepared, max_month: int = 15) -> tuple[list, list, str]:
    """A4.1 as the evaluation printed it: quarterly/monthly logs per region and k-th log."""
    t = logs_by_month(prepared, max_month)
    months = [c for c in t.columns if c not in ("region", "kind")]
    rows = []
    for region in [*[r for r in dict.fromkeys(t["region"]) if r != TOTAL], TOTAL]:
        part = t[t["region"] == region].set_index("kind")
        cells = []
        for m in months:
            q = int(part[m].get("quarterly", 0)) if m in part else 0
            mo = int(part[m].get("monthly", 0)) if m in part else 0
            cells.append(f"{q}/{mo}")
        rows.append([label(region), *cells])
    header = [_("Region"), *[str(m) if m != "later" else _("later") for m in months]]
    return header, rows, _("Table A4.1: logs by k-th log (the evaluation's month), "
                           "quarterly/monthly, by region")


def a4_2_display(prepared: Prepared) -> list[tuple[list, list, str]]:
    """A4.2: registered participants by region, n (%) per level; missing counted apart
    (percentages exclude missing). Optional rows when the data have the columns."""
    p = prepared.participants.copy()
    p["region"] = p["region"].fillna("(no region)")
    regions = _regions(p)
    cols = [*regions, TOTAL]
    subsets = {r: p[p["region"] == r] for r in regions} | {TOTAL: p}
    rows = [[_("Participants"), "n", *[str(len(subsets[c])) for c in cols]]]
    variables = list(PARTICIPANT_CATEGORIES) + [c for c in OPTIONAL_PARTICIPANT_ROWS
                                                 if c in p.columns]
    for var in variables:
        if var == "years_using_services":
            years = {c: pd.to_numeric(subsets[c][var], errors="coerce") for c in cols}
            rows.append([label(var), _("mean (min-max, SD)"), *[
                f"{y.mean():.1f} ({y.min():.0f}-{y.max():.0f}, {y.std():.1f})" if y.notna().any()
                else "" for y in (years[c] for c in cols)]])
            continue
        levels = PARTICIPANT_CATEGORIES.get(var) or sorted(p[var].dropna().unique())
        counts = level_counts(p, var, levels, regions)[cols].to_numpy()
        valid = counts[:-1].sum(axis=0)  # the last row is MISSING
        for i, lev in enumerate((*levels, "MISSING")):
            if lev == "MISSING":
                cells = [str(int(n)) for n in counts[i]]
            else:
                cells = [f"{n} ({100 * n / v:.1f})" if v else "0"
                         for n, v in zip(counts[i].tolist(), valid.tolist(), strict=True)]
            rows.append([label(var) if i == 0 else "", label(lev), *cells])
    header = [_("Characteristic"), _("Level"), *[label(c) for c in cols]]
    return [(header, rows, _("Table A4.2: registered participants by region, n (%); "
                             "percentages exclude missing"))]


def a4_3_display(prepared: Prepared, economics: pd.DataFrame | None = None
                 ) -> tuple[list, list, str]:
    """A4.3: outcomes at each person's first log by region, mean (SD) and missing; with the
    health economics' ``baseline_economics`` frame, also employment, mental health admission
    and medication, as the evaluation reported them."""
    t = baseline_outcomes(prepared)
    regions = [r for r in dict.fromkeys(t["region"]) if r != TOTAL] + [TOTAL]
    first = _first_logs(prepared)
    rows = [[_("First logs"), "n", *[str(len(first) if r == TOTAL else
                                         int((first["region"] == r).sum())) for r in regions]]]
    for o in OUTCOMES:
        part = t[t["outcome"] == o].set_index("region")
        rows.append([label(o), _("mean (SD)"), *[
            f"{part.loc[r, 'mean']:.1f} ({part.loc[r, 'sd']:.1f})"
            if part.loc[r, "n"] > 1 else "" for r in regions]])
        rows.append(["", label("MISSING"), *[str(int(part.loc[r, "missing"])) for r in regions]])
    if economics is not None:
        rows += a4_3_economics_rows(economics, regions)
    header = [_("Outcome"), "", *[label(r) for r in regions]]
    return header, rows, _("Table A4.3: outcomes at the first log, by region")


def a4_3_economics_rows(base: pd.DataFrame, regions: list[str]) -> list[list[str]]:
    """n (%) of those answering per level, then missing, for each baseline economics variable
    (``economics.descriptives.baseline``: its total is labelled "Total", like TOTAL)."""
    from .economics.report import BASELINE_LABELS

    rows = []
    for variable, part in base.groupby("variable", sort=False):
        for i, (level, lev) in enumerate(part.groupby("level", sort=False)):
            by_region = lev.set_index("region")
            cells = []
            for r in regions:
                if r not in by_region.index or not by_region.loc[r, "answered"]:
                    cells.append("")
                    continue
                cells.append(f"{int(by_region.loc[r, 'n'])} "
                             f"({float(by_region.loc[r, 'percent']):.1f})")
            name = (BASELINE_LABELS.get(variable, label(variable)) + ", n (%)" if i == 0
                    else "")
            rows.append([name, BASELINE_LABELS.get(level, label(level)), *cells])
        by_region = part.drop_duplicates("region").set_index("region")
        rows.append(["", label("MISSING"), *[
            str(int(by_region.loc[r, "missing"])) if r in by_region.index else ""
            for r in regions]])
    return rows


def a4_4_display(prepared: Prepared) -> tuple[list, list, str]:
    """A4.4: use of each type of peer support at the first log by region, n (%)."""
    from .labels import TYPE_LABELS

    t = baseline_peer_support(prepared)
    regions = [r for r in dict.fromkeys(t["region"]) if r != TOTAL] + [TOTAL]
    rows = []
    for ty in PS_TYPES:
        for d in ("given", "received"):
            part = t[(t["type"] == ty) & (t["direction"] == d)].set_index("region")
            rows.append([TYPE_LABELS[ty] if d == "given" else "", label(d), *[
                f"{int(part.loc[r, 'n'])} ({part.loc[r, 'percent']:.1f})" for r in regions]])
    header = [_("Type"), "", *[label(r) for r in regions]]
    return header, rows, _("Table A4.4: peer support used at the first log, by region, n (%)")
