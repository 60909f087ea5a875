"""Figures (SVG and PNG) like the evaluation's figures 4.7-4.10.

Accessible by construction: every figure has a title and labelled axes, uses the Okabe-Ito
colour-blind-safe palette with distinct marker shapes (so colour is never the only cue), and
carries a short text description (``alt``) used by the HTML report.
"""

from __future__ import annotations

from dataclasses import dataclass
from gettext import gettext as _
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402

from .contract import OUTCOMES  # noqa: E402
from .periods import CHANGE_LEVELS, FORM_PS, OVERALL_PS, PS_VARIABLES  # noqa: E402

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X"]
LABELS = {
    "wellbeing": _("Wellbeing (SWEMWBS)"), "self_efficacy": _("Self-efficacy"),
    "hope": _("Hope (Herth)"), "contact_family": _("Contact with family"),
    "contact_friends": _("Contact with friends"),
    "contact_neighbours": _("Contact with neighbours"), "health_status": _("Health status"),
    "projects": _("Projects attended"), "types_given": _("Types of peer support given"),
    "types_received": _("Types of peer support received"),
    "informal_given": _("Informal, given"), "informal_received": _("Informal, received"),
    "one_to_one_pairs_given": _("One-to-one/pairs, given"),
    "one_to_one_pairs_received": _("One-to-one/pairs, received"),
    "group_given": _("Group, given"), "group_received": _("Group, received"),
    "online_given": _("Online, given"), "online_received": _("Online, received"),
}
CHANGE_LABELS = {"decreased": _("Decreased"), "same": _("Same"), "increased": _("Increased")}


@dataclass
class Figure:
    name: str
    title: str
    alt: str
    svg: Path
    png: Path


def _save(fig, out: Path, name: str, title: str, alt: str) -> Figure:
    svg, png = out / f"{name}.svg", out / f"{name}.png"
    fig.savefig(svg, format="svg", metadata={"Title": title, "Description": alt})
    fig.savefig(png, format="png", dpi=110)
    plt.close(fig)
    return Figure(name, title, alt, svg, png)


def by_month(logs: pd.DataFrame, variable: str, max_month: int = 12) -> pd.DataFrame:
    """Mean and t-based 95% CI of a log variable by month (k-th log, as table A4.1)."""
    sub = logs.loc[logs["log_number"] <= max_month, ["log_number", variable]].dropna()
    sub = sub.rename(columns={"log_number": "month"})
    g = sub.groupby("month")[variable]
    out = pd.DataFrame({"mean": g.mean(), "sd": g.std(ddof=1), "n": g.size()})
    half = stats.t.ppf(0.975, np.maximum(out["n"] - 1, 1)) * out["sd"] / np.sqrt(out["n"])
    out["low"], out["high"] = out["mean"] - half, out["mean"] + half
    return out.reset_index()


def month_figure(logs: pd.DataFrame, variable: str, out: Path) -> Figure:
    data = by_month(logs, variable)
    label = LABELS.get(variable, variable)
    fig, ax = plt.subplots(figsize=(6, 3.6))
    ax.errorbar(data["month"], data["mean"], yerr=[data["mean"] - data["low"],
                data["high"] - data["mean"]], fmt="o", color=OKABE_ITO[0], capsize=3)
    title = _("{label}: mean and 95% CI by month since first log").format(label=label)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(_("Month since first log"))
    ax.set_ylabel(_("Mean {label}").format(label=label.lower()))
    ax.set_xticks(range(1, 13))
    fig.tight_layout()
    alt = _("Error-bar chart of {label} by month 1 to 12 since the first log.").format(
        label=label)
    return _save(fig, out, f"fig_month_{variable}", title, alt)


def change_figure(assoc: pd.DataFrame, outcome: str, ps_vars: tuple[str, ...], out: Path,
                  name: str) -> Figure | None:
    """Figure 4.9: estimated mean change in the outcome by change category, per variable."""
    sub = assoc[(assoc["outcome"] == outcome) & (assoc["subgroup"].fillna("") == "")
                & assoc["ps_variable"].isin(ps_vars)]
    if sub.empty:
        return None
    fig, ax = plt.subplots(figsize=(7, 3.8))
    x_labels, pos = [], 0
    for i, v in enumerate(ps_vars):
        rows = sub[sub["ps_variable"] == v].set_index("change").reindex(CHANGE_LEVELS)
        for j, ch in enumerate(CHANGE_LEVELS):
            r = rows.loc[ch]
            if np.isfinite(r["mean"]):
                ax.errorbar(pos, r["mean"], yerr=[[r["mean"] - r["ci_low"]],
                            [r["ci_high"] - r["mean"]]], fmt=MARKERS[j],
                            color=OKABE_ITO[j], capsize=3,
                            label=CHANGE_LABELS[ch] if i == 0 else None)
            x_labels.append((pos, LABELS.get(v, v) if j == 1 else ""))
            pos += 1
        pos += 1
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xticks([p for p, _l in x_labels], [lab for _p, lab in x_labels], fontsize=7)
    label = LABELS.get(outcome, outcome)
    title = _("Estimated mean change in {label} by change in peer support").format(label=label)
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(_("Mean change (95% CI)"))
    ax.legend(title=_("Peer support"), fontsize=7, title_fontsize=7, loc="best")
    fig.tight_layout()
    alt = _("Mean change in {label} with 95% confidence intervals for periods where each "
            "peer support variable decreased, stayed the same or increased.").format(label=label)
    return _save(fig, out, name, title, alt)


def subgroup_figure(assoc: pd.DataFrame, outcome: str, ps: str, subgroup: str,
                    out: Path) -> Figure:
    """Figure 4.10: mean change by change category within each subgroup level."""
    sub = assoc[(assoc["outcome"] == outcome) & (assoc["ps_variable"] == ps)
                & (assoc["subgroup"] == subgroup)]
    levels = list(dict.fromkeys(sub["subgroup_level"]))
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    width = 0.8 / max(len(levels), 1)
    for k, lev in enumerate(levels):
        rows = sub[sub["subgroup_level"] == lev].set_index("change").reindex(CHANGE_LEVELS)
        xs = np.arange(3) + (k - (len(levels) - 1) / 2) * width
        ok = np.isfinite(rows["mean"].to_numpy(dtype=float))
        ax.errorbar(xs[ok], rows["mean"][ok], yerr=[(rows["mean"] - rows["ci_low"])[ok],
                    (rows["ci_high"] - rows["mean"])[ok]], fmt=MARKERS[k % 7],
                    color=OKABE_ITO[k % 7], capsize=3, label=str(lev))
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xticks(range(3), [CHANGE_LABELS[c] for c in CHANGE_LEVELS])
    label, ps_label = LABELS.get(outcome, outcome), LABELS.get(ps, ps)
    title = _("{label} by change in {ps}, by {subgroup}").format(
        label=label, ps=ps_label.lower(), subgroup=subgroup.replace("_", " "))
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(_("Change in {ps}").format(ps=ps_label.lower()))
    ax.set_ylabel(_("Mean change (95% CI)"))
    ax.legend(title=subgroup.replace("_", " "), fontsize=7, title_fontsize=7)
    fig.tight_layout()
    alt = _("Mean change in {label} with 95% confidence intervals for each change category "
            "and each {subgroup} group.").format(label=label, subgroup=subgroup)
    return _save(fig, out, f"fig_subgroup_{outcome}_{ps}_{subgroup}", title, alt)


def write_figures(result, out: Path) -> list[Figure]:
    """All figures: by month (4.7/4.8), change (4.9) and significant subgroup models (4.10)."""
    out = Path(out) / "figures"
    out.mkdir(parents=True, exist_ok=True)
    figs = []
    logs = result.prepared.logs
    for v in (*PS_VARIABLES, *OUTCOMES):
        figs.append(month_figure(logs, v, out))
    assoc = result.associations
    for o in OUTCOMES:
        for ps_vars, tag in ((OVERALL_PS, "overall"), (FORM_PS, "forms")):
            f = change_figure(assoc, o, ps_vars, out, f"fig_change_{o}_{tag}")
            if f:
                figs.append(f)
    sig = result.models[(result.models["analysis"] == "subgroup")
                        & (result.models.get("p_value", pd.Series(dtype=float)) < 0.05)]
    for m in sig.to_dict("records"):
        figs.append(subgroup_figure(assoc, m["outcome"], m["ps_variable"], m["subgroup"], out))
    return figs
