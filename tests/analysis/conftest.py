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
