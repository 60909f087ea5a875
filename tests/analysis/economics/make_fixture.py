"""Writes the small hand-computed fixture in data/ (run once; the files are committed).

Three people, six quarterly and monthly logs: different period lengths, a short-form
quarterly log, blanks where the form asked for 0, a tick where a number was expected, a
missing duration, a missing EQ-5D and a same-day duplicate. The expected costs and QALYs in
data/expected_*.csv were worked out by hand (the sums are in their ``working`` column).
"""

from pathlib import Path

import pandas as pd

from peerlog.export import items
from peerlog.export.columns import LOG_COLUMNS, PS_COLUMNS

HERE = Path(__file__).parent / "data"
ZERO_STAYS = {f"inpatient_{r}_{c}": 0 for r in ("mental_health", "physical_health",
                                                  "maternity", "residential_care")
              for c in ("admissions", "nights")}
ZERO_VISITS = {f"visits_{v}": 0 for v in ("ae_mental_health", "ae_physical_health",
                                          "outpatient_mental_health", "outpatient_other")}
LOGS = [
    # log_id, pid, date, submitted, instrument, eq5d, answers
    ("L1", "100001", "2016-01-10", "2016-01-10T10:00:00+00:00", "quarterly", 0.689, {
        **ZERO_STAYS, "inpatient_mental_health_admissions": 1,
        "inpatient_mental_health_nights": 3,
        **ZERO_VISITS, "visits_ae_mental_health": 1, "visits_outpatient_mental_health": 2,
        "service_gp_contacts": 2, "service_gp_minutes": 10,
        "service_cmht_contacts": 3, "service_cmht_minutes": 45,
        "family_hours": 5, "family_friends_hours": 2,
        "econ_status": ["part_time", "voluntary"], "med_taken": "yes", "med_change": "same"}),
    ("L2", "100001", "2016-02-14", "2016-02-14T10:00:00+00:00", "monthly", 0.760, {}),
    ("L3", "100001", "2016-04-20", "2016-04-20T10:00:00+00:00", "quarterly", 0.516, {
        **ZERO_STAYS, **ZERO_VISITS, "service_gp_contacts": 1,  # minutes left blank
        "family_hours": 0, "med_taken": "no"}),  # friends' hours left blank
    ("L4", "100002", "2016-03-01", "2016-03-01T10:00:00+00:00", "quarterly_short", 1.0, {
        **ZERO_STAYS, "inpatient_physical_health_admissions": 1,
        "inpatient_physical_health_nights": "ticked",
        "visits_ae_mental_health": 0, "visits_ae_physical_health": 1,
        "service_crisis_team_contacts": 1, "service_crisis_team_minutes": 60}),
    ("L5", "100002", "2016-06-01", "2016-06-01T10:00:00+00:00", "quarterly", None, {
        **{k: v for k, v in ZERO_STAYS.items() if "maternity" not in k},  # blank: missing
        **ZERO_VISITS, "service_home_care_contacts": 4, "service_home_care_minutes": 30,
        "service_day_centre_contacts": 2, "service_day_centre_minutes": 240,
        "family_hours": 10, "family_friends_hours": 0, "econ_status": ["prefer_not_to_answer"],
        "med_taken": "prefer_not_to_answer"}),
    ("L6", "100002", "2016-07-15", "2016-07-15T10:00:00+00:00", "monthly", 0.8, {}),
    # same-day duplicate: the one submitted last (L8) is kept
    ("L7", "100003", "2016-05-05", "2016-05-05T09:00:00+00:00", "quarterly", 0.7, {
        **ZERO_STAYS, **ZERO_VISITS, "service_gp_contacts": 5, "service_gp_minutes": 10}),
    ("L8", "100003", "2016-05-05", "2016-05-05T10:00:00+00:00", "quarterly", 0.7, {
        **ZERO_STAYS, **ZERO_VISITS, "service_gp_contacts": 1, "service_gp_minutes": 10,
        "econ_status": ["full_time"], "med_taken": "yes"}),
]


def main() -> None:
    participants = pd.DataFrame([
        {"personal_id": "100001", "region": "Leeds", "project_type": "group"},
        {"personal_id": "100002", "region": "Plymouth", "project_type": "one_to_one"},
        {"personal_id": "100003", "region": "Leeds", "project_type": "group"},
    ]).reindex(columns=["personal_id", "region", "project_type", "age_band", "gender",
                        "sexual_orientation", "ethnicity", "ethnic_group", "area",
                        "uses_mh_services", "physical_condition", "learning_disability"],
               fill_value="")
    participants.to_csv(HERE / "participants.csv", index=False, lineterminator="\n")
    rows, pairs = [], []
    for log_id, pid, date, submitted, inst, eq5d, answers in LOGS:
        kind = "monthly" if inst.startswith("monthly") else "quarterly"
        version = "short" if inst.endswith("short") else "full"
        row = dict.fromkeys(LOG_COLUMNS, "")
        row |= {"log_id": log_id, "personal_id": pid, "completed_on": date,
                "submitted_at": submitted, "kind": kind, "version": version, "mode": "paper",
                "projects_attended": "1", "language": "en", "instrument": inst,
                "wellbeing": "20.00", "health_status": "6",
                "eq5d_index": "" if eq5d is None else f"{eq5d:.3f}"}
        row |= dict.fromkeys(PS_COLUMNS, "0")
        rows.append(row)
        pairs.append(({"log_id": log_id, "personal_id": pid, "completed_on": date,
                       "instrument": inst, "version": version, "language": "en",
                       "mode": "paper"}, answers))
    pd.DataFrame(rows, columns=LOG_COLUMNS).to_csv(HERE / "logs.csv", index=False,
                                                   lineterminator="\n")
    items.write(HERE, pairs, labelled=False)
    (HERE / "items.csv").unlink()


if __name__ == "__main__":
    main()
