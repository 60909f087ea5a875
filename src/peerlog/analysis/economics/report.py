"""The economics section of report.html / report.pdf: an HTML fragment and its figures.

The main report (``analysis/report.py``) includes the fragment as it is; the figures are
inlined there like its own.
"""

from __future__ import annotations

import html
import math
from gettext import gettext as _
from pathlib import Path

import pandas as pd

from peerlog.analysis.labels import label

from .costs import CATEGORY_LABELS, ILLUSTRATIVE

TITLE = _("Health economics")


def _cell(v: object) -> str:
    if isinstance(v, float):
        return "" if math.isnan(v) else f"{v:,.2f}"
    return html.escape(str(v))


HEADERS = {
    "measure": _("Measure"), "level": _("Level"), "grouping": _("Peer support variable"),
    "n_people": _("People"), "n_obs": _("Observations"), "mean": _("Mean"),
    "zeros_pct": _("% zero"), "variable": _("Variable"), "n": _("n"),
    "answered": _("Answered"), "percent": _("%"), "missing": _("Missing"),
}


def _table(frame: pd.DataFrame, caption: str) -> str:
    frame = frame.rename(columns=HEADERS)
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>"
                   for row in frame.itertuples(index=False))
    return (f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>")


def _ci(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(**{_("95% CI"): [
        "" if math.isnan(lo) else f"{lo:,.2f} to {hi:,.2f}"
        for lo, hi in zip(frame["ci_low"], frame["ci_high"], strict=True)]}).drop(
        columns=["ci_low", "ci_high"])


BASELINE_LABELS = {
    "employment": _("How they spent their time (Q19)"),
    "mh_admission_3_months": _("Hospital admission for mental health, previous 3 months"),
    "mh_medication": _("Medication for mental health"),
    "full_time": _("Paid or self-employed (full-time)"),
    "part_time": _("Paid or self-employed (part-time)"),
    "voluntary": _("Voluntary work (unpaid)"), "training": _("Work-related training"),
    "unemployed": _("Unemployed"), "not_working_illness": _("Not working due to illness"),
    "retired": _("Retired"), "student": _("Student"),
    "homemaker": _("Homemaker/ housewife/ househusband"),
    "family_caregiver": _("Family caregiver"), "other": _("Other"), "yes": _("Yes"),
}


def ci_bar_chart(rows: list[tuple[str, float, float, float]], value_label: str,
                 title: str) -> str:
    """Horizontal bars of means with their 95% intervals as whiskers (svgplot's primitives;
    its bar chart has no intervals). ``rows``: (label, mean, low, high); NaN draws nothing."""
    from peerlog.analysis import svgplot

    finite = [v for r in rows for v in r[1:] if math.isfinite(v)]
    if not finite:
        return svgplot.bar_chart([], [], value_label, title)
    ticks = svgplot.nice_ticks(min(0.0, *finite), max(finite))
    left = max(svgplot.text_width(r[0], 10) for r in rows) + 14
    band = 24
    c = svgplot.Chart(max(640, left + 320), len(rows) * band + 60, left=left, bottom=44)

    def fx(v: float) -> float:
        return c.x0 + (v - ticks[0]) / ((ticks[-1] - ticks[0]) or 1.0) * (c.x1 - c.x0)

    for t in ticks:
        c.line(fx(t), c.y0, fx(t), c.y1, "#ddd", 0.6)
        c.text(fx(t), c.y0 + 15, f"{t:,.0f}" if abs(t) >= 10 else f"{t:g}", size=10)
    colour = svgplot.OKABE_ITO[0]
    for j, (name, mean, low, high) in enumerate(rows):
        y = c.y1 + j * band + 4
        c.text(c.x0 - 8, y + band / 2, name, anchor="end", size=10)
        if math.isfinite(mean):
            c.add(f'<rect x="{min(fx(0), fx(mean)):.1f}" y="{y + 3:.1f}" '
                  f'width="{abs(fx(mean) - fx(0)):.1f}" height="{band - 14}" fill="{colour}"/>')
        if math.isfinite(low) and math.isfinite(high):
            mid = y + 3 + (band - 14) / 2
            c.line(fx(low), mid, fx(high), mid, "#000", 1.2)
            for v in (low, high):
                c.line(fx(v), mid - 5, fx(v), mid + 5, "#000", 1.2)
    c.line(fx(0), c.y0, fx(0), c.y1)
    c.text((c.x0 + c.x1) / 2, c.h - 10, value_label, size=10.5)
    return c.svg(title)


def _figure(result, out: Path):
    """Mean cost per category with its bootstrap interval (whiskers)."""
    from peerlog.analysis.figures import Figure

    s = result.summary
    rows = s[(s["grouping"] == "overall") & s["measure"].isin(
        ["inpatient", "outpatient_ae", "community_health", "social_care", "total_hsc"])]
    bars = [(CATEGORY_LABELS[m], float(mean), float(lo), float(hi)) for m, mean, lo, hi in
            zip(rows["measure"], rows["mean"], rows["ci_low"], rows["ci_high"], strict=True)]
    title = _("Service costs per quarter: mean and 95% bootstrap interval")
    if result.costs.illustrative:
        title += " (" + ILLUSTRATIVE + ")"
    xlabel = _("Mean cost per person per quarter ({currency})").format(
        currency=result.costs.currency)
    out.mkdir(parents=True, exist_ok=True)
    svg = out / "economics_costs.svg"
    svg.write_text(ci_bar_chart(bars, xlabel, title), encoding="utf-8")
    alt = "; ".join(f"{lab}: {m:,.2f} ({lo:,.2f} to {hi:,.2f})" for lab, m, lo, hi in bars)
    return Figure("economics_costs", title, alt, svg)


def report_section(result, out: str | Path | None = None, figures: bool = True
                   ) -> tuple[str, list]:
    """(HTML fragment, figures) for the report. ``result`` is an EconomicsResult."""
    c = result.costs
    price = _("{currency}, {year} prices").format(
        currency=c.currency, year=c.price_year if c.price_year else "?")
    warn = ""
    if c.illustrative:
        warn = (f'<p class="warning"><strong>{html.escape(_("Unit costs: "))}'
                f"{html.escape(ILLUSTRATIVE)}.</strong> "
                f"{html.escape(_('The costs below use the example unit-cost file; replace it with sourced costs before reporting.'))}</p>")  # noqa: E501
    s = result.summary
    overall = s[(s["grouping"] == "overall")].copy()
    overall["measure"] = overall["measure"].map(lambda m: CATEGORY_LABELS.get(m, m))
    overall = _ci(overall[["measure", "n_people", "n_obs", "mean", "ci_low", "ci_high",
                           "zeros_pct"]])
    region = s[(s["grouping"] == "region") & (s["measure"] == "total_hsc")]
    region = _ci(region[["level", "n_people", "n_obs", "mean", "ci_low", "ci_high"]])
    change = result.change
    change = change[change["measure"] == "total_hsc_change"]
    change = _ci(change[["grouping", "level", "n_people", "n_obs", "mean", "ci_low",
                         "ci_high"]]).assign(
        grouping=lambda f: f["grouping"].map(lambda g: label(g.removesuffix("_change"))),
        level=lambda f: f["level"].map(label))
    figs = [_figure(result, Path(out))] if figures and out is not None else []
    caveats = _(
        "Costs are for the three months before each quarterly log, from the health and social "
        "care perspective; informal care is valued separately. Means are per person per "
        "quarter with 95% percentile bootstrap intervals ({reps} replicates, resampling "
        "people). A cost is missing when an amount is unknown (a blank where the form asked "
        "for 0, a tick instead of a number, a missing duration); the short quarterly log does "
        "not ask every service, so its totals are missing and 'known' totals are lower "
        "bounds. Change by change in peer support is descriptive and associational: costs "
        "are zero-inflated and skewed and cells are small, so no mixed model is fitted. "
        "QALYs: area under the EQ-5D-3L (UK) curve between consecutive logs."
    ).format(reps=result.summary.attrs.get("replicates", "2,000"))
    parts = [
        warn,
        f"<p>{html.escape(caveats)} {html.escape(price)}.</p>",
        _table(overall, _("Service use costs and QALYs per quarter, all participants")),
        _table(region, _("Total health and social care cost per quarter by region")),
        _table(change, _("Change in total cost between consecutive quarterly logs, by change "
                         "in peer support")),
        f"<p>{html.escape(_('Employment and time use, hospital admission for mental health in the previous three months and medication for mental health at the first log are in table A4.3 (descriptive statistics).'))}</p>",  # noqa: E501
    ]
    return "".join(parts), figs
