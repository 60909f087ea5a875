"""Benchmarks of the analysis engine (results recorded in bench/README.md).

    .venv/bin/python bench/analysis_bench.py seed            # ~650 people, whole model set
    .venv/bin/python bench/analysis_bench.py seed --r        # ... and R on the same files
    .venv/bin/python bench/analysis_bench.py large           # 100,000 people, 1,000,000 periods
    .venv/bin/python bench/analysis_bench.py process DIR     # whole `peerlog analyse` runs
    .venv/bin/python bench/analysis_bench.py process DIR --compare REV  # ... against REV

``process`` times the whole command as a user runs it (a fresh process each time: imports,
reading, models, tables, report; then again with every figure and both PDFs), RUNS times
each, and prints medians of wall time and of CPU time (user + system, children included).
The machine is shared, so CPU time is the steadier figure; the model fit is also timed
in-process, for the ratio against R (whose time is from a separate sitting: R is not
installed here).

``large`` writes the contract files once (not timed), then times, in a fresh process, reading
and validating them, building periods and fitting the primary and grouped-form models
(77 models), and reports the peak resident memory of that process (getrusage).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from peerlog.analysis.contract import PS_COLUMNS, read_logs, read_participants  # noqa: E402
from peerlog.analysis.pipeline import Options, analyse, write_outputs  # noqa: E402


def _fixture_module():
    spec = importlib.util.spec_from_file_location(
        "make_fixtures", ROOT / "tests" / "analysis" / "make_fixtures.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def write_seed(folder: Path) -> None:
    """Seed-scale cohort: 566 registered + 83 unregistered participants (as the evaluation)."""
    mod = _fixture_module()
    participants, logs = mod.make_dataset(seed=2017, n_registered=566, n_unregistered=83,
                                          trend_sd=1.0, max_logs=6, tick_rate=0.3,
                                          rare_ld=0.15, extra_column=False)
    folder.mkdir(parents=True, exist_ok=True)
    participants.to_csv(folder / "participants.csv", index=False)
    logs.to_csv(folder / "logs.csv", index=False)


def write_large(folder: Path, people: int = 100_000, logs_per_person: int = 11) -> None:
    """Vectorised generator: ``people`` x ``logs_per_person`` logs -> 1,000,000 periods."""
    rng = np.random.default_rng(1)
    n = people * logs_per_person
    pid = np.repeat(np.arange(people), logs_per_person)
    k = np.tile(np.arange(logs_per_person), people)
    day = np.datetime64("2015-10-01") + (rng.integers(0, 300, people)[pid] + 30 * k).astype(
        "timedelta64[D]")
    ids = np.char.add("P", np.arange(people).astype(str))
    cols = {
        "log_id": np.char.add("L", np.arange(n).astype(str)),
        "personal_id": ids[pid],
        "completed_on": day.astype(str),
        "submitted_at": np.char.add(day.astype(str), "T12:00:00+00:00"),
        "kind": np.where(k % 3 == 0, "quarterly", "monthly"),
        "version": "full",
        "mode": np.where(pid % 2 == 0, "paper", "online"),
        "projects_attended": rng.integers(0, 4, n).astype(str),
    }
    trend = rng.normal(0, 0.3, people)[pid]
    for col in PS_COLUMNS:
        c = rng.poisson(1.0, n).astype(str).astype(object)
        c[(pid % 2 == 0) & (rng.random(n) < 0.1)] = "ticked"
        cols[col] = c
    ranges = {"wellbeing": (7, 35), "self_efficacy": (6, 60), "hope": (12, 48),
              "contact_family": (0, 15), "contact_friends": (0, 15),
              "contact_neighbours": (0, 15), "health_status": (1, 10)}
    for o, (lo, hi) in ranges.items():
        v = (lo + hi) / 2 + (hi - lo) / 20 * (trend * k + rng.normal(0, 1.5, n))
        v = np.clip(np.round(v), lo, hi).astype(int).astype(str).astype(object)
        v[rng.random(n) < 0.03] = ""
        cols[o] = v
    cols["eq5d_index"] = "0.7"
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(cols).to_csv(folder / "logs.csv", index=False)
    pdata = {
        "personal_id": ids, "region": np.where(np.arange(people) % 2, "Leeds", "Plymouth"),
        "project_type": "group", "age_band": "25-34", "gender": "female",
        "sexual_orientation": "heterosexual", "ethnicity": "WB", "ethnic_group": "white",
        "area": "city", "uses_mh_services": "no", "physical_condition": "no",
        "learning_disability": "no",
    }
    pd.DataFrame(pdata).to_csv(folder / "participants.csv", index=False)


def run_python(folder: Path, out: Path, subgroups: bool, figures: bool) -> dict:
    t0 = time.perf_counter()
    participants = read_participants(folder / "participants.csv")
    logs = read_logs(folder / "logs.csv")
    t_read = time.perf_counter() - t0
    result = analyse(logs, participants,
                     Options(include_subgroups=subgroups, figures=figures, pdf=False))
    t_an = time.perf_counter() - t0
    write_outputs(result, out)
    total = time.perf_counter() - t0
    return {
        "logs": len(logs), "participants": len(participants),
        "periods": int(result.flow.periods), "models": len(result.models),
        "models_fitted": int(result.models["p_value"].notna().sum()),
        "read_validate_s": round(t_read, 2), "prepare_s": round(result.timings["prepare"], 2),
        "models_s": round(result.timings["models"], 2), "analyse_total_s": round(t_an, 2),
        "with_outputs_s": round(total, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


R_SECONDS = 37.6  # issue 12: R lme4 + lmerTest + emmeans, the same 266 models (separate sitting)


def _median(xs: list[float]) -> float:
    return float(np.median(xs))


def _unpack_src(rev: str, dest: Path) -> Path:
    """``rev``'s src/ (git archive) in ``dest``: the baseline tree for --compare."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src"], check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest / "src"


def time_r(folder: Path, runs: int) -> list[float]:
    """Wall seconds of R (lme4 + lmerTest + emmeans, tests/analysis/r/reference.R: the same
    266 models) on the same files, ``runs`` times; [] when Rscript is not installed."""
    if not shutil.which("Rscript"):
        return []
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs):
            t0 = time.perf_counter()
            subprocess.run(["Rscript", "tests/analysis/r/reference.R", "bench", "--data",
                            str(folder), "--out", tmp], cwd=ROOT, capture_output=True,
                           check=True)
            times.append(time.perf_counter() - t0)
    return times


def time_process(folder: Path, runs: int, compare: str | None = None,
                 r_runs: int = 0) -> dict:
    """Median wall and CPU seconds of whole `peerlog analyse` processes; with ``compare``
    (a git revision) that revision's tree runs too, alternating with this one in the same
    sitting, and the CPU ratio (this tree / the revision) is given."""
    import os

    exe = [sys.executable, "-m", "peerlog.cli", "analyse", str(folder), "--quiet"]
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        # Byte-compiled modules are kept (in a scratch folder, never in the tree) as they are
        # in an installed package: without them every run recompiles peerlog's own sources.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        trees = {"this": ROOT / "src"}
        if compare:
            trees = {compare: _unpack_src(compare, Path(tmp)), **trees}
        for name, extra in (("no_figures_no_pdf", ["--no-figures", "--no-pdf"]),
                            ("everything", [])):
            walls: dict[str, list[float]] = {t: [] for t in trees}
            cpus: dict[str, list[float]] = {t: [] for t in trees}
            for i in range(runs + 1):  # the first round warms the byte-code cache
                for tree, src in trees.items():
                    before = resource.getrusage(resource.RUSAGE_CHILDREN)
                    t0 = time.perf_counter()
                    subprocess.run([*exe, "-o", str(Path(tmp) / tree.replace("/", "_")),
                                    *extra], check=True, env={**env, "PYTHONPATH": str(src)},
                                   capture_output=True)
                    if i == 0:
                        continue
                    walls[tree].append(time.perf_counter() - t0)
                    after = resource.getrusage(resource.RUSAGE_CHILDREN)
                    cpus[tree].append(after.ru_utime - before.ru_utime
                                      + after.ru_stime - before.ru_stime)
            for tree in trees:
                key = name if tree == "this" else f"{name} ({tree})"
                out[key] = {"wall_median_s": round(_median(walls[tree]), 2),
                            "cpu_median_s": round(_median(cpus[tree]), 2),
                            "cpu_min_s": round(min(cpus[tree]), 2),
                            "cpu_all_s": [round(c, 2) for c in cpus[tree]]}
            if compare:
                out[f"{name}: cpu ratio this/{compare}"] = round(
                    _median(cpus["this"]) / _median(cpus[compare]), 2)
            out[f"{name}: load average after"] = [round(x, 1) for x in os.getloadavg()]
    participants = read_participants(folder / "participants.csv")
    logs = read_logs(folder / "logs.csv")
    fits = []
    for _ in range(runs):
        for workers in (1, 2):
            result = analyse(logs, participants, Options(figures=False, pdf=False,
                                                         workers=workers))
            fits.append((workers, result.timings["models"]))
    one = _median([t for w, t in fits if w == 1])
    two = _median([t for w, t in fits if w == 2])
    out["models_in_process_s"] = {"1_process": round(one, 2), "2_processes": round(two, 2),
                                  "models": len(result.models)}
    r_times = time_r(folder, r_runs) if r_runs else []
    r_seconds = _median(r_times) if r_times else R_SECONDS
    out["ratio_vs_R"] = {
        "R_s": round(r_seconds, 1),
        "R_measured": (f"this sitting, whole Rscript, median of {len(r_times)}" if r_times
                       else "not installed: the issue's figure from a separate sitting"),
        "models_2_processes": round(r_seconds / two, 1),
        "whole_no_figures": round(r_seconds / out["no_figures_no_pdf"]["wall_median_s"], 1),
        "whole_everything": round(r_seconds / out["everything"]["wall_median_s"], 1)}
    load = __import__("os").getloadavg()
    out["load_average"] = [round(x, 1) for x in load]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("scale", choices=["seed", "large", "process", "_run"])
    ap.add_argument("folder", nargs="?", help="process: folder with the contract's files")
    ap.add_argument("--runs", type=int, default=5, help="process: runs per variant")
    ap.add_argument("--compare", metavar="REV",
                    help="process: also run git revision REV's tree, alternating (CPU ratio)")
    ap.add_argument("--r", action="store_true", help="also time R (reference.R) on the data")
    ap.add_argument("--dir", help=argparse.SUPPRESS)
    ap.add_argument("--subgroups", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--figures", action="store_true", help="include figures in the timing")
    ap.add_argument("--people", type=int, default=100_000,
                    help="large: participants (11 logs each); small for a smoke run")
    args = ap.parse_args(argv)
    if args.scale == "_run":  # fresh process, so peak memory is the analysis alone
        folder = Path(args.dir)
        print(json.dumps(run_python(folder, folder / "out", args.subgroups, args.figures)))
        return 0
    if args.scale == "process":
        print(json.dumps(time_process(Path(args.folder), args.runs, args.compare,
                                      r_runs=args.runs if args.r else 0), indent=1))
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="peerlog-bench-"))
    try:
        data = tmp / "data"
        t0 = time.perf_counter()
        if args.scale == "seed":
            write_seed(data)
        else:
            write_large(data, people=args.people)
        print(f"generated {args.scale} data in {time.perf_counter() - t0:.1f} s (not timed)")
        cmd = [sys.executable, __file__, "_run", "--dir", str(data)]
        if args.scale == "seed":
            cmd.append("--subgroups")
        if args.figures:
            cmd.append("--figures")
        res = json.loads(subprocess.run(cmd, check=True, capture_output=True,
                                        text=True).stdout)
        print("python:", json.dumps(res))
        if args.r and shutil.which("Rscript"):
            t0 = time.perf_counter()
            proc = subprocess.run(
                ["Rscript", "tests/analysis/r/reference.R", "bench", "--data", str(data),
                 "--out", str(tmp)], cwd=ROOT, capture_output=True, text=True, check=True)
            print(f"R (lme4+lmerTest+emmeans, whole run): {time.perf_counter() - t0:.1f} s;",
                  proc.stdout.strip())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
