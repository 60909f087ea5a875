"""Bad input fails with a message naming file, row (and line) and column."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from peerlog.analysis.contract import ContractError, read_contract, read_logs, read_participants

from .conftest import DATA


@pytest.fixture
def folder(tmp_path):
    for f in ("participants.csv", "logs.csv"):
        shutil.copy(DATA / "small" / f, tmp_path / f)
    return tmp_path


def _edit(path, row, column, value):
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[row - 1, column] = value
    df.to_csv(path, index=False)


def test_valid_files_read(folder):
    data = read_contract(folder)
    assert len(data.participants) == 45
    assert len(data.logs) == 196
    assert data.logs["ps_informal_given_ticked"].any()  # paper ticks kept as ticks


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("kind", "weekly", "expected one of monthly, quarterly"),
        ("ps_pairs_given", "lots", "expected a whole number >= 0, 'ticked' or empty"),
        ("ps_pairs_received", "-1", "expected a whole number >= 0, 'ticked' or empty"),
        ("ps_groups_given", "1.5", "expected a whole number >= 0, 'ticked' or empty"),
        ("wellbeing", "36", "expected a value from 7 to 35"),
        ("hope", "high", "expected a number or an empty cell"),
        ("health_status", "0", "expected a value from 1 to 10"),
        ("projects_attended", "-2", "expected a value from 0 to inf"),
        ("completed_on", "31/12/2016", "expected an ISO date"),
        ("mode", "", "expected one of online, paper"),
    ],
)
def test_bad_log_cell(folder, column, value, expected):
    _edit(folder / "logs.csv", 17, column, value)
    with pytest.raises(ContractError) as err:
        read_logs(folder / "logs.csv")
    msg = str(err.value)
    assert msg.startswith("logs.csv, row 17 (line 18), column '" + column + "'")
    assert expected in msg
    assert repr(value) in msg
    assert (err.value.row, err.value.column) == (17, column)


def test_missing_column(folder):
    df = pd.read_csv(folder / "logs.csv", dtype=str, keep_default_na=False)
    df.drop(columns=["hope", "kind"]).to_csv(folder / "logs.csv", index=False)
    with pytest.raises(ContractError, match=r"logs.csv: missing column\(s\): kind, hope"):
        read_logs(folder / "logs.csv")


def test_duplicate_log_id(folder):
    df = pd.read_csv(folder / "logs.csv", dtype=str, keep_default_na=False)
    _edit(folder / "logs.csv", 5, "log_id", df.loc[1, "log_id"])
    with pytest.raises(ContractError, match=r"row 5 \(line 6\), column 'log_id'"):
        read_logs(folder / "logs.csv")


def test_unknown_participant_category(folder):
    _edit(folder / "participants.csv", 3, "gender", "m")
    with pytest.raises(ContractError) as err:
        read_participants(folder / "participants.csv")
    assert str(err.value).startswith("participants.csv, row 3 (line 4), column 'gender'")
    assert "male, female, other, prefer_not_to_say" in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(ContractError, match="file not found"):
        read_contract(tmp_path)
