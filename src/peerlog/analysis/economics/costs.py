"""Unit costs (data the programme supplies) and costs per person per quarter.

A resource that was used but has no unit cost stops the run with an error naming it: a silent
zero would make services look cheaper than they are. Costs from the health and social care
perspective; informal care is valued separately, at a rate the user chooses.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .service_use import INPATIENT, SERVICES, VISITS, WEEKS_PER_QUARTER, ServiceUse

UNIT_COST_COLUMNS = ("resource", "unit", "cost", "currency", "price_year", "source")
ILLUSTRATIVE = "illustrative, not for reporting"

CATEGORIES = ("inpatient", "outpatient_ae", "community_health", "social_care")
CATEGORY_LABELS = {
    "inpatient": "Hospital inpatient",
    "outpatient_ae": "Hospital outpatient and A&E",
    "community_health": "Community health",
    "social_care": "Social care",
    "total_hsc": "Total, health and social care",
    "informal_care": "Informal care (separate)",
    "total_hsc_known": "Total of known costs (lower bound)",
    "informal_care_hours": "Informal care, hours",
    "qaly_per_person_year": "QALYs per person-year",
}
SOCIAL_CARE = frozenset({"home_care", "day_centre", "supported_employment", "community_groups"})


def _resources() -> dict[str, tuple[str, tuple[str, ...]]]:
    """resource -> (category, allowed units)."""
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for r in INPATIENT:
        category = "social_care" if r == "residential_care" else "inpatient"
        out[f"inpatient_{r}"] = (category, ("night",))
    for v in VISITS:
        out[v] = ("outpatient_ae", ("visit",))
    for s in SERVICES:
        out[s] = ("social_care" if s in SOCIAL_CARE else "community_health",
                  ("contact", "minute"))
    out["informal_care"] = ("informal_care", ("hour",))
    return out


RESOURCES = _resources()


class UnitCostError(ValueError):
    """The unit-cost table is wrong or incomplete; the message names the resource."""


def read_unit_costs(path: str | os.PathLike) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, comment="#")
    return validate_unit_costs(frame, os.fspath(path))


def validate_unit_costs(frame: pd.DataFrame, name: str = "unit_costs.csv") -> pd.DataFrame:
    """Check columns, resources, units and numbers; blank cost rows (the template) are dropped."""
    missing = [c for c in UNIT_COST_COLUMNS if c not in frame.columns]
    if missing:
        raise UnitCostError(f"{name}: missing column(s): {', '.join(missing)}")
    frame = frame.fillna("").astype(str).apply(lambda s: s.str.strip())
    frame = frame[frame["cost"] != ""].reset_index(drop=True)
    for i, row in frame.iterrows():
        where = f"{name}, row {i + 1} ({row['resource']})"
        if row["resource"] not in RESOURCES:
            raise UnitCostError(f"{where}: unknown resource; known: {', '.join(RESOURCES)}")
        allowed = RESOURCES[row["resource"]][1]
        if row["unit"] not in allowed:
            raise UnitCostError(f"{where}: unit must be {' or '.join(allowed)}, "
                                f"got {row['unit']!r}")
        try:
            cost = float(row["cost"])
        except ValueError:
            raise UnitCostError(f"{where}: cost must be a number, got {row['cost']!r}") from None
        if not np.isfinite(cost) or cost < 0:
            raise UnitCostError(f"{where}: cost must be >= 0, got {row['cost']!r}")
        if not row["price_year"].isdigit():
            raise UnitCostError(f"{where}: price_year must be a year, got {row['price_year']!r}")
        if not row["currency"]:
            raise UnitCostError(f"{where}: currency is required")
    dup = frame["resource"].duplicated()
    if dup.any():
        raise UnitCostError(f"{name}: resource {frame['resource'][dup].iloc[0]} listed twice")
    if frame["currency"].nunique() > 1:
        raise UnitCostError(f"{name}: costs in more than one currency: "
                            f"{', '.join(sorted(frame['currency'].unique()))}")
    frame["cost"] = frame["cost"].astype(float)
    frame["price_year"] = frame["price_year"].astype(int)
    return frame


def inflate(unit_costs: pd.DataFrame, to_year: int | None,
            index: pd.DataFrame | None = None) -> pd.DataFrame:
    """Bring every cost to one price year with a user-supplied index (columns year, index).

    Without ``to_year`` all rows must already share one price year: costs of different years
    cannot be added.
    """
    years = sorted(unit_costs["price_year"].unique())
    if to_year is None:
        if len(years) > 1:
            raise UnitCostError(
                f"unit costs are in different price years ({', '.join(map(str, years))}); "
                "give --inflate-to YEAR and --price-index FILE")
        return unit_costs
    if index is None:
        raise UnitCostError("--inflate-to needs --price-index FILE (columns year, index)")
    table = dict(zip(index["year"].astype(int), index["index"].astype(float), strict=True))
    for year in [*years, to_year]:
        if year not in table:
            raise UnitCostError(f"price index has no value for {year}")
    out = unit_costs.copy()
    out["cost"] = out["cost"] * out["price_year"].map(lambda y: table[to_year] / table[y])
    out["price_year"] = to_year
    return out


def is_illustrative(unit_costs: pd.DataFrame) -> bool:
    return bool(unit_costs["source"].str.lower().str.contains(ILLUSTRATIVE).any())


@dataclass
class CostResult:
    costs: pd.DataFrame
    currency: str
    price_year: int | None
    illustrative: bool
    informal_rate: float | None


def _quantity(use: ServiceUse, resource: str, unit: str) -> tuple[np.ndarray, np.ndarray]:
    """(units used per log, asked?) for one resource: NaN where the amount is unknown."""
    v, s = use.values, use.status
    if resource.startswith("inpatient_"):
        item = f"{resource}_nights"
        return v[item], s[item] != 5
    if resource in VISITS:
        return v[f"visits_{resource}"], s[f"visits_{resource}"] != 5
    contacts = v[f"service_{resource}_contacts"]
    asked = s[f"service_{resource}_contacts"] != 5
    if unit == "contact":
        return contacts, asked
    minutes = v[f"service_{resource}_minutes"]
    total = np.where(contacts == 0, 0.0, contacts * minutes)
    return total, asked


def _used(use: ServiceUse, resource: str) -> np.ndarray:
    if resource.startswith("inpatient_"):
        items = (f"{resource}_nights", f"{resource}_admissions")
    elif resource in VISITS:
        items = (f"visits_{resource}",)
    else:
        items = (f"service_{resource}_contacts",)
    used = np.zeros(len(use.logs), dtype=bool)
    for item in items:
        used |= (np.nan_to_num(use.values[item]) > 0) | (use.status[item] == 3)
    return used


def compute_costs(use: ServiceUse, unit_costs: pd.DataFrame,
                  informal_rate: float | None = None) -> CostResult:
    """costs.csv: per quarterly log, cost by category; NaN where an amount is unknown."""
    table = unit_costs.set_index("resource")
    n = len(use.logs)
    for resource, (category, _units) in RESOURCES.items():
        if category == "informal_care" or resource in table.index:
            continue
        used = _used(use, resource)
        if used.any():
            raise UnitCostError(
                f"resource '{resource}' was used in {int(used.sum())} quarterly log(s) but has "
                "no unit cost: add it to the unit-cost table")
    sums = {c: np.zeros(n) for c in CATEGORIES}
    known = np.zeros(n)
    missing_items = np.zeros(n, dtype=int)
    not_asked = np.zeros(n, dtype=int)
    for resource, row in table.iterrows():
        category = RESOURCES[str(resource)][0]
        if category == "informal_care":
            continue
        qty, asked = _quantity(use, str(resource), row["unit"])
        cost = qty * row["cost"]
        cost = np.where(asked, cost, np.nan)
        missing_items += (asked & np.isnan(cost)).astype(int)
        not_asked += (~asked).astype(int)
        sums[category] = sums[category] + cost
        known += np.nan_to_num(cost)
    out = use.logs[["personal_id", "log_id"]].copy()
    for col in ("completed_on", "period_start", "period_end"):
        out[col] = use.logs[col].dt.strftime("%Y-%m-%d")
    out["period_days"] = (use.logs["period_end"] - use.logs["period_start"]).dt.days.to_numpy()
    out["source"] = use.logs["source"].to_numpy()
    for c in CATEGORIES:
        out[c] = np.round(sums[c], 2)
    out["total_hsc"] = np.round(sum(sums[c] for c in CATEGORIES), 2)
    out["total_hsc_known"] = np.round(known, 2)
    out["missing_items"] = missing_items
    out["not_asked_items"] = not_asked
    weekly = use.values["family_hours"] + use.values["family_friends_hours"]
    out["informal_care_hours"] = weekly * WEEKS_PER_QUARTER
    if informal_rate is None and "informal_care" in table.index:
        informal_rate = float(table.at["informal_care", "cost"])
    out["informal_care"] = (np.round(out["informal_care_hours"] * informal_rate, 2)
                            if informal_rate is not None else np.nan)
    currency = str(unit_costs["currency"].iloc[0]) if len(unit_costs) else ""
    years = unit_costs["price_year"].unique()
    out["currency"] = currency
    out["price_year"] = int(years[0]) if len(years) == 1 else ""
    illustrative = is_illustrative(unit_costs)
    out["note"] = ILLUSTRATIVE if illustrative else ""
    return CostResult(out, currency, int(years[0]) if len(years) == 1 else None, illustrative,
                      informal_rate)
