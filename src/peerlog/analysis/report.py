"""report.html and report.pdf: the evaluation's chapter 4 and appendix A4, for researchers.

Shape: an opening page (who, when, the data flow, a plain-language summary of the primary
models only, and the two caveats), results per outcome like tables A4.5-A4.9 with the 2017
evaluation's published figures beside them, sensitivity and chapter 8 sections, other parts'
sections; then the appendices: descriptives (A4.1-A4.4, figures 4.5-4.8), an exploratory
appendix (subgroups with q-values), methods and a reproducibility block. Wide tables sit on
landscape pages. In report.pdf the appendices are numbered on their own ("A3 / A25"), as
they are rendered as a second document. User-facing text goes through gettext.
"""

from __future__ import annotations

import html
import math
from gettext import gettext as _
from pathlib import Path

import numpy as np
import pandas as pd

from . import tables
from .contract import OUTCOMES
from .figures import Figure, data_flow_svg
from .labels import CHANGE_LABELS, CHAPTER8_FIELDS, cohen_label, fmt_ci, fmt_num, fmt_p, label
from .periods import CHANGE_LEVELS, FORM_PS, OVERALL_PS
from .stats import bh_qvalues

__all__ = ["cohen_label", "findings", "build_html", "write_report", "add_qvalues"]

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
R_PARITY = _(
    "The models were checked against R (lme4 + lmerTest + emmeans) on two committed "
    "fixtures (tests/analysis/data/cohort and small; reference outputs in tests/analysis/r, "
    "made by tests/analysis/r/reference.R): all 1,680 and 1,866 rows agree to 1e-3 in means, "
    "confidence intervals and p-values (one documented exception where lme4 stops at a local "
    "optimum). tests/analysis/test_r_reference.py repeats the check on every change.")


# ------------------------------------------------------------------------------ numbers


def add_qvalues(result) -> int:
    """Benjamini-Hochberg q-values across the family of every model p-value in the report
    (primary, grouped forms, subgroups); adds ``q_value`` to models and associations and
    returns the family size."""
    models = result.models
    if "p_value" not in models:
        models["q_value"] = np.nan
        result.associations["q_value"] = np.nan
        return 0
    models["q_value"] = bh_qvalues(models["p_value"].to_numpy(dtype=float))
    key = ["analysis", "outcome", "ps_variable", "subgroup"]
    q = models.set_index(key)["q_value"]
    assoc = result.associations
    idx = pd.MultiIndex.from_frame(assoc[key].fillna(""))
    assoc["q_value"] = q.reindex(idx).to_numpy()
    return int(models["p_value"].notna().sum())


def findings(assoc: pd.DataFrame, analyses: tuple[str, ...] = ("primary",)) -> list[str]:
    """One plain-language sentence per result that meets both of the evaluation's conditions
    (the model's p < 0.05, and this level's 95% CI excludes 0), primary models only unless
    ``analyses`` says otherwise."""
    out = []
    sig = assoc[assoc["es"].notna() & assoc["analysis"].isin(analyses)]
    for r in sig.to_dict("records"):
        q = r.get("q_value", math.nan)
        qtext = _("; q {q}").format(q=_p_phrase(q)) if q == q else ""
        out.append(_(
            "{outcome}: when {ps} {change} from one log to the next, {outcome_lc} "
            "{direction} by {mean} on average (95% CI {ci}; p {p}{q}), a {es_label} effect "
            "(ES {es})."
        ).format(
            outcome=label(r["outcome"]), outcome_lc=label(r["outcome"]).split(" (")[0].lower(),
            ps=PS_PHRASES.get(r["ps_variable"], r["ps_variable"]),
            change=CHANGE_PHRASES[r["change"]],
            direction=_("rose") if r["mean"] > 0 else _("fell"),
            mean=fmt_num(abs(r["mean"])), ci=fmt_ci(r["ci_low"], r["ci_high"]),
            p=_p_phrase(r["p_value"]), q=qtext, es_label=cohen_label(r["es"]),
            es=fmt_num(r["es"]),
        ))
    return out


def _p_phrase(p: float) -> str:
    text = fmt_p(p)
    return text if text.startswith("<") else f"= {text}"


# ------------------------------------------------------------------------------- HTML bits


def esc(x: object) -> str:
    return html.escape(str(x))


def table_html(header: list[str], rows: list[list[object]], caption: str,
               cls: str = "", group_header: list[tuple[str, int]] | None = None,
               widths: list[float] | None = None) -> str:
    """A table with a caption and column headers (scope=col); cells are text, escaped.

    ``widths`` (relative) become a colgroup: the PDF lays tables out with fixed widths, which
    is much faster than measuring every cell; without widths the columns share equally."""
    top = ""
    if group_header:
        top = "<tr>" + "".join(
            f'<th scope="colgroup" colspan="{span}">{esc(text)}</th>' if text
            else f'<td colspan="{span}"></td>' for text, span in group_header) + "</tr>"
    head = "".join(f'<th scope="col">{esc(c)}</th>' for c in header)
    body = "".join("<tr>" + "".join(f"<td>{esc(v)}</td>" for v in row) + "</tr>"
                   for row in rows)
    cols = ""
    if widths:
        total = sum(widths)
        cols = "<colgroup>" + "".join(f'<col style="width:{100 * w / total:.1f}%">'
                                      for w in widths) + "</colgroup>"
    # On a narrow screen the table scrolls inside this box, never the page (keyboard: the
    # box takes focus); in print the box is a plain block.
    return (f'<div class="table-scroll" role="region" tabindex="0" aria-label="{esc(caption)}">'
            f'<table class="{cls}"><caption>{esc(caption)}</caption>{cols}<thead>{top}<tr>'
            f"{head}</tr></thead><tbody>{body}</tbody></table></div>")


def figure_html(fig: Figure, number: str = "") -> str:
    text = fig.svg.read_text(encoding="utf-8")
    svg = text[text.find("<svg"):]
    svg = svg.replace("<svg", f'<svg role="img" aria-label="{esc(fig.alt)}"', 1)
    caption = f"{number} {fig.title}".strip()
    return f"<figure>{svg}<figcaption>{esc(caption)}</figcaption></figure>"


def _mean_ci(mean: float, low: float, high: float) -> str:
    if not math.isfinite(mean):
        return _("not estimable")
    ci = fmt_ci(low, high)
    return f"{fmt_num(mean)} ({ci})" if ci else fmt_num(mean)


def _es(es: float) -> str:
    return f"{fmt_num(es)} ({cohen_label(es)})" if es == es else ""


# --------------------------------------------------------------------------- the sections


def opening(result, n_tests: int) -> str:
    flow, prepared = result.flow, result.prepared
    logs = prepared.logs
    regions = sorted(prepared.participants["region"].dropna().unique())
    first, last = logs["completed_on"].min(), logs["completed_on"].max()
    dates = (_("from {first} to {last}").format(first=first.date().isoformat(),
                                                last=last.date().isoformat())
             if len(logs) else _("no logs"))
    who = _(
        "{registered} people registered in {n_regions} regions ({regions}); {with_logs} of "
        "them completed at least one log, and {unregistered} more people completed logs "
        "without registering. The logs were completed {dates}."
    ).format(registered=flow.participants_registered, n_regions=len(regions),
             regions=", ".join(regions), with_logs=flow.registered_with_logs,
             unregistered=flow.participants_unregistered, dates=dates)
    n = max(flow.logs_analysed, 1)
    ticked = logs[[c for c in logs.columns if c.endswith("_ticked")]].any(axis=1).sum()

    def share(k: int, of: int) -> str:
        return f"{k} ({100 * k / max(of, 1):.0f}%)"

    boxes = [
        (_("Logs received"), str(flow.logs_read)),
        (_("Same-day duplicates removed"), str(flow.duplicates_removed)),
        (_("Logs analysed (registered / unregistered)"),
         f"{flow.logs_analysed} ({flow.logs_registered} / {flow.logs_unregistered})"),
        (_("People with a log / with 2 or more logs"),
         f"{flow.participants_with_logs} / {flow.participants_two_plus_logs}"),
        (_("Periods (consecutive pairs of logs)"), str(flow.periods)),
    ]
    notes = [
        _("Of the logs analysed:"),
        _("short version: {x}").format(x=share(int((logs["version"] == "short").sum()), n)),
        _("on paper: {x}").format(x=share(int((logs["mode"] == "paper").sum()), n)),
        _("with a ticked box: {x}").format(x=share(int(ticked), n)),
        _("unregistered: {x}").format(x=share(flow.logs_unregistered, n)),
        _("peer support grid empty: {x}").format(x=share(result.blank_grid_logs, n)),
        _("Of the logs received:"),
        _("duplicates: {x}").format(x=share(flow.duplicates_removed, flow.logs_read)),
    ]
    svg = data_flow_svg(boxes, notes)
    alt = "; ".join(f"{a}: {b}" for a, b in boxes)
    diagram = (f'<figure><svg role="img" aria-label="{esc(alt)}"{svg[4:]}<figcaption>'
               f'{esc(_("Figure 4.1: data flow, from logs received to periods analysed"))}'
               "</figcaption></figure>")
    items = findings(result.associations)
    n_primary = int((result.models["analysis"] == "primary").sum())
    if items:
        summary = "<ul>" + "".join(f"<li>{esc(s)}</li>" for s in items) + "</ul>"
    else:
        summary = "<p>" + esc(_("None of the {n} primary models met both conditions.").format(
            n=n_primary)) + "</p>"
    intro = _(
        "Only the {n} primary models (projects attended, types of peer support given, types "
        "received, for each of the 7 outcomes) feed this summary. A result is listed when the "
        "model's p-value is below 0.05 and the 95% confidence interval of that change "
        "category excludes 0, the evaluation's two conditions.").format(n=n_primary)
    expected = n_tests * 0.05
    caveats = [
        _("Association, not direction. These results show which changes went together within "
          "people over time; they cannot show that peer support caused a change in an "
          "outcome, or the other way round (people who feel better may take up more peer "
          "support). The 2017 evaluation makes the same point."),
        _("Many tests. This report runs {n} tests; even if peer support made no difference at "
          "all, about {e:.0f} of them would be expected to reach p < 0.05 by chance. The "
          "q-values (Benjamini-Hochberg, across all {n} tests) allow for this: a result with "
          "q above 0.05 may well be a chance finding. Subgroup results are exploratory."
          ).format(n=n_tests, e=expected),
    ]
    return (f'<section class="opening"><h2>{esc(_("Who, when and how much"))}</h2>'
            f"<p>{esc(who)}</p>{diagram}"
            f'<h2 id="summary">{esc(_("Summary of findings"))}</h2><p>{esc(intro)}</p>'
            f"{summary}<h3>{esc(_('Two caveats'))}</h3><ol>"
            + "".join(f"<li>{esc(c)}</li>" for c in caveats) + "</ol></section>")


def outcome_section(result, outcome: str, reference: pd.DataFrame | None,
                    figure: Figure | None) -> str:
    assoc = result.associations
    sub = assoc[(assoc["outcome"] == outcome) & assoc["analysis"].isin(["primary", "form"])]
    ours = {(r["ps_variable"], r["change"]): r for r in sub.to_dict("records")}
    ref = None
    if reference is not None:
        ref = {(r["ps_variable"], r["change"]): r
               for r in reference[reference["outcome"] == outcome].to_dict("records")}
    rows = []
    for v in (*OVERALL_PS, *FORM_PS):
        for i, ch in enumerate(CHANGE_LEVELS):
            r = ours.get((v, ch))
            if r is None:
                continue
            first = i == 0
            row = [label(v) if first else "", CHANGE_LABELS[ch], int(r["n"]),
                   _mean_ci(r["mean"], r["ci_low"], r["ci_high"]),
                   fmt_p(r["p_value"]) if first else "",
                   fmt_p(r.get("q_value", math.nan)) if first else "", _es(r["es"])]
            if ref is not None:
                e = ref.get((v, ch))
                if e is not None:
                    row += [int(e["n"]), _mean_ci(e["mean"], e["ci_low"], e["ci_high"])
                            if math.isfinite(e["mean"]) else _("unreadable"),
                            (e["p_text"].replace("<", "< ") if first else ""),
                            _es(e["es"])]
                else:
                    row += ["", "", "", ""]
            rows.append(row)
    header = [_("Peer support"), _("Change"), "n", _("Mean change (95% CI)"), "p", "q",
              _("ES (size)")]
    groups = [("", 2), (_("This programme"), 5)]
    if ref is not None:
        header += ["n ", _("Mean (95% CI) "), "p ", _("ES ")]
        groups.append((_("2017 evaluation, published (A4.5-A4.9)"), 4))
    table = table_html(header, rows, _("{outcome}: change in outcome by change in peer "
                                       "support").format(outcome=label(outcome)),
                       cls="results", group_header=groups,
                       widths=[15, 7, 4, 15, 5, 5, 9] + ([4, 15, 5, 8] if ref is not None
                                                          else []))
    fig = figure_html(figure) if figure else ""
    return f'<section class="wide"><h3>{esc(label(outcome))}</h3>{table}</section>{fig}'


def headline_rows(result) -> dict[tuple[str, str], tuple[str, str]]:
    """(outcome, ps) -> (p, levels meeting both conditions) for the primary models."""
    out = {}
    assoc = result.associations
    models: dict[tuple[str, str], list[dict]] = {}
    for r in assoc[assoc["analysis"] == "primary"].to_dict("records"):
        models.setdefault((r["outcome"], r["ps_variable"]), []).append(r)
    for key, part in models.items():
        met = [f"{CHANGE_LABELS[r['change']]}: {fmt_num(r['mean'])} "
               f"({fmt_ci(r['ci_low'], r['ci_high'])}), ES {fmt_num(r['es'])}"
               for r in part if r["es"] == r["es"]]
        out[key] = (fmt_p(part[0]["p_value"]), "; ".join(met) or "-")
    return out


def sensitivity_section(result) -> str:
    other = result.sensitivity
    blank = result.blank_grid_logs
    text = _(
        "{n} logs ({pct:.1f}% of those analysed) have an entirely empty peer support grid. The "
        "contract counts an empty cell as 0, as the evaluation appears to have done, so such a "
        "log reads as 'no peer support at all' and makes the next period an increase or the "
        "previous one a decrease. An empty grid is more likely an unanswered question."
    ).format(n=blank, pct=100 * blank / max(result.flow.logs_analysed, 1))
    if other is None:
        return (f'<section><h2>{esc(_("Blank peer support grids"))}</h2><p>{esc(text)}</p>'
                "</section>")
    main_name = (_("empty grid = 0 (contract)") if result.options.blank_grid == "zero"
                 else _("empty grid = missing"))
    other_name = (_("empty grid = missing") if result.options.blank_grid == "zero"
                  else _("empty grid = 0 (contract)"))
    a, b = headline_rows(result), headline_rows(other)
    rows = [[label(o), label(v), *a[(o, v)], *b.get((o, v), ("", ""))] for (o, v) in a]
    table = table_html(
        [_("Outcome"), _("Peer support"), "p", _("Levels meeting both conditions"), "p ",
         _("Levels meeting both conditions ")], rows,
        _("Primary models under both readings of an empty grid"), cls="results",
        widths=[14, 14, 5, 28, 5, 28],
        group_header=[("", 2), (_("Main analysis: {name}").format(name=main_name), 2),
                      (_("Sensitivity: {name}").format(name=other_name), 2)])
    return (f'<section class="wide"><h2>{esc(_("Blank peer support grids: sensitivity"))}'
            f"</h2><p>{esc(text)}</p>{table}</section>")


def chapter8_section(result) -> str:
    if not result.chapter8:
        return ""
    intro = _(
        "The evaluation's chapter 8 compares kinds of project. Each subsample below is "
        "analysed on its own (primary models; participants of the subsample and their logs). "
        "These comparisons are exploratory; the subsamples are smaller, so fewer results can "
        "reach p < 0.05 even where the association is the same.")
    parts = [f'<section class="wide"><h2>{esc(_("Chapter 8 comparisons (subsamples)"))}</h2>'
             f"<p>{esc(intro)}</p>"]
    absent = []
    for i, (col, title, _values) in enumerate(CHAPTER8_FIELDS):
        subs = [(lab, res) for c, _v, lab, res in result.chapter8 if c == col]
        present = [(lab, res) for lab, res in subs if res is not None]
        if not present and i >= 3:  # a profile field: listed together below
            absent.append(col)
            continue
        if not present:
            parts.append(f"<h3>{esc(title)}</h3><p>" + esc(_(
                "Not available: the data have no '{col}' column, or no participant with the "
                "value.").format(col=col)) + "</p>")
            continue
        heads = [headline_rows(res) for _lab, res in present]
        keys = list(heads[0])
        rows = [[label(o), label(v)] + [x for h in heads for x in h.get((o, v), ("", ""))]
                for (o, v) in keys]
        header = [_("Outcome"), _("Peer support")]
        groups = [("", 2)]
        for i, (lab, res) in enumerate(present):
            sp = " " * i
            header += [f"p{sp}", _("Levels meeting both conditions") + sp]
            groups.append((_("{label} ({n} people, {p} periods)").format(
                label=lab, n=res.flow.participants_with_logs, p=res.flow.periods), 2))
        widths = [14, 14] + [5, 63 / len(present) - 5] * len(present)
        parts.append(f"<h3>{esc(title)}</h3>" + table_html(
            header, rows, title, cls="results", group_header=groups, widths=widths))
    if absent:
        parts.append("<p>" + esc(_(
            "Project profile comparisons not available (no column, or no participant with a "
            "recorded value): {cols}. The profiles are recorded on the staff console's profile "
            "pages and exported by peerlog export.").format(cols=", ".join(absent))) + "</p>")
    parts.append("</section>")
    return "".join(parts)


def appendix(result, n_tests: int, figures: dict[str, Figure]) -> tuple[str, str]:
    """A4.10, as (report.html's, report.pdf's). The PDF's table lists only the models with
    p < 0.05 and says where the full table is (~190 rows: 7 pages and a share of
    WeasyPrint's layout time)."""
    models = result.models
    if "p_value" not in models:  # no model could be fitted (a tiny sample)
        models = models.assign(p_value=math.nan)
    sg = models[models["analysis"] == "subgroup"]
    intro = _(
        "Exploratory. Each subgroup model adds a participant characteristic and its "
        "interaction with the change in peer support; p is the interaction's Type III test "
        "(does the association differ between groups?). q is the Benjamini-Hochberg q-value "
        "across the family of all {n} tests in this report. With this many tests some p-values "
        "below 0.05 are expected by chance: read q first.").format(n=n_tests)
    if sg.empty:
        page = (f'<section><h2>{esc(_("Appendix: subgroups (exploratory)"))}</h2><p>'
                + esc(_("No subgroup models were run.")) + "</p></section>")
        return page, page
    rows = [[label(r["outcome"]), label(r["ps_variable"]), label(r["subgroup"]),
             int(r["periods"]), fmt_p(r.get("p_value", math.nan)),
             fmt_p(r.get("q_value", math.nan)), r.get("note") or ""]
            for r in sg.to_dict("records")]
    rows = [[*r[:6], _("not fitted") if r[4] == "" else ""] for r in rows]
    low = (sg["p_value"] < 0.05).to_numpy()

    def table(listed: list) -> str:
        return table_html([_("Outcome"), _("Peer support"), _("Subgroup"), _("Periods"),
                           _("p (interaction)"), "q", _("Note")], listed,
                          _("Table A4.10: subgroup models (exploratory)"), cls="compact",
                          widths=[20, 22, 16, 7, 9, 7, 10])

    pdf_intro = intro + " " + _(
        "This PDF lists the {k} subgroup models with p below 0.05; the table of all {n} "
        "is in report.html and models.csv.").format(k=int(low.sum()), n=len(sg))
    detail = []
    assoc = result.associations
    for r in sg[sg["p_value"] < 0.05].to_dict("records"):
        cells = assoc[(assoc["outcome"] == r["outcome"]) & (assoc["ps_variable"]
                      == r["ps_variable"]) & (assoc["subgroup"] == r["subgroup"])]
        crow = [[CHANGE_LABELS[c["change"]], label(c["subgroup_level"]), int(c["n"]),
                 _mean_ci(c["mean"], c["ci_low"], c["ci_high"])]
                for c in cells.to_dict("records")]
        title = _("{outcome} by change in {ps}, by {sg}: p {p}, q {q}").format(
            outcome=label(r["outcome"]), ps=label(r["ps_variable"]).lower(),
            sg=label(r["subgroup"]).lower(), p=_p_phrase(r["p_value"]),
            q=_p_phrase(r["q_value"]))
        detail.append(table_html([_("Change"), _("Group"), "n", _("Mean change (95% CI)")],
                                 crow, title, cls="compact", widths=[15, 20, 8, 30]))
        fig = figures.get(f"fig_subgroup_{r['outcome']}_{r['ps_variable']}_{r['subgroup']}")
        if fig:
            detail.append(figure_html(fig))
    sub_note = _(
        "Table A4.11 (subsamples): the chapter 8 section above analyses subsamples; any other "
        "subsample is a run with --where COL=VALUE, and its report carries its own q-values.")
    head = f'<section><h2 id="appendix">{esc(_("Appendix: subgroups (exploratory)"))}</h2>'
    tail = f'{"".join(detail)}<p>{esc(sub_note)}</p></section>'
    return (f'{head}<p>{esc(intro)}</p><section class="wide">{table(rows)}</section>{tail}',
            f'{head}<p>{esc(pdf_intro)}</p><section class="wide">'
            f'{table([r for r, keep in zip(rows, low, strict=True) if keep])}</section>{tail}')


def descriptives(result, figures: dict[str, Figure]) -> str:
    prepared = result.prepared
    parts = [f'<h2 id="descriptives">{esc(_("Descriptive statistics"))}</h2>']

    def wide(header: list, rows: list, caption: str, labels: int) -> str:
        widths = [16, 11][:labels] + [8] * (len(header) - labels)
        return (f'<section class="wide">{table_html(header, rows, caption, widths=widths)}'
                "</section>")

    parts.append(wide(*tables.a4_1_display(prepared), labels=1))
    for header, rows, caption in tables.a4_2_display(prepared):
        parts.append(wide(header, rows, caption, labels=2))
    if "fig_4_5_age_by_gender" in figures:
        parts.append(figure_html(figures["fig_4_5_age_by_gender"], _("Figure 4.5:")))
    econ = result.economics.baseline if getattr(result, "economics", None) else None
    parts.append(wide(*tables.a4_3_display(prepared, econ), labels=2))
    parts.append(wide(*tables.a4_4_display(prepared), labels=2))
    if "fig_4_6_types_at_entry" in figures:
        parts.append(figure_html(figures["fig_4_6_types_at_entry"], _("Figure 4.6:")))
    months = [f for n, f in figures.items() if n.startswith("fig_month_")]
    if months:
        parts.append(f"<h3>{esc(_('Outcomes and peer support by month (k-th log)'))}</h3><p>"
                     + esc(_(
                         "Month k is each person's k-th log, as in the evaluation's table "
                         "A4.1. Intervals are 95% confidence intervals of the mean that stay "
                         "inside the variable's range (see Methods).")) + "</p>")
        parts += [figure_html(f) for f in months]
    return "<section>" + "".join(parts) + "</section>"


def methods(result) -> str:
    adjust = (_(" and for change in projects attended") if result.options.adjust_projects
              else "")
    text = [
        _("Each period is the time between two consecutive logs of one participant. For every "
          "outcome and peer support variable a linear mixed model (REML, random intercept per "
          "participant) relates the change in the outcome to whether the peer support variable "
          "decreased, stayed the same or increased, adjusting for the outcome at the start of "
          "the period{adjust}. p is the Type III F test of the peer support factor (for "
          "subgroup models: its interaction with the subgroup) with Satterthwaite degrees of "
          "freedom; means are estimated marginal means with 95% confidence intervals.").format(
            adjust=adjust),
        _("A result meets the evaluation's two conditions when p < 0.05 and the 95% CI of "
          "that change category excludes 0. Its effect size (ES) is the mean divided by the "
          "standard deviation of change over the model's periods, labelled with Cohen's "
          "thresholds as the evaluation did: trivial below 0.2, small 0.2-0.5, medium "
          "0.5-0.8, large 0.8 and above."),
        _("q-values: Benjamini-Hochberg adjusted p-values across the family of every model "
          "p-value in this report (primary, grouped forms and subgroups together)."),
        _("Intervals by month (figures 4.7-4.8) stay inside each variable's range: for scores "
          "with both ends fixed (and the number of types, 0-8) the interval is computed on the "
          "logit scale of the score's position in its range, for counts (0 or more) on the "
          "log scale, by the delta method with the t quantile, then transformed back. A tick "
          "in place of a number makes that count missing."),
        _("Duplicates (same person, same completion date) keep the log submitted last. Month "
          "k is a person's k-th log (peerlog.analysis.sequence, used by the staff console "
          "too)."),
    ]
    return (f'<section><h2 id="methods">{esc(_("Methods"))}</h2>'
            + "".join(f"<p>{esc(t)}</p>" for t in text) + "</section>")


def reproducibility(result) -> str:
    from importlib import metadata

    try:
        version = metadata.version("peerlog")
    except metadata.PackageNotFoundError:
        version = "unknown"
    o = result.options
    opts = [
        ("--no-adjust-projects", str(not o.adjust_projects)),
        ("--subgroup", ", ".join(o.subgroups) or "-"),
        ("--where", ", ".join(f"{c}={v}" for c, v in o.where) or "-"),
        ("--no-subgroups", str(not o.include_subgroups)),
        ("--blank-grid", o.blank_grid), ("--chapter8", str(o.chapter8)),
    ]
    econ = o.economics
    if econ is not None:
        opts += [("--inflate-to", str(econ.inflate_to or "-")),
                 ("--informal-care-rate", "-" if econ.informal_care_rate is None
                  else str(econ.informal_care_rate))]
    rows = [[_("PeerLog version"), version]] + [[k, v] for k, v in opts]
    rows += [[_("Input {name}").format(name=name), f"{path} (SHA-256 {digest})"]
             for name, (path, digest) in result.inputs.items()]
    return (f'<section><h2 id="reproducibility">{esc(_("Reproducibility"))}</h2>'
            + table_html([_("Item"), _("Value")], rows, _("Version, options and inputs"),
                         cls="compact repro", widths=[20, 80])
            + f"<p>{esc(R_PARITY)}</p></section>")


CSS = """
@page { size: A4; margin: 15mm 13mm 16mm;
  @bottom-center { content: counter(page) " / " counter(pages); font-size: 8pt; } }
@page wide { size: A4 landscape; margin: 13mm 12mm 15mm; }
.wide { page: wide; }
body { font-family: "DejaVu Sans", sans-serif; max-width: 72rem; margin: 1.5rem auto;
       line-height: 1.45; color: #1a1a1a; padding: 0 1rem; font-size: 10.5pt; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 1.6rem; }
h3 { font-size: 1.05rem; }
table { border-collapse: collapse; margin: 0.8rem 0; font-size: 8pt; line-height: 1.2; }
th, td { border: 1px solid #888; padding: 0.15rem 0.35rem; text-align: left;
         vertical-align: top; }
th[scope=colgroup] { text-align: center; background: #eef4fa; }
caption { font-weight: bold; text-align: left; margin-bottom: 0.3rem; font-size: 9pt; }
figure { margin: 1rem 0; break-inside: avoid; }
figure svg { max-width: 100%; height: auto; }
figcaption { font-size: 9pt; font-weight: bold; }
table.repro td { word-break: break-all; }
@media screen { .table-scroll { overflow-x: auto; } }
@media print { body { margin: 0; max-width: none; padding: 0; } h2 { break-after: avoid; }
  tr { break-inside: avoid; } table { table-layout: fixed; width: 100%; }
  td, th { overflow-wrap: break-word; } th { hyphens: auto; }
  #appendices { break-before: page; } }
#appendices { bookmark-level: 1; }
"""


def extra_section(title: str, fragment: str, files: list) -> str:
    """Another part's section: its HTML as given (it escapes its own text), then its SVG
    figures inlined so they reach the PDF too (the file's <title> is the caption)."""
    figs = []
    for path in files or []:
        path = Path(path)
        if path.suffix.lower() == ".svg" and path.exists():
            text = path.read_text(encoding="utf-8")
            start, end = text.find("<title>"), text.find("</title>")
            caption = html.unescape(text[start + 7:end]) if 0 <= start < end else path.stem
            figs.append(figure_html(Figure(path.stem, caption, caption, path)))
    return f"<section><h2>{esc(title)}</h2>{fragment}{''.join(figs)}</section>"


def build_html(result, figures: list[Figure], lang: str = "en") -> str:
    """The report as one HTML string."""
    return build_pages(result, figures, lang)[0]


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string: anything but letters, digits and spaces is written as
    a hex escape, so a translation cannot end the string, the rule or the <style> element."""
    return '"' + "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} "
                         for c in text) + '"'


def appendices_css() -> str:
    """The second part's page numbers, "A3 / A25": its own counter, with a prefix."""
    # Translators: the prefix of the appendices' page numbers in report.pdf ("A3 / A25").
    prefix = css_string(_("A"))
    return ("@page { @bottom-center { content: " + prefix + ' counter(page) " / " ' + prefix
            + " counter(pages); font-size: 8pt; } }")


def build_pages(result, figures: list[Figure], lang: str = "en") -> tuple[str, tuple[str, str]]:
    """(report.html, the two parts report.pdf is made from): the same report, except that
    the PDF's table A4.10 lists only subgroup models with p < 0.05 (see :func:`appendix`).
    The PDF's parts are the report up to the other parts' sections, and the appendices
    (descriptives, A4.10, methods, reproducibility) with their own page numbers: two
    documents of about the same size, laid out side by side (pipeline._write_pdfs)."""
    n_tests = add_qvalues(result)
    figs = {f.name: f for f in figures}
    from .evaluation_2017 import load

    reference = load()
    title = _("PeerLog analysis report")
    results = [f'<h2 id="results">{esc(_("Results by outcome"))}</h2><p>' + esc(_(
        "As the evaluation's tables A4.5-A4.9: for each peer support variable, the estimated "
        "mean change in the outcome over periods when it decreased, stayed the same or "
        "increased. p and q are for the whole model (printed on its first row); ES is given "
        "where both conditions are met. The 2017 evaluation's published figures for the same "
        "outcome and variable stand beside ours: they come from another programme, in "
        "2015-2016, and show whether this programme's data tell the same story.")) + "</p>"]
    for o in OUTCOMES:
        results.append(outcome_section(result, o, reference, figs.get(f"fig_forest_{o}")))
    extra = "".join(extra_section(t, frag, files) for t, frag, files in result.extra_sections)
    report = "".join([opening(result, n_tests), "".join(results),
                      sensitivity_section(result), chapter8_section(result), extra])
    appendices = (f'<h2 id="appendices">{esc(_("Appendices"))}</h2><p>' + esc(_(
        "Descriptive statistics, the exploratory subgroup models, methods and "
        "reproducibility.")) + "</p>" + descriptives(result, figs))
    after = methods(result) + reproducibility(result)

    def head(css: str) -> str:
        return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{esc(title)}</title>
<style>{css}</style></head><body><main>
"""

    tail = after + "\n</main></body></html>"
    full, short = appendix(result, n_tests, figs)
    top = f"<h1>{esc(title)}</h1>{report}"
    html_page = head(CSS) + top + appendices + full + tail
    parts = (head(CSS) + top + "\n</main></body></html>",
             head(CSS + appendices_css()) + appendices + short + tail)
    return html_page, parts


def write_pdf(page: str, path: Path, base: Path) -> Path:
    from weasyprint import HTML

    HTML(string=page, base_url=str(base)).write_pdf(path)
    return path


def render_pdf(page: str, base: Path) -> bytes:
    """One part of report.pdf, as bytes (from a forked process, for :func:`join_pdfs`)."""
    from weasyprint import HTML

    return HTML(string=page, base_url=str(base)).write_pdf()


def write_parts_pdf(parts: tuple[str, ...], path: Path, base: Path) -> Path:
    """report.pdf from its parts in this process: each part laid out on its own (so it keeps
    its page numbers), the pages joined with WeasyPrint's documents API."""
    from weasyprint import HTML

    docs = [HTML(string=page, base_url=str(base)).render() for page in parts]
    docs[0].copy([page for doc in docs for page in doc.pages]).write_pdf(path)
    return path


def join_pdfs(parts: list[bytes], path: Path) -> Path:
    """report.pdf from parts rendered elsewhere, in order, with the outline (bookmarks) of
    each; the first part's metadata. Objects the parts share are written once: pypdf writes
    no object streams, and this keeps the file near the parts' total size (seed scale: 674
    instead of 786 KB, parts 610 KB) for no extra time (~0.22 s of CPU either way)."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=io.BytesIO(parts[0]))
    for part in parts[1:]:
        writer.append(io.BytesIO(part))
    writer.compress_identical_objects()
    with open(path, "wb") as f:
        writer.write(f)
    return path


def write_report(result, out: Path, figures: list[Figure], pdf: bool = True) -> list[Path]:
    """Write report.html and, unless ``pdf`` is False, report.pdf."""
    out = Path(out)
    page, pdf_parts = build_pages(result, figures)
    path = out / "report.html"
    path.write_text(page, encoding="utf-8")
    written = [path]
    if pdf:
        written.append(write_parts_pdf(pdf_parts, out / "report.pdf", out))
    return written


def significant_subgroups(result) -> list[tuple[str, str, str]]:
    m = result.models
    if "p_value" not in m:
        return []
    sig = m[(m["analysis"] == "subgroup") & (m["p_value"] < 0.05)]
    return list(zip(sig["outcome"], sig["ps_variable"], sig["subgroup"], strict=True))
