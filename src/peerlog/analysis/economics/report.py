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


def _figure(result, out: Path):
    """Mean cost per category with its bootstrap interval, as an SVG bar chart."""
    from peerlog.analysis import svgplot
    from peerlog.analysis.figures import Figure

    s = result.summary
    rows = s[(s["grouping"] == "overall") & s["measure"].isin(
        ["inpatient", "outpatient_ae", "community_health", "social_care", "total_hsc"])]
    labels = [CATEGORY_LABELS[m] for m in rows["measure"]]
    means = [0.0 if math.isnan(m) else float(m) for m in rows["mean"]]
    title = _("Service costs per quarter")
    if result.costs.illustrative:
        title += " (" + ILLUSTRATIVE + ")"
    xlabel = _("Mean cost per person per quarter ({currency})").format(
        currency=result.costs.currency)
    out.mkdir(parents=True, exist_ok=True)
    svg = out / "economics_costs.svg"
    svg.write_text(svgplot.bar_chart(labels, [(_("mean"), means)], xlabel, title,
                                     horizontal=True), encoding="utf-8")
    alt = "; ".join(f"{lab}: {m:,.2f}" for lab, m in zip(labels, means, strict=True))
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
                         "ci_high"]])
    base = result.baseline[result.baseline["region"] == "Total"][
        ["variable", "level", "n", "answered", "percent", "missing"]]
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
        _table(base, _("At the first log: employment and time use, mental health admission "
                       "and medication")),
    ]
    return "".join(parts), figs
