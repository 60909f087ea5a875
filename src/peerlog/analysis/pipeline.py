"""The whole analysis as one call on in-memory frames, and a writer for its output folder.

``analyse(logs, participants, options)`` is what ``peerlog analyse`` runs; other code (the web
app, notebooks, the synthetic cohort's checks) can call it with frames straight from memory.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from . import contract
from .labels import CHAPTER8_FIELDS
from .models import ASSOCIATION_COLUMNS, EXTRA_COLUMNS, PeriodArrays, fit_model, model_set
from .periods import Prepared, prepare


@dataclass
class Options:
    """Analysis options (the command-line flags of ``peerlog analyse``)."""

    adjust_projects: bool = True
    subgroups: tuple[str, ...] = ()  # extra participant columns used as subgroup factors
    where: tuple[tuple[str, str], ...] = ()  # (column, value) subset filters
    include_subgroups: bool = True  # False: primary and grouped-form models only
    pdf: bool = True
    figures: bool = True
    workers: int = 1  # processes for model fitting (fork; the command line uses up to 2)
    blank_grid: str = "zero"  # a log with an entirely empty peer support grid: zero or missing
    chapter8: bool = False  # add the evaluation's chapter 8 comparisons (subsamples)
    primary_only: bool = False  # only the primary models (headline re-runs)
    economics: object | None = None  # economics.EconomicsOptions: run the health economics


@dataclass
class AnalysisResult:
    """Everything the analysis produced, as frames."""

    associations: pd.DataFrame
    models: pd.DataFrame
    prepared: Prepared
    options: Options
    where_excluded: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    # Report sections other parts add: (title, html_fragment, figure_files); shown after the
    # results, before the descriptives. The economics module plugs in here.
    extra_sections: list[tuple[str, str, list[Path]]] = field(default_factory=list)
    # Headline re-runs: the other blank-grid reading; chapter 8's subsamples (label, result).
    sensitivity: AnalysisResult | None = None
    chapter8: list[tuple[str, str, str, AnalysisResult | None]] = field(default_factory=list)
    inputs: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (path, sha256)
    blank_grid_logs: int = 0
    economics: object | None = None  # economics.EconomicsResult

    @property
    def periods(self) -> pd.DataFrame:
        return self.prepared.periods

    @property
    def flow(self):
        return self.prepared.flow


def parse_where(items: list[str] | None) -> tuple[tuple[str, str], ...]:
    """Parse repeated ``col=value`` strings."""
    out = []
    for item in items or []:
        col, sep, value = item.partition("=")
        if not sep or not col.strip():
            raise ValueError(f"--where expects column=value, got {item!r}")
        out.append((col.strip(), value.strip()))
    return tuple(out)


def input_digests(files: dict[str, str | os.PathLike]) -> dict[str, tuple[str, str]]:
    """Name -> (path, SHA-256) of every input file a run read (the reproducibility block)."""
    import hashlib

    out = {}
    for name, path in files.items():
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            for block in iter(lambda h=handle: h.read(1 << 16), b""):
                digest.update(block)
        out[name] = (str(path), digest.hexdigest())
    return out


def apply_where(
    logs: pd.DataFrame, participants: pd.DataFrame, where: tuple[tuple[str, str], ...]
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """Keep participants (and their logs) matching every participant-column filter, and logs
    matching every log-column filter. Returns the counts excluded."""
    excluded = {"participants": 0, "logs": 0}
    for col, value in where:
        if col in participants.columns:
            keep = participants[col].astype(str) == value
            excluded["participants"] += int((~keep).sum())
            participants = participants[keep.to_numpy()]
            lk = logs["personal_id"].isin(set(participants["personal_id"]))
        elif col in logs.columns:
            lk = logs[col].astype(str) == value
        else:
            raise ValueError(f"--where: no column '{col}' in participants.csv or logs.csv")
        excluded["logs"] += int((~lk).sum())
        logs = logs[lk.to_numpy()]
    return logs.reset_index(drop=True), participants.reset_index(drop=True), excluded


def analyse(
    logs: pd.DataFrame,
    participants: pd.DataFrame,
    options: Options | None = None,
    progress: Callable[[int, int], None] | None = None,
    items: pd.DataFrame | None = None,
    _validated: bool = False,
) -> AnalysisResult:
    """Run the model set on validated frames (``contract.read_logs`` / ``read_participants``
    output, or frames of strings shaped like the CSVs, which are validated here).
    ``_validated``: the frames come from an earlier call (the headline re-runs), so they are
    not validated again (the same frames either way; ~45 times with ``--chapter8``)."""
    options = options or Options()
    if "ps_informal_given_ticked" not in logs.columns:  # raw strings, not yet validated
        logs = contract.validate_logs(logs)
    if not _validated:
        participants = contract.validate_participants(participants)
    timings = {}
    t0 = time.perf_counter()
    if "ps_grid_blank" not in logs.columns:
        logs = logs.assign(ps_grid_blank=False)
    full_logs, full_participants = logs, participants
    logs, participants, excluded = apply_where(logs, participants, options.where)
    prepared = prepare(logs, participants, tuple(options.subgroups))
    if options.blank_grid == "missing":
        blank_as_missing(prepared)
    elif options.blank_grid != "zero":
        raise ValueError("--blank-grid must be zero or missing")
    timings["prepare"] = time.perf_counter() - t0
    subgroups = prepared.subgroups if options.include_subgroups else ()
    specs = model_set(subgroups)
    if options.primary_only:
        specs = [s for s in specs if s.analysis == "primary"]
    headline = replace(options, primary_only=True, chapter8=False, workers=1,
                       economics=None)
    other = "missing" if options.blank_grid == "zero" else "zero"
    rerun = None  # the other blank-grid reading, side by side with the fits when forking
    if (not options.primary_only and options.workers >= 2 and _may_fork()
            and prepared.logs["ps_grid_blank"].any()):
        rerun = Forked(analyse, full_logs, full_participants,
                       replace(headline, blank_grid=other), None, None, True)
    try:
        rows, summaries = [], []
        t1 = time.perf_counter()
        for res in _fit_all(prepared.periods, specs, options, progress):
            rows += res.rows
            summaries.append(res.summary)
        timings["models"] = time.perf_counter() - t1
        assoc = pd.DataFrame(rows, columns=ASSOCIATION_COLUMNS + EXTRA_COLUMNS)
        models = pd.DataFrame(summaries)
        result = AnalysisResult(assoc, models, prepared, options, excluded, timings)
        result.blank_grid_logs = int(prepared.logs["ps_grid_blank"].sum())
        if options.primary_only:
            return result
        if options.economics is not None and items is not None:
            from . import economics
            from .periods import participant_factors

            t2 = time.perf_counter()
            result.economics = economics.run(items, prepared.logs, participants, options.economics,
                                             participant_factors(participants))
            timings["economics"] = time.perf_counter() - t2
    except BaseException:
        if rerun is not None:
            rerun.cancel()  # not left running or unreaped
        raise
    t2 = time.perf_counter()
    if rerun is not None:
        result.sensitivity = rerun.result()
    elif result.blank_grid_logs:
        result.sensitivity = analyse(full_logs, full_participants,
                                     replace(headline, blank_grid=other), _validated=True)
    if options.chapter8:
        result.chapter8 = chapter8(full_logs, full_participants, headline, options.workers)
    timings["headline_reruns"] = time.perf_counter() - t2
    return result


# Chapter 8's comparisons: (column, value, label); columns are the export's extras
# (labels.CHAPTER8_FIELDS: the evaluation's three, then one per project-profile field).
CHAPTER8 = tuple((col, value, label) for col, _title, values in CHAPTER8_FIELDS
                 for value, label in values)


def chapter8(logs: pd.DataFrame, participants: pd.DataFrame, options: Options,
             workers: int = 1) -> list[tuple[str, str, str, AnalysisResult | None]]:
    """The evaluation's chapter 8 comparisons as subsamples (primary models of each), in the
    order of CHAPTER8; a subsample whose column is absent or empty gives ``None``. With
    ``workers`` > 1 the subsamples (~40 with every profile field) run in forked processes;
    each is the same computation either way, so the numbers are the same."""
    import multiprocessing as mp

    present = [(col, value) for col, value, _label in CHAPTER8
               if col in participants.columns and (participants[col].astype(str) == value).any()]
    if workers >= 2 and len(present) >= 4 and _may_fork():
        global _SUBSAMPLE
        _SUBSAMPLE = (logs, participants, options)
        try:
            with mp.get_context("fork").Pool(min(workers, len(present))) as pool:
                done = dict(zip(present, pool.map(_subsample, present, chunksize=1),
                                strict=True))
        finally:
            _SUBSAMPLE = None
    else:
        data = (logs, participants, options)
        done = {key: _subsample(key, data) for key in present}
    return [(col, value, label, done.get((col, value))) for col, value, label in CHAPTER8]


_SUBSAMPLE: tuple | None = None  # (logs, participants, options), shared with forked workers


def _subsample(key: tuple[str, str], data: tuple | None = None) -> AnalysisResult:
    logs, participants, options = data or _SUBSAMPLE
    return analyse(logs, participants, replace(options, where=(key,)), _validated=True)


def blank_as_missing(prepared: Prepared) -> None:
    """``--blank-grid missing``: on logs whose whole peer support grid is empty, types and
    grouped forms are missing (projects attended is its own question and stays); the change
    categories of the periods touching such a log are recomputed."""
    from .periods import FORM_PS, change_category

    clean, periods = prepared.logs, prepared.periods
    blank = clean["ps_grid_blank"].to_numpy(dtype=bool)
    pid = clean["personal_id"].to_numpy()
    same = np.flatnonzero(pid[1:] == pid[:-1])
    for var in ("types_given", "types_received", *FORM_PS):
        v = clean[var].to_numpy(dtype=float).copy()
        v[blank] = np.nan
        clean[var] = v
        periods[f"{var}_change"] = change_category(v[same + 1] - v[same])


def _may_fork() -> bool:
    """Fork only where it exists and no other Python thread runs (a thread holding a lock at
    the fork would leave it held in the child). numpy's OpenBLAS threads are fork-safe: it
    registers pthread_atfork handlers."""
    import multiprocessing as mp
    import threading

    return "fork" in mp.get_all_start_methods() and threading.active_count() == 1


class Forked:
    """``fn(*args)`` run in a forked child; :meth:`result` returns its value (or raises its
    exception), pickled back through a pipe. Fork shares the parent's frames and arrays without copying or pickling
    them, and one fork costs less than a process pool (~30 ms less at seed scale)."""

    def __init__(self, fn: Callable, *args) -> None:
        import pickle
        import sys

        read, write = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        self.pid = os.fork()
        if self.pid == 0:  # the child: compute, send, leave without the parent's exit hooks
            os.close(read)
            status = 0
            try:
                data = pickle.dumps((True, fn(*args)), pickle.HIGHEST_PROTOCOL)
            except BaseException as exc:  # noqa: BLE001  sent to the parent, which raises
                try:
                    data = pickle.dumps((False, exc))
                except Exception:  # noqa: BLE001  an exception that cannot be pickled
                    data = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
                status = 1
            try:
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(data)
            finally:
                os._exit(status)
        os.close(write)
        self._read = read

    def cancel(self) -> None:
        """Stop the child and reap it (the parent failed and will not read its result)."""
        import signal

        if self._read is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        os.close(self._read)
        self._read = None
        os.waitpid(self.pid, 0)

    def result(self):
        import pickle

        with os.fdopen(self._read, "rb") as pipe:
            self._read = None
            data = pipe.read()
        os.waitpid(self.pid, 0)
        if not data:
            raise RuntimeError("a forked analysis process ended without a result")
        ok, value = pickle.loads(data)
        if not ok:
            raise value  # the child's own exception (its traceback stays in the child)
        return value


def _fit_list(periods: PeriodArrays, specs: list, adjust: bool) -> list:
    return [fit_model(periods, spec, adjust) for spec in specs]


def _fit_all(periods: pd.DataFrame, specs: list, options: Options,
             progress: Callable[[int, int], None] | None = None) -> list:
    """The fitted models, in the order of ``specs``. With ``options.workers`` = k > 1, k - 1
    forked children fit every k-th model each and this process the rest (interleaved, as
    model sizes come in blocks: primary, forms, subgroups)."""
    workers = min(options.workers, len(specs) // 20)
    periods = PeriodArrays(periods)
    adjust = options.adjust_projects
    if workers < 2 or not _may_fork():
        workers = 1
    children = [Forked(_fit_list, periods, specs[k::workers], adjust)
                for k in range(1, workers)]
    try:
        mine = []
        for i, spec in enumerate(specs[::workers]):
            mine.append(fit_model(periods, spec, adjust))
            if progress:  # the children keep pace: count theirs as this one's
                progress(min(len(specs), (i + 1) * workers), len(specs))
        out: list = [None] * len(specs)
        out[::workers] = mine
        for k, child in enumerate(children, start=1):
            out[k::workers] = child.result()
    finally:
        for child in children:
            child.cancel()  # nothing left running or unreaped if this process failed
    return out


def write_outputs(result: AnalysisResult, out_dir: str | os.PathLike) -> list[Path]:
    """Write associations.csv, models.csv, periods.csv, data_flow.csv, the descriptive tables,
    figures and the report into ``out_dir``. Returns the paths written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    from . import report, summary
    from .report import add_qvalues

    add_qvalues(result)  # q_value after the contract's columns, in both CSV files
    # The CSV files in a forked child while this process draws the figures and the report
    # (~0.1 s of pandas formatting at seed scale, otherwise spent before them).
    csv_writer = (Forked(_write_csvs, result, out)
                  if result.options.workers >= 2 and _may_fork() else None)
    written = [] if csv_writer else _write_csvs(result, out)
    try:
        figures = []
        t0 = time.perf_counter()
        if result.options.figures:
            from . import figures as figs
            from .evaluation_2017 import load

            jobs = figs.figure_jobs(result, load(), report.significant_subgroups(result))
            figures = figs.render_all(jobs, out / "figures", workers=result.options.workers)
            written += [f.svg for f in figures]
        result.timings["figures"] = time.perf_counter() - t0
        if result.economics is not None:
            from . import economics

            written += economics.write_outputs(result.economics, out)
            html, econ_figures = economics.report_section(
                result.economics, out / "figures", figures=result.options.figures)
            result.extra_sections.append((economics.TITLE, html, [f.svg for f in econ_figures]))
            written += [f.svg for f in econ_figures]
        t0 = time.perf_counter()
        pdf = result.options.pdf
        report_page, report_parts = report.build_pages(result, figures)
        summary_page = summary.build_html(result)
        for path, page in ((out / "report.html", report_page), (out / "summary.html", summary_page)):
            path.write_text(page, encoding="utf-8")
            written.append(path)
        if pdf:
            written += _write_pdfs(report_parts, summary_page, out, result.options.workers)
        result.timings["report"] = time.perf_counter() - t0
    except BaseException:
        if csv_writer is not None:
            csv_writer.cancel()
        raise
    return (csv_writer.result() + written) if csv_writer else written


def _write_csvs(result: AnalysisResult, out: Path) -> list[Path]:
    """associations.csv, models.csv, data_flow.csv, periods.csv, the re-runs' rows and the
    descriptive tables."""
    from . import tables

    written = []
    assoc = result.associations.copy()
    assoc["n"] = assoc["n"].astype(int)
    path = out / "associations.csv"
    assoc.to_csv(path, index=False, float_format="%.10g")
    written.append(path)
    path = out / "models.csv"
    result.models.to_csv(path, index=False, float_format="%.10g")
    written.append(path)
    flow_rows = result.flow.rows() + [
        (f"excluded_by_where_{k}", v) for k, v in result.where_excluded.items()
    ]
    path = out / "data_flow.csv"
    pd.DataFrame(flow_rows, columns=["item", "count"]).to_csv(path, index=False)
    written.append(path)
    periods = result.periods.copy()
    for col in periods.columns:
        if col.endswith("_change") and periods[col].dtype == np.int8:
            periods[col] = pd.Categorical.from_codes(
                periods[col].astype(int), categories=["decreased", "same", "increased"]
            ) if (periods[col] >= 0).all() else periods[col].map(
                {-1: "", 0: "decreased", 1: "same", 2: "increased"})
    path = out / "periods.csv"
    periods.drop(columns=["pid"]).to_csv(path, index=False, float_format="%.10g")
    written.append(path)
    for name, extra in _headline_frames(result):
        path = out / name
        extra.to_csv(path, index=False, float_format="%.10g")
        written.append(path)
    return written + tables.write_tables(result, out)


def _headline_frames(result: AnalysisResult) -> list[tuple[str, pd.DataFrame]]:
    """The re-runs' rows: the other blank-grid reading, and chapter 8's subsamples."""
    out = []
    if result.sensitivity is not None:
        frame = result.sensitivity.associations.assign(
            blank_grid=result.sensitivity.options.blank_grid)
        out.append(("sensitivity_blank_grid.csv", frame))
    parts = [res.associations.assign(subsample=f"{col}={value}", label=label)
             for col, value, label, res in result.chapter8 if res is not None]
    if parts:
        out.append(("chapter8_associations.csv", pd.concat(parts, ignore_index=True)))
    return out


def _pdf_job(args: tuple[str, Path | None, Path]) -> Path | bytes:
    """A PDF written to ``path``, or with no path returned as bytes (a part of report.pdf)."""
    from .report import render_pdf, write_pdf

    page, path, base = args
    return render_pdf(page, base) if path is None else write_pdf(page, path, base)


def _write_pdfs(report_parts: tuple[str, ...], summary_page: str, out: Path,
                workers: int) -> list[Path]:
    """report.pdf and summary.pdf. WeasyPrint lays a document out in one process, so
    report.pdf is rendered as two parts (the report, the appendices) side by side in two
    forked processes, with summary.pdf after the first to finish; the parent joins the parts
    with pypdf. In one process the parts are joined with WeasyPrint's documents API instead:
    the same pages either way."""
    import multiprocessing as mp

    from . import report

    paths = [out / "report.pdf", out / "summary.pdf"]
    if workers < 2 or not _may_fork():
        report.write_parts_pdf(report_parts, paths[0], out)
        report.write_pdf(summary_page, paths[1], out)
        return paths
    import weasyprint  # noqa: F401  imported once, before the fork, not in each child

    jobs = [(page, None, out) for page in report_parts] + [(summary_page, paths[1], out)]
    with mp.get_context("fork").Pool(2) as pool:
        done = pool.imap(_pdf_job, jobs, chunksize=1)  # the two big parts first
        import pypdf  # noqa: F401  while the children render (~0.15 s)

        report.join_pdfs([next(done) for _ in report_parts], paths[0])
        next(done)  # summary.pdf
    return paths
