"""Descriptive tables, figures and the report (HTML and PDF) on the small fixture."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from peerlog.analysis import tables
from peerlog.analysis.contract import read_contract
from peerlog.analysis.pipeline import Options, analyse, write_outputs
from peerlog.analysis.report import cohen_label, findings

from .conftest import DATA


@pytest.fixture(scope="module")
def small():
    data = read_contract(DATA / "small")
    return analyse(data.logs, data.participants, Options(adjust_projects=False,
                                                         subgroups=("funder",)))


def test_logs_by_month_counts_every_log(small):
    t = tables.logs_by_month(small.prepared)
    months = [c for c in t.columns if c not in ("region", "kind")]
    total = t[t["region"] == tables.TOTAL][months].to_numpy().sum()
    assert total == small.flow.logs_analysed
    first = t[t["region"] == tables.TOTAL]["1"].sum()
    assert first == small.flow.participants_with_logs  # every first log is month 1


def test_baseline_tables_match_first_logs(small):
    logs = small.prepared.logs
    first = logs[logs["log_number"] == 1]
    t = tables.baseline_outcomes(small.prepared).set_index(["region", "outcome"])
    assert t.loc[(tables.TOTAL, "hope"), "mean"] == pytest.approx(first["hope"].mean())
    assert t.loc[(tables.TOTAL, "hope"), "n"] == first["hope"].notna().sum()
    ps = tables.baseline_peer_support(small.prepared).set_index(
        ["region", "type", "direction"])
    used = ((first["ps_informal_given"] > 0) | first["ps_informal_given_ticked"]).sum()
    assert ps.loc[(tables.TOTAL, "informal", "given"), "n"] == used
    reg = tables.participants_by_region(small.prepared)
    g = reg[(reg["variable"] == "gender") & (reg["region"] == tables.TOTAL)]
    assert g["n"].sum() == 45


def test_cohen_labels_and_findings(small):
    assert [cohen_label(x) for x in (0.1, -0.3, 0.6, 0.9)] == [
        "trivial", "small", "medium", "large"]  # doc line 1353: below 0.2 is trivial
    assoc = small.associations
    sig = assoc[assoc["es"].notna()]
    assert (sig["p_value"] < 0.05).all()
    assert ((sig["ci_low"] > 0) | (sig["ci_high"] < 0)).all()
    sentences = findings(assoc)  # primary models only
    primary = sig[sig["analysis"] == "primary"]
    assert len(sentences) == len(primary)
    if len(primary):
        first = primary.iloc[0]
        assert f"by {abs(first['mean']):.2f} on average" in sentences[0]
        assert ("rose" if first["mean"] > 0 else "fell") in sentences[0]
    assert not any("among participants" in s for s in sentences)
    assert len(findings(assoc, ("primary", "form", "subgroup"))) == len(sig)


def test_report_html_pdf_and_figures(small, tmp_path, chromium, axe):
    paths = write_outputs(small, tmp_path)
    names = {p.name for p in paths}
    assert {"associations.csv", "report.html", "report.pdf", "summary.html", "summary.pdf",
            "data_flow.csv"} <= names
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "<h1>" in page
    assert "Summary of findings</h2>" in page and "Two caveats" in page
    assert page.count("<svg") >= 30 and 'role="img"' in page
    for raw in ("types_given", "contact_family", "p = 0.000", "e-0"):
        assert raw not in page.split("<main>")[1].split("Reproducibility")[0], raw
    assert (tmp_path / "report.pdf").read_bytes()[:5] == b"%PDF-"
    for name in ("report.html", "summary.html"):
        browser_page = chromium.new_page()
        browser_page.goto((tmp_path / name).as_uri())
        assert axe(browser_page) == []  # the report is for everyone: WCAG 2.2 AA
        browser_page.close()
    svg = (tmp_path / "figures" / "fig_forest_wellbeing.svg").read_text()
    assert "Wellbeing (SWEMWBS)" in svg and "2017 evaluation (published)" in svg
    assert (tmp_path / "figures" / "fig_month_hope.svg").stat().st_size > 1000
    flow = pd.read_csv(tmp_path / "data_flow.csv").set_index("item")["count"]
    assert flow["duplicates_removed"] == small.flow.duplicates_removed > 0
    periods = pd.read_csv(tmp_path / "periods.csv")
    assert len(periods) == small.flow.periods
    assert set(periods["types_given_change"].dropna()) <= {"decreased", "same", "increased"}
    assert np.isfinite(periods["wellbeing_change"]).sum() == flow["periods_wellbeing"]
