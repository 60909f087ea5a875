"""A self-contained report: report.html (figures inlined as SVG) and report.pdf (WeasyPrint).

Plain-language summary first (only findings that meet the evaluation's two conditions:
p < 0.05 for the peer support factor, and a 95% CI that excludes 0), then methods, tables
and figures. User-facing text goes through gettext so it can be translated.
"""

from __future__ import annotations

import html
import math
from gettext import gettext as _
from pathlib import Path

import pandas as pd

from .figures import LABELS, Figure


def cohen_label(es: float) -> str:
    """Cohen's (1992) labels as the evaluation used them for standardised response means."""
    a = abs(es)
    if a >= 0.8:
        return _("large")
    if a >= 0.5:
        return _("medium")
    if a >= 0.2:
        return _("small")
    return _("less than small")


# What each peer support variable counts, as a phrase for plain-language sentences.
PS_PHRASES = {
    "projects": _("the number of peer support projects they attended"),
    "types_given": _("the number of types of peer support they gave"),
    "types_received": _("the number of types of peer support they received"),
    "informal_given": _("the informal peer support they gave"),
    "informal_received": _("the informal peer support they received"),
    "one_to_one_pairs_given": _("the one-to-one or pair peer support they gave"),
    "one_to_one_pairs_received": _("the one-to-one or pair peer support they received"),
    "group_given": _("the group peer support they gave"),
    "group_received": _("the group peer support they received"),
    "online_given": _("the online peer support they gave"),
    "online_received": _("the online peer support they received"),
}
CHANGE_PHRASES = {"decreased": _("went down"), "same": _("stayed the same"),
                  "increased": _("went up")}


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def findings(assoc: pd.DataFrame) -> list[str]:
    """One plain-language sentence per result that meets both conditions.

    Whole-sample results come first, then subgroups, because a subgroup result is a
    refinement a reader should meet after the main picture.
    """
    out = []
    sig = assoc[assoc["es"].notna()]
    sig = sig.assign(_sub=sig["subgroup"].fillna("").astype(bool)).sort_values(
        "_sub", kind="stable")
    for r in sig.to_dict("records"):
        direction = _("a rise") if r["mean"] > 0 else _("a fall")
        group = ""
        if r["subgroup"]:
            group = _(" (among participants with {subgroup} = {level})").format(
                subgroup=str(r["subgroup"]).replace("_", " "), level=r["subgroup_level"])
        out.append(_(
            "People for whom {ps} {change} from one log to the next{group} showed {direction} "
            "in {outcome}: mean change {mean:.2f} (95% CI {low:.2f} to {high:.2f}; "
            "p = {p:.3f}), a {label} effect (ES {es:.2f})."
        ).format(
            ps=PS_PHRASES.get(r["ps_variable"], r["ps_variable"]),
            change=CHANGE_PHRASES[r["change"]], group=group,
            outcome=_lower_first(LABELS.get(r["outcome"], r["outcome"])), direction=direction,
            mean=r["mean"], low=r["ci_low"], high=r["ci_high"], p=r["p_value"],
            label=cohen_label(r["es"]), es=r["es"],
        ))
    return out


def _table(frame: pd.DataFrame, caption: str) -> str:
    def cell(v):
        if isinstance(v, float):
            return "" if math.isnan(v) else f"{v:.3g}" if abs(v) < 1000 else f"{v:.0f}"
        return html.escape(str(v))

    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    return (f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>")


def _svg(fig: Figure) -> str:
    text = fig.svg.read_text(encoding="utf-8")
    start = text.find("<svg")
    svg = text[start:].replace("<svg", f'<svg role="img" aria-label="{html.escape(fig.alt)}"',
                               1)
    return (f"<figure>{svg}<figcaption>{html.escape(fig.title)}</figcaption></figure>")


CSS = """
body { font-family: sans-serif; max-width: 60rem; margin: 2rem auto; line-height: 1.5;
       color: #1a1a1a; padding: 0 1rem; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.85rem; }
th, td { border: 1px solid #777; padding: 0.2rem 0.4rem; text-align: left; }
caption { font-weight: bold; text-align: left; margin-bottom: 0.3rem; }
figure { margin: 1rem 0; } figure svg { max-width: 100%; height: auto; }
"""


def build_html(result, figures: list[Figure], lang: str = "en") -> str:
    """The report as one HTML string."""
    assoc = result.associations
    flow = pd.DataFrame(result.flow.rows(), columns=[_("item"), _("count")])
    items = findings(assoc)
    summary = ("<ul>" + "".join(f"<li>{html.escape(s)}</li>" for s in items) + "</ul>"
               if items else f"<p>{_('No result met both conditions.')}</p>")
    primary = assoc[assoc["analysis"] == "primary"][
        ["outcome", "ps_variable", "change", "n", "mean", "ci_low", "ci_high", "p_value", "es"]]
    methods = _(
        "Each period is the time between two consecutive logs of one participant. For every "
        "outcome and peer support variable a linear mixed model (REML, random intercept per "
        "participant) relates the change in the outcome to whether the peer support variable "
        "decreased, stayed the same or increased, adjusting for the outcome at the start of the "
        "period{adjust}. The p-value is the Type III F test of the peer support factor (for "
        "subgroup models: its interaction with the subgroup) with Satterthwaite degrees of "
        "freedom; means are estimated marginal means with 95% confidence intervals. A finding "
        "is reported when p < 0.05 and the confidence interval of a level excludes 0; its "
        "effect size (ES) is the mean divided by the standard deviation of change over the "
        "model's periods, labelled with Cohen's thresholds: small 0.2-0.5, medium 0.5-0.8, "
        "large above 0.8."
    ).format(adjust=_(" and for change in projects attended") if result.options.adjust_projects
             else "")
    figs = "".join(_svg(f) for f in figures)
    title = _("PeerLog analysis report")
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{CSS}</style></head><body><main>
<h1>{html.escape(title)}</h1>
<h2>{html.escape(_("Summary of findings"))}</h2>{summary}
<h2>{html.escape(_("Methods"))}</h2><p>{html.escape(methods)}</p>
<h2>{html.escape(_("Tables"))}</h2>
{_table(flow, _("Data flow: logs, duplicates and periods"))}
{_table(primary, _("Change in outcomes by change in overall peer support"))}
{getattr(result, "economics_section", "")}
<h2>{html.escape(_("Figures"))}</h2>{figs}
</main></body></html>"""


def write_report(result, out: Path, figures: list[Figure], pdf: bool = True) -> list[Path]:
    """Write report.html and, unless ``pdf`` is False, report.pdf."""
    out = Path(out)
    page = build_html(result, figures)
    path = out / "report.html"
    path.write_text(page, encoding="utf-8")
    written = [path]
    if pdf:
        from weasyprint import HTML

        pdf_path = out / "report.pdf"
        HTML(string=page, base_url=str(out)).write_pdf(pdf_path)
        written.append(pdf_path)
    return written
