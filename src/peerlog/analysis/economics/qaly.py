"""QALYs by area under the curve of the EQ-5D-3L UK index between consecutive logs.

Monthly and quarterly logs both carry EQ-5D. Per person, the logs with an index are taken in
date order (same-day duplicates already removed); each consecutive pair is one period whose
QALYs are the trapezium ``(u1 + u2) / 2 * days / 365.25``. A log without an index is skipped,
so a period then spans from the previous log that has one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DAYS_PER_YEAR = 365.25
QALY_COLUMNS = ("personal_id", "start_log_id", "end_log_id", "start", "end", "days",
                "eq5d_start", "eq5d_end", "qaly")


def qalys(logs: pd.DataFrame) -> pd.DataFrame:
    """qalys.csv from logs with ``personal_id, log_id, completed_on, eq5d_index``."""
    valued = logs[logs["eq5d_index"].notna()].sort_values(
        ["personal_id", "completed_on"], kind="stable")
    pid = valued["personal_id"].to_numpy()
    date = valued["completed_on"].to_numpy().astype("datetime64[D]")
    u = valued["eq5d_index"].to_numpy(dtype=float)
    ids = valued["log_id"].to_numpy()
    nxt = np.flatnonzero(pid[1:] == pid[:-1]) + 1
    prev = nxt - 1
    days = (date[nxt] - date[prev]).astype(int)
    out = pd.DataFrame({
        "personal_id": pid[nxt], "start_log_id": ids[prev], "end_log_id": ids[nxt],
        "start": date[prev].astype(str), "end": date[nxt].astype(str), "days": days,
        "eq5d_start": u[prev], "eq5d_end": u[nxt],
    })
    out["qaly"] = np.round((u[prev] + u[nxt]) / 2 * days / DAYS_PER_YEAR, 6)
    return out.reset_index(drop=True)
