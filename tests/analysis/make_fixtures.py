"""Deterministic generator of small contract-shaped datasets for the R cross-check.

Run ``python tests/analysis/make_fixtures.py`` to (re)write ``tests/analysis/data/<name>/``;
then ``Rscript tests/analysis/r/reference.R`` writes the R reference outputs next to them.
The data are synthetic and only need to exercise the code paths (duplicates, ticks, missing
scores, unregistered logs, a small subgroup cell, singular fits, empty cells).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
PS_TYPES = ("informal", "one_to_one", "pairs", "groups", "peer_led_groups", "networks",
            "elefriends", "other_online")
RANGES = {"wellbeing": (7, 35), "self_efficacy": (6, 60), "hope": (12, 48),
          "contact_family": (0, 15), "contact_friends": (0, 15), "contact_neighbours": (0, 15),
          "health_status": (1, 10)}


def make_dataset(seed: int, n_registered: int, n_unregistered: int, trend_sd: float,
                 max_logs: int, tick_rate: float, rare_ld: float,
                 extra_column: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    regions = ["Leeds", "Elefriends", "Plymouth", "Coventry"]
    people = []
    for i in range(n_registered):
        row = {
            "personal_id": f"P{i:04d}",
            "region": regions[i % 4],
            "project_type": rng.choice(["group", "one_to_one", "online", ""],
                                       p=[.5, .25, .2, .05]),
            "age_band": rng.choice(["18-24", "25-34", "35-44", "45-54", "55-64", "65+", ""],
                                   p=[.17, .18, .19, .22, .15, .06, .03]),
            "gender": rng.choice(["male", "female", "other", "prefer_not_to_say"],
                                 p=[.36, .6, .02, .02]),
            "sexual_orientation": rng.choice(
                ["heterosexual", "lesbian_gay", "bisexual", "other", "prefer_not_to_say"],
                p=[.78, .07, .07, .03, .05]),
            "ethnicity": rng.choice(["WB", "WI", "BC", "AP", "OT"]),
            "ethnic_group": rng.choice(["white", "black", "asian", "other"],
                                       p=[.7, .1, .12, .08]),
            "area": rng.choice(["city", "town", "rural", ""], p=[.55, .33, .1, .02]),
            "uses_mh_services": rng.choice(["yes", "no"], p=[.4, .6]),
            "physical_condition": rng.choice(["yes", "no"], p=[.35, .65]),
            "learning_disability": rng.choice(["yes", "no"], p=[rare_ld, 1 - rare_ld]),
        }
        if extra_column:
            row["funder"] = rng.choice(["lottery", "council", "trust"], p=[.55, .4, .05])
        people.append(row)
    participants = pd.DataFrame(people)
    ids = list(participants["personal_id"]) + [f"U{i:03d}" for i in range(n_unregistered)]
    logs = []
    start = np.datetime64("2015-10-01")
    lid = 0
    for pid in ids:
        n_logs = int(rng.integers(1, max_logs + 1))
        day = start + np.timedelta64(int(rng.integers(0, 300)), "D")
        level = {o: rng.uniform(lo + (hi - lo) * .3, lo + (hi - lo) * .7)
                 for o, (lo, hi) in RANGES.items()}
        trend = {o: rng.normal(0, trend_sd) * (hi - lo) / 20 for o, (lo, hi) in RANGES.items()}
        counts = {t: rng.poisson(1.0) for t in PS_TYPES}
        projects = int(rng.integers(0, 4))
        paper = rng.random() < 0.5
        for k in range(n_logs):
            for t in PS_TYPES:  # amounts drift
                counts[t] = max(0, counts[t] + int(rng.integers(-1, 2)))
            projects = max(0, projects + int(rng.integers(-1, 2)))
            boost = 0.15 * (sum(counts.values()) - 8)
            row = {
                "log_id": f"L{lid:05d}", "personal_id": pid,
                "completed_on": str(day),
                "submitted_at": f"{day}T{int(rng.integers(8, 20)):02d}:00:00+00:00",
                "kind": "quarterly" if k % 3 == 0 else "monthly",
                "version": rng.choice(["full", "short"], p=[.75, .25]),
                "mode": "paper" if paper else "online",
                "projects_attended": "" if rng.random() < 0.02 else str(projects),
            }
            lid += 1
            for t in PS_TYPES:
                for d in ("given", "received"):
                    c = max(0, counts[t] + int(rng.integers(-1, 2)))
                    if paper and rng.random() < tick_rate:
                        row[f"ps_{t}_{d}"] = "ticked" if c > 0 else ""
                    else:
                        row[f"ps_{t}_{d}"] = "" if c == 0 and rng.random() < .5 else str(c)
            for o, (lo, hi) in RANGES.items():
                sd = (hi - lo) / 10
                val = level[o] + trend[o] * k + boost * sd / 3 + rng.normal(0, sd)
                val = float(np.clip(val, lo, hi))
                val = round(val, 2) if o in ("wellbeing", "health_status") else round(val)
                if rng.random() < 0.04:
                    row[o] = ""
                else:
                    row[o] = f"{val:g}"
            row["eq5d_index"] = f"{rng.uniform(0.2, 1):.3f}"
            logs.append(row)
            if rng.random() < 0.03:  # entered twice, the second entry submitted later
                dup = dict(row)
                dup["log_id"] = f"L{lid:05d}"
                lid += 1
                dup["submitted_at"] = f"{day}T21:30:00+00:00"
                dup["wellbeing"] = "" if row["wellbeing"] == "" else f"{min(35, float(row['wellbeing']) + 1):g}"
                logs.append(dup)
            day = day + np.timedelta64(int(rng.integers(20, 60)), "D")
    logs_df = pd.DataFrame(logs)
    order = rng.permutation(len(logs_df))  # files need not be sorted
    return participants, logs_df.iloc[order].reset_index(drop=True)


DATASETS = {
    # a cohort with participant trends (positive variance) and the standard options
    "cohort": dict(seed=20170101, n_registered=150, n_unregistered=12, trend_sd=1.0,
                   max_logs=7, tick_rate=0.3, rare_ld=0.12, extra_column=False),
    # small, no trends (singular fits), a rare subgroup level (empty cells) and an extra column
    "small": dict(seed=7, n_registered=45, n_unregistered=4, trend_sd=0.0, max_logs=6,
                  tick_rate=0.2, rare_ld=0.06, extra_column=True),
}


def main(argv: list[str]) -> None:
    for name, kw in DATASETS.items():
        participants, logs = make_dataset(**kw)
        out = HERE / "data" / name
        out.mkdir(parents=True, exist_ok=True)
        participants.to_csv(out / "participants.csv", index=False)
        logs.to_csv(out / "logs.csv", index=False)
        print(f"{name}: {len(participants)} participants, {len(logs)} logs -> {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
