"""Read and validate the two contract files (participants.csv and logs.csv).

Validation is strict and explicit: any cell outside the contract stops the analysis with a
:class:`ContractError` naming the file, the 1-based data row (and its line in the file), the
column and the offending value. Nothing is dropped silently here; later steps count every
period they leave out, with its reason.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

PS_TYPES = (
    "informal",
    "one_to_one",
    "pairs",
    "groups",
    "peer_led_groups",
    "networks",
    "elefriends",
    "other_online",
)
PS_COLUMNS = tuple(f"ps_{t}_{d}" for t in PS_TYPES for d in ("given", "received"))

# outcome -> (low, high) of the contract's score ranges
OUTCOME_RANGES: dict[str, tuple[float, float]] = {
    "wellbeing": (7.0, 35.0),
    "self_efficacy": (6.0, 60.0),
    "hope": (12.0, 48.0),
    "contact_family": (0.0, 15.0),
    "contact_friends": (0.0, 15.0),
    "contact_neighbours": (0.0, 15.0),
    "health_status": (1.0, 10.0),
}
SCORE_RANGES = {**OUTCOME_RANGES, "eq5d_index": (-0.594, 1.0)}
OUTCOMES = tuple(OUTCOME_RANGES)

PARTICIPANT_CATEGORIES: dict[str, tuple[str, ...]] = {
    "project_type": ("group", "one_to_one", "online"),
    "age_band": ("18-24", "25-34", "35-44", "45-54", "55-64", "65+"),
    "gender": ("male", "female", "other", "prefer_not_to_say"),
    "sexual_orientation": ("heterosexual", "lesbian_gay", "bisexual", "other", "prefer_not_to_say"),
    "ethnic_group": ("white", "black", "asian", "other"),
    "area": ("city", "town", "rural"),
    "uses_mh_services": ("yes", "no"),
    "physical_condition": ("yes", "no"),
    "learning_disability": ("yes", "no"),
}
PARTICIPANT_COLUMNS = ("personal_id", "region", *PARTICIPANT_CATEGORIES, "ethnicity")

LOG_CATEGORIES: dict[str, tuple[str, ...]] = {
    "kind": ("monthly", "quarterly"),
    "version": ("full", "short"),
    "mode": ("online", "paper"),
}
LOG_COLUMNS = (
    "log_id",
    "personal_id",
    "completed_on",
    "submitted_at",
    *LOG_CATEGORIES,
    "projects_attended",
    *PS_COLUMNS,
    *SCORE_RANGES,
)

TICKED = "ticked"


class ContractError(ValueError):
    """Input that breaks the contract; the message says where (file, row, line, column)."""

    def __init__(self, file: str, message: str, row: int | None = None, column: str | None = None):
        where = file
        if row is not None:
            where += f", row {row} (line {row + 1})"
        if column is not None:
            where += f", column '{column}'"
        super().__init__(f"{where}: {message}")
        self.file, self.row, self.column = file, row, column


@dataclass
class ContractData:
    """Validated inputs: typed frames in the file's row order."""

    participants: pd.DataFrame
    logs: pd.DataFrame


def _read_raw(path: str | os.PathLike) -> pd.DataFrame:
    return pd.read_csv(
        path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8"
    )


def _fail_first(file: str, bad: np.ndarray, frame: pd.DataFrame, column: str, what: str) -> None:
    idx = np.flatnonzero(bad)
    if len(idx):
        i = int(idx[0])
        value = frame[column].iloc[i]
        more = f" ({len(idx) - 1} more rows like it)" if len(idx) > 1 else ""
        raise ContractError(file, f"{what}, got {value!r}{more}", row=i + 1, column=column)


def _require(file: str, frame: pd.DataFrame, columns: Iterable[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ContractError(file, f"missing column(s): {', '.join(missing)}")


def _category(file: str, frame: pd.DataFrame, col: str, allowed: tuple[str, ...], empty_ok: bool):
    values = frame[col].str.strip()
    ok = values.isin(allowed) | ((values == "") if empty_ok else False)
    _fail_first(file, ~ok.to_numpy(), frame, col, f"expected one of {', '.join(allowed)}")
    return values.where(values != "", None)


def _unique_ids(file: str, frame: pd.DataFrame, col: str) -> None:
    ids = frame[col].str.strip()
    _fail_first(file, (ids == "").to_numpy(), frame, col, "an identifier is required")
    dup = ids.duplicated().to_numpy()
    _fail_first(file, dup, frame, col, "identifier already used in an earlier row")


def _number(
    file: str, frame: pd.DataFrame, col: str, low: float, high: float, integer: bool = False
) -> pd.Series:
    raw = frame[col].str.strip()
    num = pd.to_numeric(raw.where(raw != "", None), errors="coerce")
    nonnum = (raw != "") & num.isna()
    _fail_first(file, nonnum.to_numpy(), frame, col, "expected a number or an empty cell")
    if integer:
        frac = num.notna() & (num != np.floor(num))
        _fail_first(file, frac.to_numpy(), frame, col, "expected a whole number")
    out = num.notna() & ((num < low) | (num > high))
    _fail_first(file, out.to_numpy(), frame, col, f"expected a value from {low:g} to {high:g}")
    return num.astype(float)


def read_participants(path: str | os.PathLike, name: str | None = None) -> pd.DataFrame:
    """Read participants.csv; extra columns are kept (as text) for --subgroup and --where."""
    return validate_participants(_read_raw(path), name or Path(path).name)


def validate_participants(raw: pd.DataFrame, file: str = "participants.csv") -> pd.DataFrame:
    """Validate a participants frame of strings (as read from the CSV)."""
    raw = raw.fillna("").astype(str)
    _require(file, raw, PARTICIPANT_COLUMNS)
    _unique_ids(file, raw, "personal_id")
    out = raw.copy()
    out["personal_id"] = raw["personal_id"].str.strip()
    for col, allowed in PARTICIPANT_CATEGORIES.items():
        out[col] = _category(file, raw, col, allowed, empty_ok=True)
    for col in out.columns:
        if col not in PARTICIPANT_CATEGORIES and col != "personal_id":
            s = raw[col].str.strip()
            out[col] = s.where(s != "", None)
    return out.reset_index(drop=True)


def read_logs(path: str | os.PathLike, name: str | None = None) -> pd.DataFrame:
    """Read logs.csv: dates parsed, scores numeric, peer support cells as counts or ticks."""
    return validate_logs(_read_raw(path), name or Path(path).name)


def validate_logs(raw: pd.DataFrame, file: str = "logs.csv") -> pd.DataFrame:
    """Validate a logs frame of strings. Peer support cells become float counts (0 if empty)
    plus a boolean ``<col>_ticked`` column."""
    raw = raw.fillna("").astype(str)
    _require(file, raw, LOG_COLUMNS)
    _unique_ids(file, raw, "log_id")
    pid = raw["personal_id"].str.strip()
    _fail_first(file, (pid == "").to_numpy(), raw, "personal_id", "an identifier is required")
    out = pd.DataFrame({"log_id": raw["log_id"].str.strip(), "personal_id": pid})
    completed = pd.to_datetime(raw["completed_on"].str.strip(), format="ISO8601", errors="coerce")
    _fail_first(
        file, completed.isna().to_numpy(), raw, "completed_on", "expected an ISO date (YYYY-MM-DD)"
    )
    out["completed_on"] = completed.dt.normalize()
    sub_raw = raw["submitted_at"].str.strip()
    submitted = pd.to_datetime(sub_raw.where(sub_raw != "", None), format="ISO8601",
                               errors="coerce", utc=True)
    bad = (sub_raw != "") & submitted.isna()
    _fail_first(file, bad.to_numpy(), raw, "submitted_at", "expected an ISO timestamp")
    out["submitted_at"] = submitted
    for col, allowed in LOG_CATEGORIES.items():
        out[col] = _category(file, raw, col, allowed, empty_ok=False)
    out["projects_attended"] = _number(file, raw, "projects_attended", 0, np.inf, integer=True)
    for col in PS_COLUMNS:
        cell = raw[col].str.strip()
        ticked = cell.str.lower() == TICKED
        num = pd.to_numeric(cell.where((cell != "") & ~ticked, None), errors="coerce")
        bad = ((cell != "") & ~ticked & num.isna()) | (num < 0) | (num.notna() & (num % 1 != 0))
        _fail_first(
            file, bad.to_numpy(), raw, col, "expected a whole number >= 0, 'ticked' or empty"
        )
        out[col] = num.fillna(0.0).astype(float)
        out[f"{col}_ticked"] = ticked.to_numpy()
    for col, (low, high) in SCORE_RANGES.items():
        out[col] = _number(file, raw, col, low, high)
    # A grid with no cell filled in is more likely unanswered than "no peer support at all".
    out["ps_grid_blank"] = (raw[list(PS_COLUMNS)].apply(lambda c: c.str.strip()) == "").all(
        axis=1).to_numpy()
    return out


def read_contract(directory_or_participants: str | os.PathLike,
                  logs: str | os.PathLike | None = None) -> ContractData:
    """Read both files, from one folder or from two paths."""
    if logs is None:
        base = Path(directory_or_participants)
        ppath, lpath = base / "participants.csv", base / "logs.csv"
    else:
        ppath, lpath = Path(directory_or_participants), Path(logs)
    for p in (ppath, lpath):
        if not p.exists():
            raise ContractError(str(p), "file not found")
    return ContractData(read_participants(ppath), read_logs(lpath))
