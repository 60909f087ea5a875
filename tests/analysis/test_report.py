"""The report's numbers and pages: q-values, bounded intervals, the k-th log, blank grids,
chapter 8, the 2017 evaluation's published figures, the commissioner summary, page fit."""

from __future__ import annotations

import math
import re
import subprocess
from html import escape as html_escape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from peerlog.analysis import evaluation_2017, summary
from peerlog.analysis.contract import read_contract, validate_logs
from peerlog.analysis.labels import fmt_p
from peerlog.analysis.pipeline import Options, analyse, write_outputs
from peerlog.analysis.sequence import log_sequence
from peerlog.analysis.stats import bh_qvalues, bounded_mean_ci

from .conftest import DATA

# ----------------------------------------------------------------------------- q-values


def test_bh_qvalues_match_a_hand_computed_example():
    # m = 5 finite p-values, sorted 0.005 0.01 0.03 0.04 0.5 -> p*m/rank = 0.025 0.025 0.05
    # 0.05 0.5; running minimum from the largest rank down leaves them as they are.
    q = bh_qvalues([0.01, 0.04, 0.03, 0.005, math.nan, 0.5])
    assert q[:4] == pytest.approx([0.025, 0.05, 0.05, 0.025])
    assert math.isnan(q[4]) and q[5] == pytest.approx(0.5)
    # step-up: 0.02*3/1 = 0.06 is lowered to the next rank's 0.021*3/2 = 0.0315
    assert bh_qvalues([0.02, 0.021, 0.9]) == pytest.approx([0.0315, 0.0315, 0.9])
    assert bh_qvalues([0.9, 0.95]) == pytest.approx([0.95, 0.95])


def test_bh_qvalues_agree_with_scipy():
    from scipy.stats import false_discovery_control

    p = np.random.default_rng(7).uniform(0, 0.2, 200) ** 2
    assert bh_qvalues(p) == pytest.approx(false_discovery_control(p, method="bh"))


def test_p_values_print_as_the_evaluation_did():
    assert [fmt_p(x) for x in (0.0000001, 0.0004, 0.001, 0.0496, 0.5)] == [
        "< 0.001", "< 0.001", "0.001", "0.050", "0.500"]


# ------------------------------------------------------------------------ bounded means


def test_intervals_never_leave_the_range():
    mean, low, high, n = bounded_mean_ci(np.array([0, 0, 0, 0, 1, 0]), 0, math.inf)
    assert n == 6 and mean == pytest.approx(1 / 6) and 0 < low < mean < high
    mean, low, high, _n = bounded_mean_ci(np.array([35, 35, 34, 35, 33]), 7, 35)
    assert low < mean < high < 35
    mean, low, high, _n = bounded_mean_ci(np.array([0, 1, 0, 0, 8, 0, 0]), 0, 8)
    assert low > 0 and high < 8
    # far from the ends the interval is close to the usual t interval
    v = np.random.default_rng(1).normal(21, 4, 400).clip(7, 35)
    mean, low, high, _n = bounded_mean_ci(v, 7, 35)
    half = 1.966 * v.std(ddof=1) / 20
    assert low == pytest.approx(mean - half, abs=0.02)
    assert high == pytest.approx(mean + half, abs=0.02)


# ----------------------------------------------------------------------------- k-th log


def test_log_sequence_counts_each_persons_kth_log():
    person = ["a", "b", "a", "a", "b", "a"]
    day = ["2016-01-05", "2016-01-01", "2016-01-20", "2016-01-05", "2016-03-01", "2016-01-07"]
    sub = ["2016-01-05T10", None, "2016-01-20T10", "2016-01-06T09", "2016-03-01T10", None]
    # a: 5 Jan twice (the one submitted later, row 3, is kept), 7 Jan, 20 Jan; b: two logs
    assert log_sequence(person, day, sub) == [None, 1, 3, 1, 2, 2]
    # no submission time sorts first; a tie keeps the later row
    assert log_sequence(["x", "x"], ["d", "d"], [None, "t"]) == [None, 1]
    assert log_sequence(["x", "x"], ["d", "d"], ["t", "t"]) == [None, 1]
    assert log_sequence(["x", "x"], ["d", "d"]) == [None, 1]


def test_analysis_numbers_logs_with_log_sequence(analysed):
    res = analysed("small")
    logs = res.prepared.logs
    again = log_sequence(logs["personal_id"].tolist(), logs["completed_on"].tolist(),
                         logs["submitted_at"].tolist())
    assert again == logs["log_number"].tolist()
    assert (logs["log_number"] == 1).sum() == res.flow.participants_with_logs


# ---------------------------------------------------------------------------- blank grids


def _raw(name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    logs = pd.read_csv(DATA / name / "logs.csv", dtype=str, keep_default_na=False)
    parts = pd.read_csv(DATA / name / "participants.csv", dtype=str, keep_default_na=False)
    return logs, parts


def test_blank_grids_are_counted_and_can_be_missing():
    logs, parts = _raw("cohort")
    ps = [c for c in logs.columns if c.startswith("ps_")]
    blank_ids = logs["log_id"].iloc[10:40:3].tolist()
    logs.loc[logs["log_id"].isin(blank_ids), ps] = ""
    assert validate_logs(logs)["ps_grid_blank"].sum() == len(blank_ids)
    main = analyse(logs, parts, Options(include_subgroups=False, figures=False, pdf=False))
    clean = main.prepared.logs.set_index("log_id")
    blank_ids = clean.index.intersection(blank_ids)  # one of them was a removed duplicate
    assert main.blank_grid_logs == len(blank_ids) >= 9
    assert (clean.loc[blank_ids, "types_given"] == 0).all()  # the contract: empty = 0
    other = main.sensitivity
    assert other is not None and other.options.blank_grid == "missing"
    assert set(other.associations["analysis"]) == {"primary"}
    miss = other.prepared.logs.set_index("log_id")
    assert miss.loc[blank_ids, "types_given"].isna().all()
    assert miss.loc[blank_ids, "projects"].notna().any()  # projects attended stays
    n_main = main.models.set_index(["analysis", "outcome", "ps_variable"])["periods"]
    n_miss = other.models.set_index(["analysis", "outcome", "ps_variable"])["periods"]
    key = ("primary", "wellbeing", "types_given")
    assert n_miss[key] < n_main[key]
    assert n_miss[("primary", "wellbeing", "projects")] == n_main[
        ("primary", "wellbeing", "projects")]
    flipped = analyse(logs, parts, Options(include_subgroups=False, blank_grid="missing",
                                           figures=False, pdf=False))
    assert flipped.sensitivity.options.blank_grid == "zero"
    got = flipped.associations.query("analysis == 'primary'").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, other.associations.reset_index(drop=True))


# ------------------------------------------------------------------------------ chapter 8


def test_chapter8_runs_each_subsample(tmp_path):
    data = read_contract(DATA / "cohort")
    parts = data.participants.copy()
    parts["diagnosis_specific"] = np.where(parts.index % 3 == 0, "yes", "no")
    parts["project_funding"] = np.where(parts.index % 2 == 0, "strategic_partner",
                                        "grant_funded")
    res = analyse(data.logs, parts, Options(include_subgroups=False, chapter8=True,
                                            figures=False, pdf=False))
    labels = [c[2] for c in res.chapter8]
    assert labels[:5] == ["Diagnosis-specific projects",
                          "Other projects (not diagnosis-specific)", "Strategic partners",
                          "Grant-funded projects", "Leeds alone"]
    assert all(c[3] is None for c in res.chapter8[5:])  # no profile columns in these data
    leeds = res.chapter8[4][3]
    assert leeds.flow.participants_registered == (parts["region"] == "Leeds").sum()
    assert leeds.flow.logs_unregistered == 0
    yes = res.chapter8[0][3]
    assert yes.flow.participants_registered == (parts["diagnosis_specific"] == "yes").sum()
    write_outputs(res, tmp_path)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Chapter 8 comparisons (subsamples)" in page and "Leeds alone" in page
    assert "Strategic partners vs grant-funded projects" in page


def test_chapter8_says_what_is_missing():
    data = read_contract(DATA / "small")
    res = analyse(data.logs, data.participants, Options(include_subgroups=False, chapter8=True,
                                                        figures=False, pdf=False))
    assert [c[3] is None for c in res.chapter8][:5] == [True, True, True, True, False]
    assert all(c[3] is None for c in res.chapter8[5:])


def test_chapter8_compares_each_project_profile_field(tmp_path):
    """One comparison per profile field; a subsample is exactly the participants with that
    value (and their logs); a field nobody has is listed as not available."""
    from peerlog.analysis.labels import CHAPTER8_FIELDS

    data = read_contract(DATA / "cohort")
    parts = data.participants.copy()
    parts["facilitation"] = np.select([parts.index % 3 == 0, parts.index % 3 == 1],
                                      ["none", "volunteer"], "paid")
    parts["focus_social"] = np.where(parts.index % 2 == 0, "1", "0")
    parts["peer_led"] = None  # recorded for nobody
    res = analyse(data.logs, parts, Options(include_subgroups=False, chapter8=True,
                                            figures=False, pdf=False))
    got = {(c, v): r for c, v, _label, r in res.chapter8}
    assert {c for c, _t, _v in CHAPTER8_FIELDS} == {c for c, _v in got}
    for value in ("none", "volunteer", "paid"):
        sub = got[("facilitation", value)]
        want = set(parts.loc[parts["facilitation"] == value, "personal_id"])
        assert set(sub.prepared.participants["personal_id"]) == want
        assert set(sub.prepared.logs["personal_id"]) <= want
        assert sub.flow.logs_unregistered == 0
        assert set(sub.associations["analysis"]) == {"primary"}
    assert got[("focus_social", "1")].flow.participants_registered == (
        parts["focus_social"] == "1").sum()
    assert got[("peer_led", "yes")] is None and got[("peer_led", "no")] is None
    write_outputs(res, tmp_path)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<h3>Facilitation</h3>" in page and "Paid facilitator (" in page
    assert "<h3>Social focus</h3>" in page
    assert "Project profile comparisons not available" in page and "peer_led" in page
    ch8 = pd.read_csv(tmp_path / "chapter8_associations.csv")
    assert {"facilitation=none", "facilitation=paid", "focus_social=0"} <= set(ch8["subsample"])
    # In two forked processes: the same subsamples, the same numbers.
    forked = analyse(data.logs, parts, Options(include_subgroups=False, chapter8=True,
                                               figures=False, pdf=False, workers=2))
    for (col, value, _l, one), (col2, value2, _l2, two) in zip(res.chapter8, forked.chapter8,
                                                               strict=True):
        assert (col, value) == (col2, value2) and (one is None) == (two is None)
        if one is not None:
            pd.testing.assert_frame_equal(one.associations, two.associations)


# ------------------------------------------------------- the 2017 evaluation's figures


def test_published_2017_figures_are_the_documents():
    ref = evaluation_2017.load()
    assert len(ref) == 3 * 21 + 4 * 2 * 21
    row = ref.query("outcome == 'wellbeing' and ps_variable == 'types_given' "
                    "and change == 'increased'").iloc[0]
    assert (row["table"], row["n"], row["mean"], row["ci_low"], row["ci_high"], row["es"],
            row["p_value"]) == ("A4.5", 339, 0.84, 0.28, 1.40, 0.20, 0.005)
    hope = ref.query("outcome == 'hope' and ps_variable == 'types_given'")
    assert set(hope["p_text"]) == {"<0.001"}
    online = ref.query("outcome == 'self_efficacy' and ps_variable == 'online_received' "
                       "and change == 'increased'").iloc[0]
    assert (online["mean"], online["ci_low"], online["ci_high"], online["es"]) == (
        -3.12, -5.81, -0.43, -0.25)


# ------------------------------------------------------------------ commissioner summary


def test_summary_suppresses_small_cells_and_shows_no_rows(analysed):
    res = analysed("small")
    header, rows = summary.reach_table(res)
    assert header[0] == "Region" and rows[-1][0] == "All regions"
    body = rows[:-1]
    # every shown count is 5 or more, and no column has exactly one hidden cell
    for col in range(1, 6):
        cells = [r[col] for r in body]
        hidden = cells.count("<5")
        assert hidden != 1 or len(body) == 1
        for c in cells:
            if c not in ("<5", "") and not c.endswith("%"):
                assert int(c) >= 5 or int(c) == 0
    page = summary.build_html(res)
    assert not re.search(r"P00\d\d", page)  # no personal IDs, no row-level data


def test_summary_hides_one_small_region():
    data = read_contract(DATA / "cohort")
    parts = data.participants.copy()
    parts.loc[parts.index[:3], "region"] = "Tiny"
    res = analyse(data.logs, parts, Options(include_subgroups=False, figures=False, pdf=False))
    _header, rows = summary.reach_table(res)
    tiny = next(r for r in rows if r[0] == "Tiny")
    assert tiny[1:5] == ["<5", "<5", "<5", "<5"]
    # the registered column had one hidden cell; a second one hides it from the total
    assert [r[1] for r in rows[:-1]].count("<5") == 2


# ------------------------------------------------------------------------------ page fit


def _pdf_words(pdf: Path) -> tuple[list[tuple[float, float]], list[tuple]]:
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    pages = [(float(w), float(h)) for w, h in
             re.findall(r'<page width="([\d.]+)" height="([\d.]+)"', out)]
    words = []
    for i, chunk in enumerate(out.split("<page ")[1:]):
        for x0, y0, x1, y1 in re.findall(
                r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)"',
                chunk):
            words.append((i, float(x0), float(y0), float(x1), float(y1)))
    return pages, words


def _squash(text: str) -> str:
    """Text without spaces, line breaks or hyphens (the PDF may hyphenate a long header)."""
    return re.sub(r"[\s\-\u2010\u00ad]+", "", text.replace("\u2212", "-"))


@pytest.fixture(scope="module")
def rendered_result():
    logs, parts = _raw("small")  # with blank grids, chapter 8 and optional A4.2 rows
    ps = [c for c in logs.columns if c.startswith("ps_")]
    logs.loc[logs.index[3:90:7], ps] = ""
    parts["transgender"] = np.where(parts.index % 9 == 0, "yes", "no")
    parts["years_using_services"] = (parts.index % 13).astype(str)
    parts["project_funding"] = np.where(parts.index % 2 == 0, "strategic_partner",
                                        "grant_funded")
    return analyse(logs, parts, Options(adjust_projects=False, subgroups=("funder",),
                                        chapter8=True))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, rendered_result):
    """Written in one process (Options.workers is 1): report.pdf's parts joined by
    WeasyPrint."""
    out = tmp_path_factory.mktemp("report")
    write_outputs(rendered_result, out)
    return out


def test_report_sections_present_and_accessible(rendered, chromium, axe):
    page = (rendered / "report.html").read_text(encoding="utf-8")
    for text in ("Blank peer support grids: sensitivity", "Chapter 8 comparisons",
                 "Transgender history", "Years using mental health services",
                 "Appendix: subgroups (exploratory)", "Reproducibility",
                 "Figure 4.1: data flow", "Figure 4.5:", "Figure 4.6:"):
        assert text in page, text
    browser_page = chromium.new_page()
    browser_page.goto((rendered / "report.html").as_uri())
    assert axe(browser_page) == []
    browser_page.close()


@pytest.mark.parametrize("name", ["report", "summary"])
def test_pdf_pages_fit(rendered, name):
    pdf = rendered / f"{name}.pdf"
    pages, words = _pdf_words(pdf)
    a4 = {(595.3, 841.9), (841.9, 595.3)}
    assert {(round(w, 1), round(h, 1)) for w, h in pages} <= a4  # A4, portrait or landscape
    for page, x0, y0, x1, y1 in words:  # nothing runs off a page
        w, h = pages[page]
        assert x0 >= 0 and y0 >= 0 and x1 <= w + 0.5 and y1 <= h + 0.5, (page, x0, x1)
    lines: dict[tuple[int, float], list[tuple[float, float]]] = {}
    for page, x0, y0, x1, _y1 in words:  # no two words of one line overlap
        lines.setdefault((page, round(y0)), []).append((x0, x1))
    for key, spans in lines.items():
        spans.sort()
        for (a0, a1), (b0, _b1) in zip(spans, spans[1:], strict=False):
            assert b0 >= a1 - 1.0, (key, (a0, a1), b0)
    text = _squash(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                                  text=True, check=True).stdout)
    page = (rendered / f"{name}.html").read_text(encoding="utf-8")
    headers = {re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<th[^>]*>(.*?)</th>", page)}
    captions = re.findall(r"<(?:caption|figcaption)>(.*?)</(?:caption|figcaption)>", page)
    import html

    for item in [*headers, *captions]:  # every column header and title is printed whole
        assert _squash(html.unescape(item)) in text, item
    if name == "summary":
        assert len(pages) == 2


# -------------------------------------------------------------- report.pdf in two parts


@pytest.fixture(scope="module")
def rendered_forked(tmp_path_factory, rendered_result):
    """The same result written with 2 workers: report.pdf's parts rendered in forked
    processes and joined with pypdf, in a new interpreter (the test session's threads
    forbid forking here). Returns (folder, paths written, the parts' bytes)."""
    from .conftest import in_fresh_python

    out = tmp_path_factory.mktemp("forked")
    written, joined, forks = in_fresh_python("forked_outputs", rendered_result, out,
                                             tmp_path=tmp_path_factory.mktemp("fresh"))
    assert "_write_csvs" in forks  # the forked path ran
    assert len(joined) == 1 and len(joined[0]) == 2
    return out, written, joined[0]


def _page_texts(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")[:-1]  # pdftotext ends every page with a form feed


def _pages(data: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def test_forked_report_pdf_joins_both_parts_in_order(rendered_forked):
    out, _written, (part1, part2) = rendered_forked
    n1, n2 = _pages(part1), _pages(part2)
    texts = _page_texts(out / "report.pdf")
    assert n1 >= 5 and n2 >= 5 and len(texts) == n1 + n2
    results = next(i for i, t in enumerate(texts) if "Results by outcome" in t)
    assert results < n1
    assert texts[n1].lstrip().startswith("Appendices")  # the second part's first page
    assert not any("Appendices" in t for t in texts[:n1])
    assert "Descriptive statistics" in texts[n1] and "Reproducibility" in texts[-1]


@pytest.mark.parametrize("forked", [False, True])
def test_report_pdf_page_numbers(rendered, rendered_forked, forked):
    """The report is numbered "k / N1", the appendices on their own, "Ak / AN2"."""
    out = rendered_forked[0] if forked else rendered
    texts = _page_texts(out / "report.pdf")
    n1 = next(i for i, t in enumerate(texts) if t.lstrip().startswith("Appendices"))
    n2 = len(texts) - n1
    for k, text in enumerate(texts[:n1], 1):
        assert re.search(rf"(?<![A\d]){k} / {n1}(?!\d)", text), k
        assert not re.search(r"A\d+ / A\d+", text), k
    for k, text in enumerate(texts[n1:], 1):
        assert re.search(rf"(?<!\d)A{k} / A{n2}(?!\d)", text), k
    assert re.search(rf"A1 / A{n2}(?!\d)", texts[n1])


def test_forked_and_in_process_report_pdfs_are_the_same(rendered, rendered_forked):
    one, two = _page_texts(rendered / "report.pdf"), _page_texts(rendered_forked[0] /
                                                                 "report.pdf")
    assert len(one) == len(two) > 10
    for k, (a, b) in enumerate(zip(one, two, strict=True)):
        assert a == b, k
    for name in ("report.html", "summary.html"):
        assert (rendered / name).read_text() == (rendered_forked[0] / name).read_text()


def test_forked_pdfs_leave_no_temporary_files(rendered_forked):
    out, written, _parts = rendered_forked
    assert {p.name for p in out.iterdir()} == {
        p.relative_to(out).parts[0] for p in written}  # nothing written but the outputs
    assert sorted(p.name for p in out.glob("*.pdf")) == ["report.pdf", "summary.pdf"]
    assert (out / "summary.pdf").read_bytes()[:5] == b"%PDF-"


def _outline(pdf: Path) -> list:
    """The PDF's bookmarks as nested [(title, page number), [children]] lists."""
    from pypdf import PdfReader

    reader = PdfReader(pdf)

    def walk(items: list) -> list:
        return [walk(x) if isinstance(x, list)
                else (x.title, reader.get_destination_page_number(x) + 1) for x in items]

    return walk(reader.outline)


def test_report_pdf_outline_has_both_parts(rendered, rendered_forked):
    out, _written, (part1, _part2) = rendered_forked
    outline = _outline(out / "report.pdf")
    n1 = _pages(part1)
    # two top-level entries: the report (its h1) and the appendices, each with its sections
    assert [x for x in outline if isinstance(x, tuple)] == [
        ("PeerLog analysis report", 1), ("Appendices", n1 + 1)]
    report_titles = [x[0] for x in outline[1] if isinstance(x, tuple)]
    appendix_titles = [x[0] for x in outline[3] if isinstance(x, tuple)]
    assert "Results by outcome" in report_titles and "Chapter 8 comparisons (subsamples)" \
        in report_titles
    assert appendix_titles == ["Descriptive statistics", "Appendix: subgroups (exploratory)",
                               "Methods", "Reproducibility"]
    assert all(x[1] > n1 for x in outline[3] if isinstance(x, tuple))
    assert _outline(rendered / "report.pdf") == outline  # the same from WeasyPrint's join


def test_the_appendix_page_prefix_is_a_safe_css_string(tmp_path):
    from peerlog.analysis import report

    quoted = report.css_string('A"; } </style>\\ é')
    assert quoted.startswith('"') and quoted.endswith('"')
    assert '"' not in quoted[1:-1] and "<" not in quoted and ";" not in quoted
    page = ("<html><head><style>@page { size: A6; @bottom-center { content: " + quoted
            + " counter(page); } }</style></head><body><p>x</p></body></html>")
    path = report.write_pdf(page, tmp_path / "t.pdf", tmp_path)
    assert 'A"; } </style>\\ é1' in _page_texts(path)[0]
    assert report.css_string("A") == '"A"'


def test_other_parts_add_report_sections(analysed, tmp_path):
    from peerlog.analysis import report, svgplot

    res = analysed("small")
    svg = tmp_path / "costs.svg"
    svg.write_text(svgplot.bar_chart(["A", "B"], [("Cost", [3.0, 5.0])], "GBP",
                                     "Service costs by group"), encoding="utf-8")
    res.extra_sections = [("Service use and costs", "<p>Costs fell.</p>", [svg])]
    try:
        page = report.build_html(res, [])
    finally:
        res.extra_sections = []
    assert "<h2>Service use and costs</h2><p>Costs fell.</p>" in page
    assert "<figcaption>Service costs by group</figcaption>" in page
    assert page.index("Service use and costs") < page.index("Descriptive statistics")


# ------------------------------------------------------------------- health economics


@pytest.fixture(scope="module")
def rendered_economics(tmp_path_factory):
    """A report made with --unit-costs (the example, illustrative costs) on a synthetic
    cohort with service use, rendered to HTML and PDF."""
    from peerlog.analysis import economics
    from peerlog.analysis.economics.service_use import read_items
    from peerlog.synth.cohort import generate

    data = tmp_path_factory.mktemp("econ-data")
    generate(3, 0.1).write(data)
    out = tmp_path_factory.mktemp("econ-report")
    example = Path(economics.__file__).parent / "data" / "unit_costs_example.csv"
    logs, parts = _raw_dir(data)
    res = analyse(logs, parts, Options(include_subgroups=False, economics=economics.
                                       EconomicsOptions(example, replicates=500)),
                  items=read_items(data / "items_wide.csv"))
    write_outputs(res, out)
    return out, res


def _raw_dir(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    logs = pd.read_csv(path / "logs.csv", dtype=str, keep_default_na=False)
    parts = pd.read_csv(path / "participants.csv", dtype=str, keep_default_na=False)
    return logs, parts


def test_economics_section_is_labelled_and_accessible(rendered_economics, chromium, axe):
    out, res = rendered_economics
    page = (out / "report.html").read_text(encoding="utf-8")
    section = page[page.index("<h2>Health economics</h2>"):page.index('id="descriptives"')]
    assert "Unit costs: illustrative, not for reporting." in section
    assert ("<figcaption>Service costs per quarter: mean and 95% bootstrap interval "
            "(illustrative, not for reporting)</figcaption>") in section
    assert "Projects attended" in section and "projects_change" not in section
    # the figure's whiskers are the summary's bootstrap interval
    total = res.economics.summary.query("grouping == 'overall' and measure == 'total_hsc'")
    low, high = total[["ci_low", "ci_high"]].iloc[0]
    assert f"{low:,.2f} to {high:,.2f}" in section
    svg = section[section.index("<svg"):section.index("</svg>")]
    assert svg.count('fill="#0072B2"') == 5  # one bar per category, and its whisker
    whiskers = re.search(r'<path d="([^"]*)" fill="none" stroke="#000" stroke-width="1.2"',
                         svg).group(1)
    shown = res.economics.summary.query(
        "grouping == 'overall' and measure in ['inpatient', 'outpatient_ae', "
        "'community_health', 'social_care', 'total_hsc']")
    assert whiskers.count("M") == 3 * shown["ci_high"].notna().sum() >= 12
    browser_page = chromium.new_page()
    browser_page.goto((out / "report.html").as_uri())
    assert axe(browser_page) == []
    browser_page.close()


def test_economics_baseline_rows_join_table_a4_3(rendered_economics):
    out, res = rendered_economics
    page = (out / "report.html").read_text(encoding="utf-8")
    a43 = page[page.index("Table A4.3"):page.index("Table A4.4")]
    base = res.economics.baseline.set_index(["variable", "level", "region"])
    admitted = base.loc[("mh_admission_3_months", "yes", "Total")]
    medication = base.loc[("mh_medication", "yes", "Total")]
    for name, row in (("Hospital admission for mental health, previous 3 months, n (%)",
                       admitted), ("Medication for mental health, n (%)", medication)):
        cells = re.search(re.escape(name) + r"</td><td>Yes</td>(.*?)</tr>", a43).group(1)
        total = re.findall(r"<td>(.*?)</td>", cells)[-1]
        assert total == f"{int(row['n'])} ({float(row['percent']):.1f})", name
    assert "How they spent their time (Q19), n (%)" in a43 and "Not working due to illness" in a43


def test_summary_reports_service_use_without_small_numbers(rendered_economics):
    out, res = rendered_economics
    page = (out / "summary.html").read_text(encoding="utf-8")
    lines = summary.service_use_lines(res)
    registered = set(res.prepared.participants["personal_id"])
    quarterly = res.economics.service_use.logs
    n = quarterly["personal_id"].isin(registered).groupby(quarterly["personal_id"]).any().sum()
    assert lines[0].startswith(f"{n} people answered the service use questions")
    assert all(html_escape(line) in page for line in lines)
    assert "illustrative, not for reporting" in lines[-1]
    for line in lines[1:-1]:  # a count of people, or the words for a withheld one
        count = re.match(r"(\d+) \(\d+%\)|Fewer than 5|All but fewer than 5", line)
        assert count, line
        if count.group(1):
            assert 5 <= int(count.group(1)) <= n - 5
    assert summary._people(3, 40) == "Fewer than 5"
    assert summary._people(38, 40) == "All but fewer than 5"
    assert summary._people(0, 40) == "0 (0%)" and summary._people(20, 40) == "20 (50%)"


def test_summary_withholds_service_use_of_fewer_than_five_people(rendered_economics):
    import dataclasses

    _out, res = rendered_economics
    use = res.economics.service_use
    few = use.logs["personal_id"].drop_duplicates().iloc[:4]
    keep = use.logs["personal_id"].isin(few).to_numpy()
    small = dataclasses.replace(
        use, logs=use.logs[keep].reset_index(drop=True),
        values={k: v[keep] for k, v in use.values.items()},
        status={k: v[keep] for k, v in use.status.items()})
    res_small = dataclasses.replace(res, economics=dataclasses.replace(res.economics,
                                                                       service_use=small))
    assert summary.service_use_lines(res_small) == [
        "Fewer than 5 people answered the service use questions, so no figures are shown."]


@pytest.mark.parametrize("name", ["report", "summary"])
def test_economics_pdf_pages_fit(rendered_economics, name):
    out, _res = rendered_economics
    test_pdf_pages_fit(out, name)  # the same checks as the report without economics
    text = subprocess.run(["pdftotext", str(out / f"{name}.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "illustrative, not for reporting" in text


def test_the_pdf_lists_only_subgroup_models_below_0_05(analysed):
    """Issue 12, item 6: the full A4.10 table is in report.html (and models.csv), the PDF
    lists the models with p < 0.05 and says so."""
    from peerlog.analysis import report

    res = analysed("cohort")
    html_page, (body, pdf_page) = report.build_pages(res, [])
    assert "Table A4.10" not in body  # A4.10 is in the PDF's second part, the appendices
    sg = res.models[res.models["analysis"] == "subgroup"]
    low = sg[sg["p_value"] < 0.05]
    assert 0 < len(low) < len(sg)

    def a410_rows(page: str) -> int:
        start = page.index("Table A4.10")
        table = page[start:page.index("</table>", start)]
        return table.count("<tr>") - 1  # the header row

    assert a410_rows(html_page) == len(sg)
    assert a410_rows(pdf_page) == len(low)
    assert (f"This PDF lists the {len(low)} subgroup models with p below 0.05; the table of "
            f"all {len(sg)} is in report.html and models.csv.") in pdf_page
    assert "This PDF lists" not in html_page
