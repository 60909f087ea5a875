"""Benchmarks of the synthetic cohort: generator speed, --into-db speed, effect recovery.

    .venv/bin/python bench/synth_bench.py generate        # generator vs reading its CSVs
    .venv/bin/python bench/synth_bench.py db              # --into-db into a fresh SQLite
    .venv/bin/python bench/synth_bench.py coverage [N]    # CI coverage of planted effects

Smaller runs (the CI smoke run, tests/ops/test_bench_smoke.py): ``generate --scales 0.05
--repeat 1``, ``db --scale 0.05``, ``coverage 1 --scale 1``.

Results are recorded in bench/README.md ("Synthetic cohort and demo"); nothing is asserted.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def _best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def bench_generate(scales: list[float], repeat: int) -> None:
    from peerlog.synth.cohort import generate

    for scale in scales:
        gen = _best(lambda s=scale: generate(1, s), repeat)
        with tempfile.TemporaryDirectory() as tmp:
            generate(1, scale).write(tmp)

            def read(tmp=tmp):
                pd.read_csv(Path(tmp) / "logs.csv", dtype=str, keep_default_na=False)
                pd.read_csv(Path(tmp) / "participants.csv", dtype=str, keep_default_na=False)

            base = _best(read, repeat)
        cohort = generate(1, scale)
        print(f"scale {scale}: {len(cohort.participants)} participants, {len(cohort.logs)} logs; "
              f"generate {gen:.2f} s; pandas reading the same CSVs {base:.3f} s; "
              f"ratio {gen / base:.0f}x")


def bench_db(scale: float) -> None:
    code = (
        "import time; from peerlog.web import setup; setup();"
        "from django.core.management import call_command;"
        "call_command('migrate', interactive=False, verbosity=0);"
        "from peerlog.synth.cohort import generate; from peerlog.synth.db import load;"
        f"c = generate(1, {scale!r}); t = time.perf_counter(); r = load(c);"
        "print(f'into-db: {r} in {time.perf_counter() - t:.1f} s');"
        "t = time.perf_counter(); r = load(c);"
        "print(f'second load: {r} in {time.perf_counter() - t:.1f} s')"
    )
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, PEERLOG_HOME=home)
        subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=ROOT)


def bench_coverage(seeds: int, scale: float) -> None:
    from peerlog.analysis import contract
    from peerlog.analysis.models import ModelSpec, fit_model
    from peerlog.analysis.periods import prepare
    from peerlog.synth.cohort import generate

    rows = []
    for seed in range(seeds):
        cohort = generate(seed, scale=scale)
        periods = prepare(contract.validate_logs(cohort.logs),
                          contract.validate_participants(cohort.participants)).periods
        pairs = list(cohort.planted.groupby(["outcome", "ps_variable"]).groups)
        for outcome, variable in pairs + [("wellbeing", "types_received")]:
            fit = fit_model(periods, ModelSpec("primary", outcome, variable))
            for row in fit.rows:
                truth = cohort.planted[(cohort.planted.outcome == outcome)
                                       & (cohort.planted.ps_variable == variable)
                                       & (cohort.planted.change == row["change"])]
                true = float(truth.true_mean.iloc[0]) if len(truth) else 0.0
                rows.append({"outcome": outcome, "variable": variable, "change": row["change"],
                             "error": row["mean"] - true,
                             "covered": row["ci_low"] <= true <= row["ci_high"]})
    df = pd.DataFrame(rows)
    print(df.groupby(["outcome", "variable", "change"]).agg(
        coverage=("covered", "mean"), bias=("error", "mean"), sd=("error", "std")).round(3))
    print(f"overall coverage of 95% CIs: {df.covered.mean():.3f} "
          f"({len(df)} intervals, {seeds} seeds, scale {scale:g})")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(usage=__doc__)
    parser.add_argument("what", nargs="?", default="generate",
                        choices=["generate", "db", "coverage"])
    parser.add_argument("seeds", nargs="?", type=int, default=20, help="coverage: seeds")
    parser.add_argument("--scales", type=float, nargs="+", default=[1, 10])
    parser.add_argument("--scale", type=float, help="db: 1, coverage: 10 (default)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.what == "generate":
        bench_generate(args.scales, args.repeat)
    elif args.what == "db":
        bench_db(args.scale or 1)
    else:
        bench_coverage(args.seeds, args.scale or 10)
