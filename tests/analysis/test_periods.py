"""Duplicates, ticks, grouped forms, change categories and the data-flow counts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from peerlog.analysis.contract import LOG_COLUMNS, PARTICIPANT_COLUMNS, validate_logs
from peerlog.analysis.contract import validate_participants as vp
from peerlog.analysis.periods import change_category, prepare


def _log(log_id, pid, day, submitted="", **cells):
    row = dict.fromkeys(LOG_COLUMNS, "")
    row.update(log_id=log_id, personal_id=pid, completed_on=day, submitted_at=submitted,
               kind="monthly", version="full", mode="paper", projects_attended="1")
    row.update({k: str(v) for k, v in cells.items()})
    return row


def _participants(*ids):
    rows = [dict.fromkeys(PARTICIPANT_COLUMNS, "") | {"personal_id": i, "gender": "female"}
            for i in ids]
    return vp(pd.DataFrame(rows))


def test_duplicates_keep_last_submitted_and_flow_counts():
    logs = validate_logs(pd.DataFrame([
        _log("a1", "A", "2016-01-05", "2016-01-05T10:00:00", wellbeing=20),
        _log("a2", "A", "2016-01-05", "2016-01-06T09:00:00", wellbeing=22),  # kept
        _log("a3", "A", "2016-02-10", "2016-02-10T09:00:00", wellbeing=25),
        _log("a0", "A", "2016-01-05", "2016-01-05T08:00:00", wellbeing=18),
        _log("b1", "B", "2016-03-01", wellbeing=21),
        _log("u1", "U", "2016-03-01", wellbeing=30),
        _log("u2", "U", "2016-04-01", wellbeing=""),
    ]))
    prep = prepare(logs, _participants("A", "B", "C"))
    flow = prep.flow
    assert flow.logs_read == 7
    assert flow.duplicates_removed == 2
    assert flow.logs_analysed == 5
    assert (flow.logs_unregistered, flow.participants_unregistered) == (2, 1)
    assert (flow.participants_one_log, flow.participants_two_plus_logs) == (1, 2)
    assert flow.registered_without_logs == 1
    assert flow.periods == 2
    assert flow.periods_per_outcome["wellbeing"] == 1  # U's period lacks the later score
    a = prep.periods[prep.periods.personal_id == "A"].iloc[0]
    assert a["wellbeing_baseline"] == 22 and a["wellbeing_change"] == 3
    assert bool(prep.periods.set_index("personal_id").loc["U", "registered"]) is False
    assert prep.periods.set_index("personal_id")["gender"].isna()["U"]


def test_ticks_count_as_types_and_make_forms_missing():
    logs = validate_logs(pd.DataFrame([
        _log("1", "A", "2016-01-01", ps_informal_given=0, ps_pairs_given=2,
             ps_one_to_one_given=1, ps_groups_given="ticked"),
        _log("2", "A", "2016-02-01", ps_informal_given=3, ps_pairs_given="ticked",
             ps_one_to_one_given=5, ps_groups_given=0, projects_attended=0),
    ]))
    prep = prepare(logs, _participants("A"))
    first, second = prep.logs.iloc[0], prep.logs.iloc[1]
    assert first["types_given"] == 3 and second["types_given"] == 3
    assert first["one_to_one_pairs_given"] == 3 and np.isnan(second["one_to_one_pairs_given"])
    assert np.isnan(first["group_given"]) and second["group_given"] == 0
    per = prep.periods.iloc[0]
    assert per["types_given_change"] == 1  # same
    assert per["informal_given_change"] == 2  # increased
    assert per["one_to_one_pairs_given_change"] == -1  # missing (tick)
    assert per["projects_change"] == 0  # decreased


def test_change_category_codes():
    got = change_category(np.array([-2.0, 0.0, 0.5, np.nan]))
    assert got.tolist() == [0, 1, 2, -1]
