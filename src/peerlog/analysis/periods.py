"""From validated logs to periods: duplicates, derived variables, change and data-flow counts.

Everything here follows the evaluation's analysis plan as fixed in the analysis contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .contract import OUTCOMES, PS_TYPES
from .sequence import log_sequence

CHANGE_LEVELS = ("decreased", "same", "increased")

FORMS: dict[str, tuple[str, ...]] = {
    "informal": ("informal",),
    "one_to_one_pairs": ("one_to_one", "pairs"),
    "group": ("groups", "peer_led_groups"),
    "online": ("elefriends", "other_online"),
}
OVERALL_PS = ("projects", "types_given", "types_received")
FORM_PS = tuple(f"{f}_{d}" for f in FORMS for d in ("given", "received"))
PS_VARIABLES = OVERALL_PS + FORM_PS

# subgroup factor -> (participant column, {value: level}, level order)
_YES_NO = ({"no": "no", "yes": "yes"}, ("no", "yes"))
SUBGROUPS: dict[str, tuple[str, dict[str, str], tuple[str, ...]]] = {
    "gender": ("gender", {"male": "male", "female": "female"}, ("male", "female")),
    "age_group": (
        "age_band",
        {"18-24": "18-34", "25-34": "18-34", "35-44": "35-54", "45-54": "35-54",
         "55-64": "55+", "65+": "55+"},
        ("18-34", "35-54", "55+"),
    ),
    "ethnic_group": (
        "ethnic_group",
        {v: v for v in ("white", "black", "asian", "other")},
        ("white", "black", "asian", "other"),
    ),
    "sexuality": (
        "sexual_orientation",
        {"heterosexual": "heterosexual", "lesbian_gay": "lgbt", "bisexual": "lgbt",
         "other": "lgbt"},
        ("heterosexual", "lgbt"),
    ),
    "area": ("area", {v: v for v in ("city", "town", "rural")}, ("city", "town", "rural")),
    "uses_mh_services": ("uses_mh_services", *_YES_NO),
    "learning_disability": ("learning_disability", *_YES_NO),
    "physical_condition": ("physical_condition", *_YES_NO),
    "project_type": (
        "project_type",
        {v: v for v in ("group", "one_to_one", "online")},
        ("group", "one_to_one", "online"),
    ),
}


@dataclass
class DataFlow:
    """Counts for the data-flow figure (figure 4.1 of the evaluation report)."""

    participants_registered: int = 0
    registered_with_logs: int = 0
    registered_without_logs: int = 0
    logs_read: int = 0
    duplicates_removed: int = 0
    logs_analysed: int = 0
    logs_registered: int = 0
    logs_unregistered: int = 0
    participants_unregistered: int = 0
    participants_with_logs: int = 0
    participants_one_log: int = 0
    participants_two_plus_logs: int = 0
    periods: int = 0
    periods_registered: int = 0
    periods_per_outcome: dict[str, int] = field(default_factory=dict)

    def rows(self) -> list[tuple[str, int]]:
        """(item, count) rows in reading order, for data_flow.csv."""
        out = [(k, v) for k, v in vars(self).items() if k != "periods_per_outcome"]
        out += [(f"periods_{o}", n) for o, n in self.periods_per_outcome.items()]
        return out


def derive_log_variables(logs: pd.DataFrame) -> pd.DataFrame:
    """Add the peer support variables of the analysis plan to each log.

    Types given/received count types with a count > 0 or a tick. Grouped forms sum counts;
    a tick anywhere in the group makes that form missing (its amount is unknown).
    """
    out = logs.copy()
    out["projects"] = logs["projects_attended"]
    for d in ("given", "received"):
        used = np.zeros(len(logs), dtype=np.int64)
        for t in PS_TYPES:
            col = f"ps_{t}_{d}"
            used += ((logs[col].to_numpy() > 0) | logs[f"{col}_ticked"].to_numpy()).astype(int)
        out[f"types_{d}"] = used.astype(float)
        for form, members in FORMS.items():
            total = sum(logs[f"ps_{m}_{d}"].to_numpy() for m in members)
            ticked = np.zeros(len(logs), dtype=bool)
            for m in members:
                ticked |= logs[f"ps_{m}_{d}_ticked"].to_numpy()
            out[f"{form}_{d}"] = np.where(ticked, np.nan, total)
    return out


def participant_factors(participants: pd.DataFrame, extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """Subgroup factors per participant (categoricals in the report's level order).

    ``extra`` names further participant columns used as subgroup factors as they are
    (levels sorted).
    """
    out = pd.DataFrame({"personal_id": participants["personal_id"]})
    for name, (col, mapping, levels) in SUBGROUPS.items():
        out[name] = pd.Categorical(participants[col].map(mapping), categories=levels)
    for col in extra:
        if col not in participants.columns:
            raise KeyError(f"participants.csv has no column '{col}' for --subgroup")
        values = participants[col]
        levels = sorted(values.dropna().unique().tolist())
        out[col] = pd.Categorical(values, categories=levels)
    return out


def _month_since_first(dates: pd.Series, first: pd.Series) -> np.ndarray:
    days = (dates - first).dt.days.to_numpy()
    return (days // 30.4375).astype(int) + 1


def change_category(diff: np.ndarray) -> np.ndarray:
    """-1 missing, 0 decreased, 1 same, 2 increased (codes into CHANGE_LEVELS)."""
    code = np.where(diff < 0, 0, np.where(diff > 0, 2, 1)).astype(np.int8)
    return np.where(np.isnan(diff), -1, code).astype(np.int8)


@dataclass
class Prepared:
    """Logs after cleaning, the periods built from them, and the data-flow counts."""

    logs: pd.DataFrame
    periods: pd.DataFrame
    flow: DataFlow
    participants: pd.DataFrame
    subgroups: tuple[str, ...]
    # Descriptive tables computed from these frames (tables.py), kept so that the CSV files
    # and the report's display forms share one computation.
    tables: dict = field(default_factory=dict, repr=False, compare=False)


def prepare(
    logs: pd.DataFrame, participants: pd.DataFrame, extra_subgroups: tuple[str, ...] = ()
) -> Prepared:
    """Deduplicate, derive, and build periods with change and baseline per outcome."""
    flow = DataFlow(participants_registered=len(participants), logs_read=len(logs))
    number = log_sequence(logs["personal_id"].tolist(), logs["completed_on"].tolist(),
                          logs["submitted_at"].tolist())
    kept = np.array([k is not None for k in number], dtype=bool)
    flow.duplicates_removed = int((~kept).sum())
    clean = logs[kept].assign(log_number=np.array([k for k in number if k is not None]))
    clean = derive_log_variables(clean.reset_index(drop=True))
    registered = set(participants["personal_id"])
    clean["registered"] = clean["personal_id"].isin(registered)
    clean = clean.sort_values(["personal_id", "log_number"], kind="stable").reset_index(
        drop=True
    )
    first = clean.groupby("personal_id", sort=False)["completed_on"].transform("min")
    clean["month"] = _month_since_first(clean["completed_on"], first)

    flow.logs_analysed = len(clean)
    flow.logs_registered = int(clean["registered"].sum())
    flow.logs_unregistered = flow.logs_analysed - flow.logs_registered
    per_person = clean.groupby("personal_id", sort=False).agg(
        n=("log_id", "size"), registered=("registered", "first")
    )
    flow.participants_with_logs = len(per_person)
    flow.participants_unregistered = int((~per_person["registered"]).sum())
    flow.registered_with_logs = int(per_person["registered"].sum())
    flow.registered_without_logs = flow.participants_registered - flow.registered_with_logs
    flow.participants_one_log = int((per_person["n"] == 1).sum())
    flow.participants_two_plus_logs = int((per_person["n"] >= 2).sum())

    pid = clean["personal_id"].to_numpy()
    same = np.flatnonzero(pid[1:] == pid[:-1])  # period j: logs same[j] -> same[j]+1
    a, b = same, same + 1
    codes = pd.factorize(pid[a])[0]
    periods = pd.DataFrame({
        "personal_id": pid[a],
        "pid": codes.astype(np.int64),
        "registered": clean["registered"].to_numpy()[a],
        "start": clean["completed_on"].to_numpy()[a],
        "end": clean["completed_on"].to_numpy()[b],
        "start_month": clean["month"].to_numpy()[a],
    })
    for o in OUTCOMES:
        v = clean[o].to_numpy()
        periods[f"{o}_baseline"] = v[a]
        periods[f"{o}_change"] = v[b] - v[a]
        flow.periods_per_outcome[o] = int(np.isfinite(v[b] - v[a]).sum())
    for var in PS_VARIABLES:
        v = clean[var].to_numpy(dtype=float)
        periods[f"{var}_change"] = change_category(v[b] - v[a])
    facs = participant_factors(participants, extra_subgroups)
    periods = periods.merge(facs, on="personal_id", how="left", sort=False)
    flow.periods = len(periods)
    flow.periods_registered = int(periods["registered"].sum())
    subgroups = tuple(SUBGROUPS) + tuple(extra_subgroups)
    return Prepared(clean, periods, flow, participants, subgroups)
