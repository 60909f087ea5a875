"""Baseline descriptives the evaluation reported (table A4.3) and change in service use and
cost between consecutive quarterly logs by change in peer support.

The change analysis is descriptive: means of the change with bootstrap CIs per level
(decreased / same / increased). No mixed model is fitted to costs: they are zero-inflated and
very skewed, cells are small, and a linear mixed model's normal errors would not hold; the
association, like the outcomes', would in any case not be causal.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .service_use import ECON_STATUS, INPATIENT, SERVICES, ServiceUse

CHANGE_LEVELS = ("decreased", "same", "increased")
PS_VARIABLES = ("projects", "types_given", "types_received")
CHANGE_MEASURES = ("total_hsc", "total_hsc_known", "inpatient_nights", "community_contacts",
                   "informal_care_hours")


def per_log_measures(use: ServiceUse, costs: pd.DataFrame) -> pd.DataFrame:
    """Per quarterly log: costs plus total nights and community contacts (NaN if unknown)."""
    out = costs.copy()
    out["completed_on"] = use.logs["completed_on"].to_numpy()
    nights = sum(use.values[f"inpatient_{r}_nights"] for r in INPATIENT)
    asked = np.ones(len(out), bool)
    for s in SERVICES:
        asked &= use.status[f"service_{s}_contacts"] != 5
    contacts = sum(use.values[f"service_{s}_contacts"] for s in SERVICES)
    out["inpatient_nights"] = nights
    out["community_contacts"] = np.where(asked, contacts, np.nan)
    return out


def baseline(use: ServiceUse, first_logs: pd.DataFrame, participants: pd.DataFrame
             ) -> pd.DataFrame:
    """Employment / time use, MH admission and MH medication at each registered participant's
    first log, by region and in total. A first log that was not a full quarterly log did not
    ask these questions and counts as missing, as in the evaluation."""
    people = participants[["personal_id", "region"]].merge(
        first_logs[["personal_id", "log_id"]], on="personal_id", how="inner")
    row_of = pd.Series(np.arange(len(use.logs)), index=use.logs["log_id"].to_numpy())
    rows = row_of.reindex(people["log_id"].to_numpy()).to_numpy()
    has = ~np.isnan(rows)
    idx = np.where(has, rows, 0).astype(int)

    def pick(item: str) -> tuple[np.ndarray, np.ndarray]:
        value = np.where(has, use.values[item][idx], np.nan)
        return value, ~np.isnan(value)

    variables = []
    answered = np.zeros(len(people), bool)
    flags = {}
    for c in ECON_STATUS:
        value, ok = pick(f"econ_status_{c}")
        flags[c] = value
        answered |= ok
    for c in ECON_STATUS:
        variables.append(("employment", c, np.where(answered, np.nan_to_num(flags[c]), np.nan)))
    admissions, _ = pick("inpatient_mental_health_admissions")
    variables.append(("mh_admission_3_months", "yes", (admissions > 0).astype(float)
                      + np.where(np.isnan(admissions), np.nan, 0)))
    med, _ = pick("med_taken")
    variables.append(("mh_medication", "yes", med))
    out = []
    regions = people["region"].fillna("").to_numpy()
    for region in [*sorted(set(regions) - {""}), "Total"]:
        mask = np.ones(len(people), bool) if region == "Total" else regions == region
        for variable, level, value in variables:
            v = value[mask]
            known = ~np.isnan(v)
            n_yes = int(np.nansum(v))
            out.append({"variable": variable, "level": level, "region": region,
                        "n": n_yes, "answered": int(known.sum()),
                        "percent": round(100 * n_yes / known.sum(), 1) if known.any() else None,
                        "missing": int((~known).sum())})
    return pd.DataFrame(out)


def change_periods(per_log: pd.DataFrame, ps_logs: pd.DataFrame) -> pd.DataFrame:
    """Periods between consecutive quarterly logs: change in each measure and the category of
    change in each overall peer support variable (from the same two logs)."""
    q = per_log.merge(ps_logs[["log_id", *PS_VARIABLES]], on="log_id", how="left")
    q = q.sort_values(["personal_id", "completed_on"], kind="stable").reset_index(drop=True)
    pid = q["personal_id"].to_numpy()
    nxt = np.flatnonzero(pid[1:] == pid[:-1]) + 1
    prev = nxt - 1
    dates = q["completed_on"].to_numpy().astype("datetime64[D]")
    periods = pd.DataFrame({
        "personal_id": pid[nxt], "start_log_id": q["log_id"].to_numpy()[prev],
        "end_log_id": q["log_id"].to_numpy()[nxt],
        "days": (dates[nxt] - dates[prev]).astype(int),
    })
    for m in CHANGE_MEASURES:
        v = q[m].to_numpy(dtype=float)
        periods[f"{m}_change"] = np.round(v[nxt] - v[prev], 2)
    for ps in PS_VARIABLES:
        v = q[ps].to_numpy(dtype=float)
        d = v[nxt] - v[prev]
        periods[f"{ps}_change"] = pd.Categorical.from_codes(
            np.where(np.isnan(d), -1, np.sign(np.nan_to_num(d)).astype(int) + 1),
            categories=list(CHANGE_LEVELS))
    return periods
