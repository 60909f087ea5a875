"""The contract files as SPSS (.sav) and Stata (.dta), with variable and value labels.

Researchers in this field work in SPSS and Stata. Categories are coded 1..k in the order of
the definition's options with the option texts as value labels (the SPSS convention); a
ticked peer support box is coded -1, labelled "box ticked, no number", and declared
user-missing in SPSS, so a tick stays a tick and is never averaged as a number.
Built from the CSV files the export just wrote, so all formats hold the same data.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat

from peerlog.export.contract import safe_cell
from peerlog.instruments import TICKED, load_instrument

TICK_CODE = -1
# participants.csv column -> registration item whose options label it
CATEGORY_ITEMS = {
    "age_band": "age_band", "gender": "gender", "sexual_orientation": "sexual_orientation",
    "ethnicity": "ethnicity", "area": "area", "uses_mh_services": "uses_mh_services",
    "physical_condition": "physical_condition", "learning_disability": "learning_disability",
}
OTHER_CATEGORIES = ("region", "project_type", "ethnic_group", "project", "project_funding",
                    "diagnosis_specific", "bame_specific", "kind", "version", "mode",
                    "language", "instrument")
SCORE_LABELS = {
    "wellbeing": "SWEMWBS wellbeing (metric score, 7-35)",
    "hope": "Herth Hope Index total (12-48)",
    "self_efficacy": "Mental Health Self-Efficacy Scale total (6-60)",
    "contact_family": "Lubben social network: family (0-15)",
    "contact_friends": "Lubben social network: friends (0-15)",
    "contact_neighbours": "Lubben social network: neighbours and acquaintances (0-15)",
    "health_status": "Health today, EQ VAS as asked in the log (1-10)",
    "eq5d_index": "EQ-5D-3L index, UK TTO value set",
    "projects_attended": "Number of peer support projects attended in the last month",
}


def _encode(series: pd.Series, labels: list[tuple[str, str]]) -> tuple[pd.Series, dict]:
    """Code a text column 1..k in the given order; unknown values are appended after."""
    order = [value for value, _ in labels]
    order += sorted(set(series.dropna()) - set(order))
    text = dict(labels)
    codes = {value: i for i, value in enumerate(order, start=1)}
    return series.map(codes).astype("Float64"), {i: text.get(v, v) for v, i in codes.items()}


def _participants(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict, dict]:
    from peerlog.export.profiles import columns

    registration = load_instrument("registration")
    profiles = columns()
    value_labels, column_labels = {}, {"personal_id": "Personal ID"}
    for column in frame.columns:
        if column in CATEGORY_ITEMS:
            item = registration.items[CATEGORY_ITEMS[column]]
            options = [(str(o.value), o.text) for o in item.options]
            frame[column], value_labels[column] = _encode(frame[column], options)
            column_labels[column] = item.text
        elif column in OTHER_CATEGORIES:
            frame[column], value_labels[column] = _encode(frame[column], [])
        elif column in profiles:
            label, options = profiles[column]
            column_labels[column] = label
            if options:
                frame[column], value_labels[column] = _encode(frame[column], options)
    return frame, value_labels, column_labels


def _logs(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict, dict, dict]:
    monthly = load_instrument("monthly").rendered()
    value_labels, column_labels, missing = {}, {}, {}
    for column in frame.columns:
        if column.startswith("ps_"):
            frame[column] = frame[column].replace(TICKED, str(TICK_CODE)).astype("Float64")
            value_labels[column] = {TICK_CODE: "box ticked, no number"}
            missing[column] = [TICK_CODE]
            column_labels[column] = monthly.items[column].text
        elif column in OTHER_CATEGORIES:
            frame[column], value_labels[column] = _encode(frame[column], [])
        elif column in SCORE_LABELS:
            column_labels[column] = SCORE_LABELS[column]
    return frame, value_labels, column_labels, missing


def _formula_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells as in the CSV files: none starts like a spreadsheet formula (SPSS and
    Stata files are opened in spreadsheets too, and exported back to CSV)."""
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            frame[column] = frame[column].map(safe_cell, na_action="ignore")
    return frame


def write_labelled(folder: Path, formats: tuple[str, ...] = ("sav", "dta")) -> list[Path]:
    """Write participants and logs in each of ``formats`` next to the CSV files."""
    written = []
    people = pd.read_csv(folder / "participants.csv", dtype=str, keep_default_na=False)
    logs = pd.read_csv(folder / "logs.csv", dtype=str, keep_default_na=False)
    people, p_values, p_labels = _participants(people.replace("", pd.NA))
    logs, l_values, l_labels, l_missing = _logs(logs.replace("", pd.NA))
    for column in SCORE_LABELS:
        if column in logs:
            logs[column] = pd.to_numeric(logs[column]).astype("Float64")
    for name, frame, values, labels, missing in (
        ("participants", people, p_values, p_labels, {}),
        ("logs", logs, l_values, l_labels, l_missing),
    ):
        frame = frame.astype({c: "object" for c in frame.columns if frame[c].dtype == "string"})
        frame = _formula_safe(frame)
        if "sav" in formats:
            path = folder / f"{name}.sav"
            pyreadstat.write_sav(frame, path, column_labels=labels,
                                 variable_value_labels=values, missing_ranges=missing)
            written.append(path)
        if "dta" in formats:
            path = folder / f"{name}.dta"
            pyreadstat.write_dta(
                frame, path,
                column_labels={k: v[:80] for k, v in labels.items()},
                variable_value_labels=values,
            )
            written.append(path)
    return written
