"""Service use from the quarterly log's answers (``items_wide.csv``), tidy and as matrices.

Each quarterly log covers the 3 months before it. The forms' own instructions decide what a
blank means: the inpatient and hospital-visit tables say "please state 0", so a blank there is
*missing*; the community-services table says "leave blank if service not used", so a blank
contact count there is *zero*. A tick where a number was expected means "used, amount unknown"
(missing, never zero). Items the short quarterly does not ask are *not asked*, never zero.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

TICKED = "ticked"
PREFER_NOT = "prefer_not_to_answer"
LOG_COLUMNS = ("log_id", "personal_id", "completed_on", "instrument", "version")

INPATIENT = ("mental_health", "physical_health", "maternity", "residential_care")
VISITS = ("ae_mental_health", "ae_physical_health", "outpatient_mental_health",
          "outpatient_other")
SERVICES = ("cmht", "crisis_team", "other_mh_team", "group_therapy", "individual_therapy", "gp",
            "practice_nurse", "health_visitor", "midwife", "complementary_therapist",
            "home_care", "day_centre", "supported_employment", "recovery_college",
            "community_groups", "other")
ECON_STATUS = ("full_time", "part_time", "voluntary", "training", "unemployed",
               "not_working_illness", "retired", "student", "homemaker", "family_caregiver",
               "other")
WEEKS_PER_QUARTER = 13  # the form: "Assume 13 weeks = 3 months"


@dataclass(frozen=True)
class Measure:
    """One column of service_use.csv's tidy rows: an item and how to read it."""

    item: str
    resource: str
    measure: str
    unit: str
    blank: str = "missing"  # "missing" or "zero"
    kind: str = "number"  # "number", "yes_no", "choice" or "flag" (a multi option)
    ask_if: tuple[str, tuple[str, ...]] | None = None


def _measures() -> tuple[Measure, ...]:
    out = []
    for r in INPATIENT:
        out += [Measure(f"inpatient_{r}_admissions", f"inpatient_{r}", "admissions", "admission"),
                Measure(f"inpatient_{r}_nights", f"inpatient_{r}", "nights", "night")]
    out += [Measure(f"visits_{v}", v, "visits", "visit") for v in VISITS]
    for s in SERVICES:
        out += [Measure(f"service_{s}_contacts", s, "contacts", "contact", blank="zero"),
                Measure(f"service_{s}_minutes", s, "average_minutes", "minute")]
    out += [Measure("med_taken", "medication", "taken", "yes/no", kind="yes_no"),
            Measure("med_change", "medication", "change", "category", kind="choice",
                    ask_if=("med_taken", ("yes",)))]
    out += [Measure(f"econ_status_{c}", "time_use", c, "yes/no", kind="flag")
            for c in ECON_STATUS]
    employed, volunteer = ("full_time", "part_time"), ("voluntary",)
    study, out_of_work = ("training", "student"), ("unemployed", "not_working_illness")
    out += [
        Measure("econ_work_hours", "employment", "hours_per_week", "hour", ask_if=("econ_status",
                                                                               employed)),
        Measure("econ_work_days_off", "employment", "days_off_sick", "day",
                ask_if=("econ_status", employed)),
        Measure("econ_volunteer_hours", "volunteering", "hours_per_week", "hour",
                ask_if=("econ_status", volunteer)),
        Measure("econ_volunteer_hours_missed", "volunteering", "hours_missed", "hour",
                ask_if=("econ_status", volunteer)),
        Measure("econ_study_hours", "education", "hours_per_week", "hour",
                ask_if=("econ_status", study)),
        Measure("econ_study_hours_missed", "education", "hours_missed", "hour",
                ask_if=("econ_status", study)),
        Measure("econ_unemployed_weeks", "unemployment", "weeks", "week",
                ask_if=("econ_status", out_of_work)),
        Measure("family_hours", "informal_care", "family_hours_per_week", "hour"),
        Measure("family_friends_hours", "informal_care", "friends_hours_per_week", "hour"),
        Measure("family_time_off", "informal_care", "family_time_off_work", "yes/no",
                kind="yes_no"),
        Measure("family_friends_time_off", "informal_care", "friends_time_off_work", "yes/no",
                kind="yes_no"),
    ]
    return tuple(out)


MEASURES = _measures()
SERVICE_USE_COLUMNS = ("personal_id", "log_id", "completed_on", "period_start", "period_end",
                       "source", "resource", "measure", "unit", "value", "status")


@cache
def asked_items(instrument: str) -> frozenset[str]:
    """Codes the instrument asks (multi options as ``<item>_<option>``)."""
    from peerlog.instruments import load_instrument

    inst = load_instrument(instrument)
    codes = set(inst.items)
    for item in inst.items.values():
        if item.type == "multi":
            codes |= {f"{item.code}_{o.value}" for o in item.options}
    return frozenset(codes)


class ItemsError(ValueError):
    """items_wide.csv does not fit the forms (a bad value names the log and the item)."""


def read_items(path: str | os.PathLike) -> pd.DataFrame:
    """items_wide.csv as strings (only the columns the economics uses, for speed)."""
    wanted = set(LOG_COLUMNS) | {m.item for m in MEASURES}
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False,
                       usecols=lambda c: c in wanted)


@dataclass
class ServiceUse:
    """Quarterly logs (one row each) and, per measure, a value and a status array.

    Status codes: 0 answered, 1 blank read as zero, 2 missing, 3 ticked, 4 prefer not to
    answer, 5 not asked by this version of the form, 6 not applicable (its condition failed).
    """

    logs: pd.DataFrame  # LOG_COLUMNS + period_start, period_end, source
    values: dict[str, np.ndarray]
    status: dict[str, np.ndarray]
    choices: dict[str, np.ndarray]  # text answers of choice / yes-no items


STATUS_NAMES = np.array(["answered", "blank_not_used", "missing", "ticked", "prefer_not",
                         "not_asked", "not_applicable"], dtype=object)


def _numbers(raw: np.ndarray) -> np.ndarray:
    """Text to float; anything that is not a number becomes NaN (reported by the caller)."""
    try:
        return raw.astype(float)
    except ValueError:
        return pd.to_numeric(pd.Series(raw), errors="coerce").to_numpy(dtype=float)


def build(items: pd.DataFrame, keep_log_ids: pd.Series | None = None) -> ServiceUse:
    """Read every quarterly log's service use from items_wide (strings)."""
    quarterly = items["instrument"].str.startswith("quarterly")
    if keep_log_ids is not None:
        quarterly &= items["log_id"].isin(set(keep_log_ids))
    frame = items[quarterly.to_numpy()].reset_index(drop=True)
    end = pd.to_datetime(frame["completed_on"], format="ISO8601").dt.normalize()
    logs = pd.DataFrame({c: frame[c] for c in ("log_id", "personal_id")})
    logs["completed_on"] = end
    logs["period_start"] = end - pd.DateOffset(months=3)
    logs["period_end"] = end
    logs["source"] = np.where(frame["version"].to_numpy() == "short", "short", "full")
    logs["instrument"] = frame["instrument"].to_numpy()
    n = len(frame)
    empty = np.full(n, "", dtype=object)
    instruments = frame["instrument"].to_numpy()
    masks = {str(inst): instruments == inst for inst in pd.unique(instruments)}
    values, status, choices = {}, {}, {}
    multi_chosen: dict[str, np.ndarray] = {}
    for c in ECON_STATUS:
        col = frame.get(f"econ_status_{c}")
        multi_chosen[c] = (col.to_numpy() == "1") if col is not None else np.zeros(n, bool)
    for m in MEASURES:
        raw = frame[m.item].to_numpy(dtype=object) if m.item in frame else empty
        st = np.zeros(n, dtype=np.int8)
        blank = raw == ""
        st[blank] = 1 if m.blank == "zero" else 2
        st[raw == TICKED] = 3
        st[raw == PREFER_NOT] = 4
        asked = np.ones(n, dtype=bool)
        for inst, mask in masks.items():
            if m.item not in asked_items(inst):
                asked[mask] = False
        if m.ask_if:
            source, allowed = m.ask_if
            if source == "econ_status":
                applies = np.zeros(n, bool)
                for c in allowed:
                    applies |= multi_chosen[c]
            else:
                src = frame[source].to_numpy() if source in frame else empty
                applies = np.isin(src, allowed)
            st[blank & ~applies] = 6
        if m.measure == "average_minutes":  # no duration to give without contacts
            contacts = values[m.item.replace("_minutes", "_contacts")]
            st[blank & (contacts == 0)] = 6
        st[~asked] = 5
        if m.kind == "number":
            ok = st == 0
            num = _numbers(np.where(ok, raw, "nan"))
            bad = ok & (~np.isfinite(num) | (num < 0))
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                raise ItemsError(f"items_wide.csv: log {frame['log_id'].iloc[i]}, item "
                                 f"{m.item}: expected a number >= 0, got {raw[i]!r}")
            num = np.where(st == 1, 0.0, num)
        elif m.kind == "flag":
            num = np.where(st == 0, (raw == "1").astype(float), np.nan)
        else:
            num = np.where(st == 0, (raw == "yes").astype(float), np.nan) \
                if m.kind == "yes_no" else np.full(n, np.nan)
            choices[m.item] = np.where(st == 0, raw, "")
        values[m.item] = np.where(np.isin(st, (0, 1)), num, np.nan)
        status[m.item] = st
    return ServiceUse(logs, values, status, choices)


def tidy(use: ServiceUse) -> pd.DataFrame:
    """service_use.csv: one row per quarterly log per measure that the form asked and that
    applied (a question skipped by its condition, e.g. work hours of someone not in work,
    or the duration of a service not used, has no row)."""
    n = len(use.logs)
    parts = []
    for m in MEASURES:
        st = use.status[m.item]
        keep = st < 5
        value = use.values[m.item]
        if m.kind in ("yes_no", "choice"):
            shown = use.choices[m.item]
        else:
            shown = np.where(np.isnan(value), "", pd.Series(value).map("{:g}".format).to_numpy())
        parts.append(pd.DataFrame({
            "row": np.arange(n)[keep], "order": len(parts),
            "resource": m.resource, "measure": m.measure, "unit": m.unit,
            "value": shown[keep], "status": STATUS_NAMES[st[keep]],
        }))
    long = pd.concat(parts, ignore_index=True).sort_values(["row", "order"], kind="stable")
    logs = use.logs.iloc[long["row"].to_numpy()]
    out = pd.DataFrame({
        "personal_id": logs["personal_id"].to_numpy(),
        "log_id": logs["log_id"].to_numpy(),
        "completed_on": logs["completed_on"].dt.strftime("%Y-%m-%d").to_numpy(),
        "period_start": logs["period_start"].dt.strftime("%Y-%m-%d").to_numpy(),
        "period_end": logs["period_end"].dt.strftime("%Y-%m-%d").to_numpy(),
        "source": logs["source"].to_numpy(),
    })
    for c in ("resource", "measure", "unit", "value", "status"):
        out[c] = long[c].to_numpy()
    return out


_SMALL = np.array([str(i) for i in range(100_000)], dtype=object)


def _value_text(use: ServiceUse, m: Measure) -> np.ndarray:
    """Values as service_use.csv shows them (small whole numbers by lookup, for speed)."""
    if m.kind in ("yes_no", "choice"):
        return use.choices[m.item].astype(object)
    v = use.values[m.item]
    out = np.full(len(v), "", dtype=object)
    whole = ~np.isnan(v) & (v == np.floor(v)) & (v >= 0) & (v < len(_SMALL))
    out[whole] = _SMALL[v[whole].astype(np.int64)]
    other = ~np.isnan(v) & ~whole
    out[other] = [f"{x:g}" for x in v[other]]
    return out


def _csv_field(text: str) -> str:
    if any(c in text for c in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _suffixes(use: ServiceUse, m: Measure) -> tuple[np.ndarray, np.ndarray]:
    """(rows kept, "resource,measure,unit,value,status" per row), built from the few distinct
    value/status pairs rather than row by row."""
    st = use.status[m.item]
    codes, texts = pd.factorize(_value_text(use, m))
    key = codes.astype(np.int64) * 8 + st
    distinct, inverse = np.unique(key, return_inverse=True)
    table = np.array([f"{m.resource},{m.measure},{m.unit},{texts[k // 8]},{STATUS_NAMES[k % 8]}"
                      for k in distinct], dtype=object)
    return st < 5, table[inverse]


def write_tidy(use: ServiceUse, path: str | os.PathLike, chunk: int = 20_000) -> int:
    """Write service_use.csv (the rows of :func:`tidy`, same order) without building the long
    frame: at programme scale it has millions of rows. Returns the row count."""
    logs = use.logs
    prefix = (logs["personal_id"].astype(str).map(_csv_field) + ","
              + logs["log_id"].astype(str).map(_csv_field) + ","
              + logs["completed_on"].dt.strftime("%Y-%m-%d") + ","
              + logs["period_start"].dt.strftime("%Y-%m-%d") + ","
              + logs["period_end"].dt.strftime("%Y-%m-%d") + "," + logs["source"] + ",")
    prefix = prefix.to_numpy(dtype=object)
    suffixes = [_suffixes(use, m) for m in MEASURES]
    count = 0
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(SERVICE_USE_COLUMNS) + "\n")
        for start in range(0, len(logs), chunk):
            sl = slice(start, start + chunk)
            block = np.full((len(prefix[sl]), len(MEASURES)), None, dtype=object)
            for j, (keep, suffix) in enumerate(suffixes):
                k = keep[sl]
                block[k, j] = prefix[sl][k] + suffix[sl][k]
            lines = block.ravel()
            lines = lines[lines != None]  # noqa: E711 (elementwise on an object array)
            count += len(lines)
            if len(lines):
                handle.write("\n".join(lines) + "\n")
    return count
