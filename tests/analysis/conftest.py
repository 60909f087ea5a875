"""Shared fixtures for the analysis engine tests (pure Python; no database, no R)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from peerlog.analysis.contract import read_contract
from peerlog.analysis.pipeline import Options, analyse

HERE = Path(__file__).parent
DATA = HERE / "data"
R_DIR = HERE / "r"

# dataset -> the options reference.R was run with (see the header of reference.R)
DATASETS = {
    "cohort": Options(figures=False, pdf=False),
    "small": Options(adjust_projects=False, subgroups=("funder",), figures=False, pdf=False),
}


@pytest.fixture(scope="session")
def analysed():
    """The Python analysis of each committed dataset, computed once per session."""
    cache = {}

    def get(name: str):
        if name not in cache:
            data = read_contract(DATA / name)
            cache[name] = analyse(data.logs, data.participants, DATASETS[name])
        return cache[name]

    return get


def read_reference(name: str, what: str) -> pd.DataFrame:
    return pd.read_csv(R_DIR / f"{name}_{what}.csv", dtype={"subgroup_level": str},
                       keep_default_na=False, na_values=[""])


def in_fresh_python(job: str, *args, tmp_path: Path):
    """Run ``tests.analysis.fresh``'s ``job`` on ``args`` in a new interpreter (one thread,
    so the analysis may fork there) and return its result."""
    import os
    import pickle
    import subprocess
    import sys

    root = HERE.parents[1]
    src, dst = tmp_path / f"{job}.in.pickle", tmp_path / f"{job}.out.pickle"
    src.write_bytes(pickle.dumps(args))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(root / "src"), str(root), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-m", "tests.analysis.fresh", job, str(src),
                           str(dst)], cwd=root, env=env, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return pickle.loads(dst.read_bytes())
