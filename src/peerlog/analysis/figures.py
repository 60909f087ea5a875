"""Figures (SVG and PNG) like the evaluation's figures 4.1 and 4.5-4.10.

Accessible by construction: the title is the HTML caption (never cut off inside the image),
axes are labelled, the Okabe-Ito colour-blind-safe palette comes with distinct marker shapes
(colour is never the only cue), and each figure has a text description (``alt``). SVG text
stays text (searchable, and readable by screen readers and pdftotext).

Fast by construction: charts are written as SVG directly (svgplot.py), no plotting library.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from dataclasses import dataclass
from gettext import gettext as _
from pathlib import Path

import numpy as np
import pandas as pd

from . import svgplot
from .contract import OUTCOME_RANGES, OUTCOMES, PS_TYPES
from .labels import CHANGE_LABELS, TYPE_LABELS, label
from .periods import CHANGE_LEVELS, FORMS, PS_VARIABLES
from .stats import bounded_mean_ci

LABELS = {code: label(code) for code in (*OUTCOMES, *PS_VARIABLES)}  # kept for callers
MAX_MONTH = 12


@dataclass
class Figure:
    name: str
    title: str
    alt: str
    svg: Path
    png: Path | None = None


# ------------------------------------------------------------------------- data, no drawing


def variable_range(variable: str) -> tuple[float, float]:
    """The values a log variable can take, so its interval stays inside them."""
    if variable in OUTCOME_RANGES:
        return OUTCOME_RANGES[variable]
    if variable in ("types_given", "types_received"):
        return 0.0, float(len(PS_TYPES))
    return 0.0, math.inf  # counts


def by_month(logs: pd.DataFrame, variable: str, max_month: int = MAX_MONTH) -> pd.DataFrame:
    """Mean and 95% CI of a log variable by month (k-th log, as table A4.1); intervals stay
    inside the variable's range (see stats.bounded_mean_ci)."""
    low, high = variable_range(variable)
    sub = logs.loc[logs["log_number"] <= max_month, ["log_number", variable]]
    rows = []
    for month, values in sub.groupby("log_number")[variable]:
        mean, lo, hi, n = bounded_mean_ci(values.to_numpy(dtype=float), low, high)
        if n:
            rows.append({"month": int(month), "mean": mean, "low": lo, "high": hi, "n": n})
    return pd.DataFrame(rows, columns=["month", "mean", "low", "high", "n"])


def type_counts(logs: pd.DataFrame, ps_type: str, direction: str) -> pd.Series:
    """Times a type was given/received per log; a tick (number unknown) is missing."""
    col = f"ps_{ps_type}_{direction}"
    return logs[col].where(~logs[f"{col}_ticked"])


@dataclass
class Job:
    """One figure to draw: its file name, caption, description and a drawing function."""

    name: str
    title: str
    alt: str
    draw: Callable  # draw(job, **data) -> SVG text
    data: dict


def month_jobs(logs: pd.DataFrame) -> list[Job]:
    """Figures 4.7-4.8: each outcome, each overall variable, each grouped form and each of
    the 8 types, by month (given and received together, one title per figure)."""
    jobs = []
    for o in OUTCOMES:
        jobs.append(Job(f"fig_month_{o}", _("{label}: mean by month (k-th log), 95% CI").format(
            label=label(o)), _("Mean {label} at each participant's 1st to 12th log, with 95% "
                               "confidence intervals.").format(label=label(o)),
            _draw_months, {"series": [(label(o), by_month(logs, o))],
                           "ylabel": label(o)}))
    jobs.append(Job("fig_month_projects", _("Projects attended: mean by month (k-th log)"),
                    _("Mean number of projects attended at the 1st to 12th log, with 95% "
                      "confidence intervals."), _draw_months,
                    {"series": [(label("projects"), by_month(logs, "projects"))],
                     "ylabel": _("Projects")}))
    pairs = [("types", _("Number of types of peer support"), "types_{d}", None)]
    pairs += [(f, label(f"{f}_given").split(",")[0], f"{f}_{{d}}", None) for f in FORMS]
    pairs += [(t, TYPE_LABELS[t], None, t) for t in PS_TYPES]
    for key, name, pattern, ps_type in pairs:
        series = []
        for d in ("given", "received"):
            if ps_type:
                frame = logs[["log_number"]].assign(v=type_counts(logs, ps_type, d))
                data = by_month(frame, "v")
            else:
                data = by_month(logs, pattern.format(d=d))
            series.append((CHANGE_LABELS.get(d, label(d)), data))
        kind = _("types") if key == "types" else _("times in the last month")
        jobs.append(Job(
            f"fig_month_{key}", _("{name}: given and received, mean by month (k-th log)").format(
                name=name),
            _("Mean {name} ({kind}) given and received at the 1st to 12th log, with 95% "
              "confidence intervals.").format(name=name.lower(), kind=kind),
            _draw_months, {"series": series, "ylabel": _("Mean ({kind})").format(kind=kind)}))
    return jobs


def forest_job(assoc: pd.DataFrame, outcome: str, reference: pd.DataFrame | None) -> Job | None:
    """One forest plot per outcome: mean change (95% CI) for each change level of each peer
    support variable; the 2017 evaluation's estimate beside ours where it published one."""
    sub = assoc[(assoc["outcome"] == outcome) & assoc["analysis"].isin(["primary", "form"])]
    if sub.empty:
        return None
    rows = []
    for v in PS_VARIABLES:
        part = sub[sub["ps_variable"] == v].set_index("change")
        for ch in CHANGE_LEVELS:
            if ch not in part.index:
                continue
            r = part.loc[ch]
            ref = None
            if reference is not None and len(reference):
                hit = reference[(reference["outcome"] == outcome)
                                & (reference["ps_variable"] == v) & (reference["change"] == ch)]
                if len(hit) and np.isfinite(hit["mean"].iloc[0]):
                    ref = (float(hit["mean"].iloc[0]), float(hit["ci_low"].iloc[0]),
                           float(hit["ci_high"].iloc[0]))
            rows.append((f"{label(v)}: {CHANGE_LABELS[ch].lower()}", float(r["mean"]),
                         float(r["ci_low"]), float(r["ci_high"]), bool(np.isfinite(r["es"])),
                         ref))
    return Job(f"fig_forest_{outcome}",
               _("{label}: estimated mean change by change in peer support").format(
                   label=label(outcome)),
               _("Forest plot: for each peer support variable and each change category "
                 "(decreased, same, increased), the estimated mean change in {label} with its "
                 "95% confidence interval; filled markers meet both of the evaluation's "
                 "conditions.").format(label=label(outcome).lower()),
               _draw_forest, {"rows": rows, "xlabel": _("Mean change in {label} (95% CI)").format(
                   label=label(outcome).lower())})


def subgroup_job(assoc: pd.DataFrame, outcome: str, ps: str, subgroup: str) -> Job:
    """Figure 4.10: mean change by change category within each subgroup level."""
    sub = assoc[(assoc["outcome"] == outcome) & (assoc["ps_variable"] == ps)
                & (assoc["subgroup"] == subgroup)]
    series = []
    for lev in dict.fromkeys(sub["subgroup_level"]):
        rows = sub[sub["subgroup_level"] == lev].set_index("change").reindex(CHANGE_LEVELS)
        series.append((label(lev), rows[["mean", "ci_low", "ci_high"]].to_numpy(dtype=float)))
    return Job(f"fig_subgroup_{outcome}_{ps}_{subgroup}",
               _("{label} by change in {ps}, by {subgroup}").format(
                   label=label(outcome), ps=label(ps).lower(), subgroup=label(subgroup).lower()),
               _("Mean change in {label} with 95% confidence intervals for each change "
                 "category and each {subgroup} group.").format(
                   label=label(outcome).lower(), subgroup=label(subgroup).lower()),
               _draw_subgroup, {"series": series, "legend": label(subgroup),
                                "xlabel": _("Change in {ps}").format(ps=label(ps).lower())})


def entry_jobs(prepared) -> list[Job]:
    """Figure 4.5 (age by gender, registered participants) and 4.6 (types of peer support
    used at entry, given and received, share of first logs)."""
    p = prepared.participants
    ages = ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
    genders = [g for g in ("male", "female", "other") if (p["gender"] == g).any()]
    counts = [(label(g), [int(((p["age_band"] == a) & (p["gender"] == g)).sum()) for a in ages])
              for g in genders]
    first = prepared.logs[prepared.logs["log_number"] == 1]
    shares = []
    for d in ("given", "received"):
        vals = []
        for t in PS_TYPES:
            col = f"ps_{t}_{d}"
            used = ((first[col] > 0) | first[f"{col}_ticked"]).mean() if len(first) else 0.0
            vals.append(100 * float(used))
        shares.append((label(d), vals))
    return [
        Job("fig_4_5_age_by_gender", _("Registered participants by age band and gender"),
            _("Bar chart: number of registered participants in each age band, for each "
              "gender."), _draw_bars,
            {"cats": ages, "series": counts, "ylabel": _("Participants"), "horizontal": False}),
        Job("fig_4_6_types_at_entry", _("Types of peer support used at entry (first log)"),
            _("Bar chart: percentage of participants whose first log reports giving and "
              "receiving each of the 8 types of peer support."), _draw_bars,
            {"cats": [TYPE_LABELS[t] for t in PS_TYPES], "series": shares,
             "ylabel": _("% of first logs"), "horizontal": True}),
    ]


# ------------------------------------------------------------------------------- drawing


def _points(d: pd.DataFrame) -> list[tuple[int, float, float, float]]:
    return list(zip(d["month"].astype(int), d["mean"], d["low"], d["high"], strict=True))


def _draw_months(job, series, ylabel):
    return svgplot.month_chart([(n, _points(d)) for n, d in series], ylabel,
                               _("Log number (the evaluation's month since first log)"),
                               job.title)


def _draw_forest(job, rows, xlabel):
    return svgplot.forest_chart([(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows], xlabel,
                                job.title, _("This programme (filled: both conditions met)"),
                                _("2017 evaluation (published)"))


def _draw_subgroup(job, series, legend, xlabel):
    pts = [(name, [(i + 1, *vals[i]) for i in range(3)]) for name, vals in series]
    return svgplot.month_chart(pts, _("Mean change (95% CI)"), xlabel, job.title,
                               xcats=[CHANGE_LABELS[c] for c in CHANGE_LEVELS],
                               legend_title=legend)


def _draw_bars(job, cats, series, ylabel, horizontal):
    return svgplot.bar_chart(cats, series, ylabel, job.title, horizontal=horizontal)


def render(job: Job, out: Path) -> Figure:
    """Draw one job to an SVG file."""
    svg = out / f"{job.name}.svg"
    svg.write_text(job.draw(job, **job.data), encoding="utf-8")
    return Figure(job.name, job.title, job.alt, svg, None)


def render_all(jobs: list[Job], out: Path, workers: int = 1) -> list[Figure]:
    """Draw every job (milliseconds each, so no processes are needed)."""
    out.mkdir(parents=True, exist_ok=True)
    return [render(j, out) for j in jobs]


def data_flow_svg(boxes: list[tuple[str, str]], notes: list[str]) -> str:
    """Figure 4.1 as a small hand-drawn SVG: a column of boxes (label, count) joined by
    arrows, with the shares of special logs listed beside it. Text stays text."""
    width, box_w, box_h, gap = 640, 300, 44, 22
    height = len(boxes) * (box_h + gap) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" font-family="sans-serif" font-size="13">']
    for i, (text, count) in enumerate(boxes):
        y = 5 + i * (box_h + gap)
        parts.append(f'<rect x="5" y="{y}" width="{box_w}" height="{box_h}" rx="4" '
                     'fill="#eef4fa" stroke="#0072B2"/>')
        parts.append(f'<text x="15" y="{y + 18}">{html.escape(text)}</text>')
        parts.append(f'<text x="15" y="{y + 36}" font-weight="bold">{html.escape(count)}'
                     '</text>')
        if i < len(boxes) - 1:
            x = 5 + box_w / 2
            parts.append(f'<line x1="{x}" y1="{y + box_h}" x2="{x}" y2="{y + box_h + gap - 4}" '
                         'stroke="#333" stroke-width="1.5"/>')
            parts.append(f'<path d="M{x - 5} {y + box_h + gap - 9} L{x} {y + box_h + gap - 2} '
                         f'L{x + 5} {y + box_h + gap - 9}" fill="none" stroke="#333"/>')
    for j, note in enumerate(notes):
        parts.append(f'<text x="{box_w + 30}" y="{25 + j * 22}">{html.escape(note)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def figure_jobs(result, reference: pd.DataFrame | None = None,
                significant_subgroups: list[tuple[str, str, str]] = ()) -> list[Job]:
    """Every figure of the report, as jobs (data prepared, nothing drawn yet)."""
    jobs = entry_jobs(result.prepared)
    jobs += month_jobs(result.prepared.logs)
    for o in OUTCOMES:
        job = forest_job(result.associations, o, reference)
        if job:
            jobs.append(job)
    for outcome, ps, subgroup in significant_subgroups:
        jobs.append(subgroup_job(result.associations, outcome, ps, subgroup))
    return jobs
