"""summary.html and summary.pdf: two pages for the people who fund peer support.

Reach (registrations, logs, retention by region), the headline associations in plain words,
and the caveats; aggregates only, never a row of data, and every count below 5 people is
suppressed (with a second cell in the same column when one suppressed cell could be worked
out from the total), as the staff console does for commissioners.
"""

from __future__ import annotations

from gettext import gettext as _
from pathlib import Path

import pandas as pd

from .contract import OUTCOME_RANGES
from .labels import cohen_label, fmt_ci, fmt_num, label
from .report import PS_PHRASES, esc, table_html

SUPPRESS_BELOW = 5
SUPPRESSED = "<5"


def reach_table(result) -> tuple[list[str], list[list[str]]]:
    """Per region: registered, with 1+ logs, with 2+ logs (retention), logs; small counts
    suppressed."""
    prepared = result.prepared
    p = prepared.participants.assign(region=prepared.participants["region"].fillna("-"))
    logs = prepared.logs[prepared.logs["registered"]]
    per_person = logs.groupby("personal_id").size()
    p = p.assign(n_logs=p["personal_id"].map(per_person).fillna(0).astype(int))
    log_region = logs["personal_id"].map(p.set_index("personal_id")["region"])
    counts = []
    for region in sorted(p["region"].unique()):
        sub = p[p["region"] == region]
        counts.append([region, len(sub), int((sub["n_logs"] >= 1).sum()),
                       int((sub["n_logs"] >= 2).sum()), int((log_region == region).sum())])
    frame = pd.DataFrame(counts, columns=["region", "registered", "one", "two", "logs"])
    hidden = frame[["registered", "one", "two", "logs"]].lt(SUPPRESS_BELOW) & frame[
        ["registered", "one", "two", "logs"]].gt(0)
    for col in hidden.columns:  # one hidden cell could be worked out from the total
        if hidden[col].sum() == 1 and len(frame) > 1:
            others = frame.loc[~hidden[col], col]
            hidden.loc[others.idxmin(), col] = True
    rows = []
    for i, r in frame.iterrows():
        def cell(col, r=r, i=i):
            return SUPPRESSED if hidden.loc[i, col] else str(r[col])
        retention = (SUPPRESSED if hidden.loc[i, "two"] or hidden.loc[i, "registered"]
                     else f"{100 * r['two'] / r['registered']:.0f}%" if r["registered"] else "")
        rows.append([r["region"], cell("registered"), cell("one"), cell("two"), retention,
                     cell("logs")])
    total = frame[["registered", "one", "two", "logs"]].sum()
    rows.append([_("All regions"), str(total["registered"]), str(total["one"]),
                 str(total["two"]),
                 f"{100 * total['two'] / total['registered']:.0f}%" if total["registered"]
                 else "", str(total["logs"])])
    header = [_("Region"), _("Registered"), _("With a log"), _("With 2 or more logs"),
              _("Retention (2+ logs)"), _("Logs")]
    return header, rows


def plain_findings(result) -> list[str]:
    """The primary models' results that meet both conditions, in plain words."""
    assoc = result.associations
    sig = assoc[(assoc["analysis"] == "primary") & assoc["es"].notna()]
    out = []
    for r in sig.to_dict("records"):
        low, high = OUTCOME_RANGES[r["outcome"]]
        out.append(_(
            "When {ps} {change}, {outcome} {direction} by {mean} points on a {low:g}-{high:g} "
            "scale on average (likely between {ci}): a {size} effect."
        ).format(ps=PS_PHRASES[r["ps_variable"]].replace("they", "people"),
                 change={"increased": _("went up"), "decreased": _("went down"),
                         "same": _("stayed the same")}[r["change"]],
                 outcome=label(r["outcome"]).split(" (")[0].lower(),
                 direction=_("rose") if r["mean"] > 0 else _("fell"),
                 mean=fmt_num(abs(r["mean"])), low=low, high=high,
                 ci=fmt_ci(r["ci_low"], r["ci_high"]), size=cohen_label(r["es"])))
    return out


# (measure, how many people, in plain words): "used" = a number above 0 or a tick.
SERVICE_LINES = (
    ("inpatient_mental_health_admissions",
     _("{k} of them stayed in hospital for their mental health at least once.")),
    ("visits_ae_mental_health",
     _("{k} went to A&E for their mental health at least once.")),
    ("service_crisis_team_contacts", _("{k} were in touch with a crisis team.")),
    ("service_cmht_contacts", _("{k} were in touch with a community mental health team.")),
    ("service_gp_contacts", _("{k} saw their GP.")),
)


def _people(k: int, n: int) -> str:
    """A count of people out of n, withheld when it, or the rest, is 1 to 4 people."""
    if 0 < k < SUPPRESS_BELOW:
        return _("Fewer than {n}").format(n=SUPPRESS_BELOW)
    if 0 < n - k < SUPPRESS_BELOW:
        return _("All but fewer than {n}").format(n=SUPPRESS_BELOW)
    return _("{k} ({pct:.0f}%)").format(k=k, pct=100 * k / n)


def service_use_lines(result) -> list[str]:
    """Service use and cost in plain words, aggregates of registered people only; nothing
    about fewer than 5 people. Empty without the economics."""
    import numpy as np

    econ = getattr(result, "economics", None)
    if econ is None:
        return []
    use = econ.service_use
    registered = set(result.prepared.participants["personal_id"])
    pid = use.logs["personal_id"].to_numpy()
    keep = np.fromiter((p in registered for p in pid), bool, len(pid))
    people = set(pid[keep])
    n = len(people)
    if n < SUPPRESS_BELOW:
        return [_("Fewer than {n} people answered the service use questions, so no figures "
                  "are shown.").format(n=SUPPRESS_BELOW)]
    lines = [_("{n} people answered the service use questions in their quarterly logs "
               "(about the three months before each log). Over that time:").format(n=n)]
    for item, text in SERVICE_LINES:
        if item not in use.values:
            continue
        used = keep & ((np.nan_to_num(use.values[item]) > 0) | (use.status[item] == 3))
        k = len(set(pid[used]))
        lines.append(text.format(k=_people(k, n)))
    s = econ.summary
    total = s[(s["grouping"] == "overall") & (s["measure"] == "total_hsc")]
    if len(total) and total["n_people"].iloc[0] >= SUPPRESS_BELOW and np.isfinite(
            total["mean"].iloc[0]):
        row = total.iloc[0]
        line = _("Health and social care services cost {currency} {mean:,.0f} per person per "
                 "quarter on average (likely between {low:,.0f} and {high:,.0f}), from the "
                 "quarters of {n} people in which every amount was known.").format(
            currency=econ.costs.currency, mean=row["mean"], low=row["ci_low"],
            high=row["ci_high"], n=int(row["n_people"]))
        if econ.costs.illustrative:
            from .economics.costs import ILLUSTRATIVE

            line += " " + _("These costs use example unit costs: {note}.").format(
                note=ILLUSTRATIVE)
        lines.append(line)
    return lines


CSS = """
@page { size: A4; margin: 16mm 15mm;
  @bottom-center { content: counter(page) " / " counter(pages); font-size: 8pt; } }
body { font-family: "DejaVu Sans", sans-serif; max-width: 48rem; margin: 1.5rem auto;
       line-height: 1.45; color: #1a1a1a; padding: 0 1rem; font-size: 10pt; }
h1 { font-size: 1.45rem; margin-bottom: 0.2rem; } h2 { font-size: 1.1rem; }
table { border-collapse: collapse; margin: 0.6rem 0; font-size: 8.5pt; }
th, td { border: 1px solid #888; padding: 0.15rem 0.4rem; text-align: left; }
caption { font-weight: bold; text-align: left; margin-bottom: 0.3rem; }
.page2 { break-before: page; }
@media screen { .table-scroll { overflow-x: auto; } }
@media print { body { margin: 0; max-width: none; padding: 0; } }
"""


def build_html(result, lang: str = "en") -> str:
    flow, logs = result.flow, result.prepared.logs
    first = logs["completed_on"].min()
    last = logs["completed_on"].max()
    when = (_("Logs completed from {a} to {b}.").format(a=first.date().isoformat(),
                                                       b=last.date().isoformat())
            if len(logs) else "")
    header, rows = reach_table(result)
    reach = table_html(header, rows, _("Reach and retention by region"))
    _all, reg, one, two, _ret, n_logs = rows[-1]
    key = _(
        "{reg} people registered; {one} of them completed at least one log and {two} "
        "({pct:.0f}% of those with a log) came back for a second, so that change over time "
        "can be measured. They completed {logs} logs; {unreg} more logs came from people who "
        "had not registered.").format(
        reg=reg, one=one, two=two, pct=100 * int(two) / max(int(one), 1), logs=n_logs,
        unreg=flow.logs_unregistered)
    items = plain_findings(result)
    found = ("<ul>" + "".join(f"<li>{esc(s)}</li>" for s in items) + "</ul>" if items else
             "<p>" + esc(_("No clear association was found in the primary analysis.")) + "</p>")
    caveats = [
        _("These are associations, not proof of cause: people who feel better may also take "
          "up more peer support."),
        _("Many comparisons were made; a few clear-looking results are expected by chance. "
          "The full report gives every result with its adjusted q-value."),
        _("Regions with fewer than {n} people in a cell show '<{n}' so that no one can be "
          "identified.").format(n=SUPPRESS_BELOW),
    ]
    lines = service_use_lines(result)
    service = ("<p>" + esc(lines[0]) + "</p><ul>" + "".join(
        f"<li>{esc(t)}</li>" for t in lines[1:]) + "</ul>" if len(lines) > 1 else
        "<p>" + esc(lines[0] if lines else _(
            "Service use and costs are reported when the analysis is run with unit costs "
            "(the economics section); see the full report.")) + "</p>")
    title = _("Peer support: what the logs show")
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{esc(title)}</title>
<style>{CSS}</style></head><body><main>
<h1>{esc(title)}</h1><p>{esc(_("Summary for commissioners."))} {esc(when)}</p>
<h2>{esc(_("Reach"))}</h2><p>{esc(key)}</p>{reach}
<section class="page2"><h2>{esc(_("What changed alongside peer support"))}</h2>
<p>{esc(_("From the primary analysis (a mixed model of change between consecutive logs, "
           "as in the 2017 evaluation). Effects below 0.2 standard deviations are "
           "'trivial', 0.2-0.5 'small'."))}</p>{found}
<h2>{esc(_("Service use"))}</h2>{service}
<h2>{esc(_("Read with care"))}</h2><ul>{"".join(f"<li>{esc(c)}</li>" for c in caveats)}</ul>
</section></main></body></html>"""


def write_summary(result, out: Path, pdf: bool = True) -> list[Path]:
    out = Path(out)
    page = build_html(result)
    path = out / "summary.html"
    path.write_text(page, encoding="utf-8")
    written = [path]
    if pdf:
        from .report import write_pdf

        written.append(write_pdf(page, out / "summary.pdf", out))
    return written
