"""Item-level exports: every answer of every exported log, long and wide, CSV, SPSS and Stata.

The contract's ``logs.csv`` carries scores only; economists need the answers themselves
(service use, employment, medication, help from family and friends). ``items.csv`` is long
(one row per answer; a multiple-choice answer gives one row per option chosen),
``items_wide.csv`` one row per log with one column per item (one 0/1 column per option of a
multiple-choice item). Free-text answers can hold names, so they are left out unless the caller
asks for them (``--include-free-text``, which the command audits).

The row builders are pure Python, so the synthetic cohort writes the very same files without a
database; only :func:`db_logs` touches Django.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path

import pandas as pd

from peerlog.instruments import PREFER_NOT, TICKED, Item, load_instrument

LOG_FIELDS = ("log_id", "personal_id", "completed_on", "instrument", "version", "language",
              "mode")
LONG_COLUMNS = (*LOG_FIELDS, "item", "value", "value_label")
LOG_INSTRUMENTS = ("monthly", "monthly_short", "quarterly", "quarterly_short")
#: Item types that are never exported here: the log's own ID and date are columns already.
SKIPPED_TYPES = frozenset({"personal_id", "date", "email", "phone", "postal"})
FREE_TEXT_TYPES = frozenset({"text"})
TICK_CODE = -1
PREFER_NOT_CODE = -9
TICK_LABEL = "box ticked, no number"
PREFER_NOT_LABEL = "Prefer not to answer"


@cache
def exported_items(include_free_text: bool = False) -> tuple[Item, ...]:
    """Every item of the log instruments, in form order (monthly first, then the quarterly
    extras), once each."""
    seen: dict[str, Item] = {}
    for code in LOG_INSTRUMENTS:
        for item in load_instrument(code).rendered().items.values():
            if item.type in SKIPPED_TYPES or item.contact or item.code in seen:
                continue
            if item.type in FREE_TEXT_TYPES and not include_free_text:
                continue
            seen[item.code] = item
    return tuple(seen.values())


def wide_columns(include_free_text: bool = False) -> tuple[str, ...]:
    cols: list[str] = list(LOG_FIELDS)
    for item in exported_items(include_free_text):
        if item.type == "multi":
            cols += [f"{item.code}_{o.value}" for o in item.options]
        else:
            cols.append(item.code)
    return tuple(cols)


def _label(item: Item, value: object) -> str:
    if value == TICKED:
        return TICK_LABEL
    if value == PREFER_NOT:
        return PREFER_NOT_LABEL
    option = item.option(value)
    return option.text if option else ""


def long_rows(log: Mapping[str, str], answers: Mapping[str, object],
              include_free_text: bool = False) -> Iterator[dict[str, str]]:
    """items.csv rows of one log (``log`` holds the LOG_FIELDS as strings)."""
    base = {k: log[k] for k in LOG_FIELDS}
    for item in exported_items(include_free_text):
        value = answers.get(item.code)
        if value is None or value == "" or value == []:
            continue
        values = value if isinstance(value, list | tuple) else [value]
        for v in values:
            yield {**base, "item": item.code, "value": str(v), "value_label": _label(item, v)}


def wide_row(log: Mapping[str, str], answers: Mapping[str, object],
             include_free_text: bool = False) -> dict[str, str]:
    """items_wide.csv row of one log: empty = not answered (or not asked)."""
    row = {k: log[k] for k in LOG_FIELDS}
    for item in exported_items(include_free_text):
        value = answers.get(item.code)
        if item.type == "multi":
            if value is None or value == []:
                continue
            chosen = set(value) if isinstance(value, list | tuple) else {value}
            for o in item.options:
                key = f"{item.code}_{o.value}"
                row[key] = PREFER_NOT if PREFER_NOT in chosen else str(int(o.value in chosen))
        elif value is not None and value != "":
            row[item.code] = str(value)
    return row


def write(out: Path, logs: Iterable[tuple[Mapping[str, str], Mapping[str, object]]],
          include_free_text: bool = False, labelled: bool = True) -> dict[str, int]:
    """Write items.csv and items_wide.csv (and .sav/.dta copies of the wide file) from
    ``(log fields, answers)`` pairs; returns row counts."""
    columns = wide_columns(include_free_text)
    n_long = n_logs = 0
    with (out / "items.csv").open("w", newline="", encoding="utf-8") as lf, \
            (out / "items_wide.csv").open("w", newline="", encoding="utf-8") as wf:
        long_w = csv.DictWriter(lf, fieldnames=LONG_COLUMNS, lineterminator="\n")
        wide_w = csv.DictWriter(wf, fieldnames=columns, lineterminator="\n")
        long_w.writeheader()
        wide_w.writeheader()
        for log, answers in logs:
            for row in long_rows(log, answers, include_free_text):
                long_w.writerow(row)
                n_long += 1
            wide_w.writerow(wide_row(log, answers, include_free_text))
            n_logs += 1
    if labelled:
        write_labelled(out, include_free_text)
    return {"items": n_long, "item_logs": n_logs}


def db_logs() -> Iterator[tuple[dict[str, str], dict[str, object]]]:
    """(log fields, answers) of every exported log, streamed from the database: the same logs
    as logs.csv (complete; people who asked for removal left out)."""
    from peerlog.export.contract import exported_logs

    queryset = exported_logs().order_by("completed_on", "received_at", "id")
    for log in queryset.iterator(2000):
        yield {
            "log_id": str(log.uuid),
            "personal_id": (log.participant.personal_id.code if log.participant
                            else log.typed_personal_id),
            "completed_on": log.completed_on.isoformat(),
            "instrument": log.instrument, "version": log.version,
            "language": log.language, "mode": log.mode,
        }, log.answers


def write_from_db(out: Path, include_free_text: bool = False,
                  labelled: bool = True) -> dict[str, int]:
    return write(out, db_logs(), include_free_text, labelled)


# --- SPSS and Stata ------------------------------------------------------------------------

def _variable_labels(item: Item) -> str:
    return item.text if len(item.text) <= 250 else item.text[:247] + "..."


def labelled_frame(frame: pd.DataFrame, include_free_text: bool = False):
    """items_wide as numbers with value labels: options keep their stored value when it is a
    number, text options are coded 1..k in form order; ticks are -1 and prefer-not -9, both
    labelled and declared missing (SPSS user-missing)."""
    out = pd.DataFrame(index=frame.index)
    values, labels, missing = {}, {}, {}
    for col in LOG_FIELDS:
        out[col] = frame[col] if col in frame else pd.Series(dtype=object)
    specials = {TICKED: TICK_CODE, PREFER_NOT: PREFER_NOT_CODE}
    special_labels = {TICK_CODE: TICK_LABEL, PREFER_NOT_CODE: PREFER_NOT_LABEL}
    for item in exported_items(include_free_text):
        if item.type in FREE_TEXT_TYPES:
            out[item.code] = frame.get(item.code, pd.Series("", index=frame.index))
            labels[item.code] = _variable_labels(item)
            continue
        if item.type == "multi":
            for o in item.options:
                col = f"{item.code}_{o.value}"
                raw = frame.get(col, pd.Series("", index=frame.index)).replace(specials)
                out[col] = pd.to_numeric(raw.replace("", pd.NA)).astype("Float64")
                values[col] = {0: "not chosen", 1: "chosen", PREFER_NOT_CODE: PREFER_NOT_LABEL}
                labels[col] = f"{_variable_labels(item)[:200]}: {o.text}"[:250]
                missing[col] = [PREFER_NOT_CODE]
            continue
        raw = frame.get(item.code, pd.Series("", index=frame.index)).astype(object)
        codes = dict(specials)
        vl: dict[float, str] = {}
        if item.options:
            numeric = all(isinstance(o.value, int) for o in item.options)
            for i, o in enumerate(item.options, start=1):
                code = o.value if numeric else i
                codes[str(o.value)] = code
                vl[code] = o.text
        raw = raw.map(lambda v, c=codes: c.get(v, v) if isinstance(v, str) else v)
        out[item.code] = pd.to_numeric(raw.replace("", pd.NA)).astype("Float64")
        present = set(out[item.code].dropna().astype(float))
        for code, text in special_labels.items():
            if code in present or code == TICK_CODE and item.type in ("count", "integer") \
                    or code == PREFER_NOT_CODE and item.prefer_not:
                vl[code] = text
        flagged = [c for c in (TICK_CODE, PREFER_NOT_CODE) if c in vl]
        if flagged:
            missing[item.code] = flagged
        if vl:
            values[item.code] = vl
        labels[item.code] = _variable_labels(item)
    return out, values, labels, missing


STATA_LIMIT = 26  # Stata allows 32, but readstat refuses long value-label set names
STATA_ABBREVIATIONS = (("service_", "svc_"), ("inpatient_", "inp_"), ("_admissions", "_adm"),
                       ("_contacts", "_n"), ("_minutes", "_min"), ("_nights", "_nts"),
                       ("mental_health", "mh"), ("physical_health", "ph"),
                       ("complementary_", "compl_"), ("residential_", "resid_"),
                       ("supported_", "supp_"), ("individual_", "indiv_"),
                       ("econ_status_", "status_"), ("_therapist", "_ther"),
                       ("_therapy", "_ther"), ("_employment", "_empl"), ("_college", "_coll"),
                       ("outpatient_", "outp_"), ("_illness", "_ill"), ("_received", "_rec"),
                       ("_groups", "_grp"), ("_given", "_giv"), ("_volunteer", "_vol"),
                       ("_caregiver", "_carer"), ("_friends", "_frnd"), ("_neighbours", "_nbr"))


def stata_name(column: str) -> str:
    """Short enough for Stata and readstat; longer item codes are abbreviated (the full code
    leads the variable label)."""
    for long, short in STATA_ABBREVIATIONS:
        if len(column) <= STATA_LIMIT:
            break
        column = column.replace(long, short)
    return column[:STATA_LIMIT]


def write_labelled(out: Path, include_free_text: bool = False) -> list[Path]:
    import pyreadstat

    frame = pd.read_csv(out / "items_wide.csv", dtype=str, keep_default_na=False)
    data, values, labels, missing = labelled_frame(frame, include_free_text)
    data = data.astype({c: "object" for c in data.columns if data[c].dtype == "string"})
    sav, dta = out / "items_wide.sav", out / "items_wide.dta"
    stata = {c: stata_name(c) for c in data.columns}
    if len(set(stata.values())) != len(stata):
        raise ValueError("two item codes abbreviate to the same Stata name")
    pyreadstat.write_sav(data, sav, column_labels=labels, variable_value_labels=values,
                         missing_ranges=missing)
    # Stata: the same codes and labels; -1 and -9 are labelled so `mvdecode` can make them
    # extended missing values (.a/.b), which pyreadstat cannot write into numeric columns.
    pyreadstat.write_dta(
        data.rename(columns=stata), dta,
        column_labels={stata[k]: (v if stata[k] == k else f"{k}: {v}")[:80]
                       for k, v in labels.items()},
        variable_value_labels={stata[k]: v for k, v in values.items()})
    return [sav, dta]
