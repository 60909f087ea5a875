"""Benchmark of the health economics (results recorded in bench/README.md).

    .venv/bin/python bench/economics_bench.py seed     # the synthetic cohort, 703 people
    .venv/bin/python bench/economics_bench.py large    # the same cohort at 100,000 people

The cohort (with its service use) is generated and written as contract files + items_wide.csv
(not timed). Then, in this process: reading the files, ``analyse`` with the primary and
grouped-form models (77 models, as analysis_bench.py ``large``) and the economics (unit costs,
service use, costs, QALYs, 2,000-replicate bootstraps by region, project type and 7 subgroup
factors, change by change in peer support, baseline descriptives), then writing the
economics files. The economics time is reported as a ratio to the models of the same run.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from peerlog.analysis import economics  # noqa: E402
from peerlog.analysis.contract import read_logs, read_participants  # noqa: E402
from peerlog.analysis.economics.service_use import read_items  # noqa: E402
from peerlog.analysis.pipeline import Options, analyse  # noqa: E402
from peerlog.synth.cohort import generate  # noqa: E402

EXAMPLE = ROOT / "src/peerlog/analysis/economics/data/unit_costs_example.csv"
NEWLINE = b"\n"
SCALES = {"seed": 1.0, "large": 100_000 / 703}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("size", choices=sorted(SCALES))
    parser.add_argument("--keep", metavar="DIR",
                        help="write the generated files here and reuse them on later runs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        if not (folder / "items_wide.csv").exists():
            t = time.perf_counter()
            generate(1, SCALES[args.size]).write(folder)
            print(f"generated and written (not timed): {time.perf_counter() - t:.1f} s")
        t0 = time.perf_counter()
        participants = read_participants(folder / "participants.csv")
        logs = read_logs(folder / "logs.csv")
        t1 = time.perf_counter()
        items = read_items(folder / "items_wide.csv")
        t2 = time.perf_counter()
        options = Options(include_subgroups=False, figures=False, pdf=False,
                          economics=economics.EconomicsOptions(EXAMPLE))
        result = analyse(logs, participants, options, items=items)
        t3 = time.perf_counter()
        written = economics.write_outputs(result.economics, folder / "out")
        economics.report_section(result.economics, folder / "out", figures=False)
        t4 = time.perf_counter()
        e = result.economics
        models, econ = result.timings["models"], result.timings["economics"]
        read_items_s, write_s = t2 - t1, t4 - t3
        total_econ = read_items_s + econ + write_s
        print(f"{len(participants):,} participants, {len(logs):,} logs, "
              f"{len(e.service_use.logs):,} quarterly logs, {len(e.qalys):,} QALY periods, "
              f"{written[0].read_bytes().count(NEWLINE) - 1:,} service_use.csv rows")
        print(f"read contract {t1 - t0:.2f} s; prepare {result.timings['prepare']:.2f} s; "
              f"models ({len(result.models)}) {models:.2f} s")
        print(f"economics: read items_wide {read_items_s:.2f} s, compute "
              f"{e.timings['economics_compute']:.2f} s, bootstrap "
              f"{e.timings['economics_bootstrap']:.2f} s, write files + section {write_s:.2f} s"
              f" = {total_econ:.2f} s ({total_econ / models:.2f}x the models)")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak RSS {rss:.0f} MB")


if __name__ == "__main__":
    main()
