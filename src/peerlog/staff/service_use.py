"""One person's service use, per quarterly log, for their staff record.

Read exactly as the health-economics analysis reads it
(:func:`peerlog.analysis.economics.service_use.build`, from the same items_wide row the
export writes), so a blank community-service count is "not used", a tick is "used, number
not given", and the record and the analysis never disagree about what an answer means.
"""

from __future__ import annotations

import math
from typing import Any

from django.utils.translation import gettext as _

from peerlog.capture.models import Log, Participant
from peerlog.staff.layout import instrument_for

# Health and care services, the part of the quarterly form a coordinator asks about
# (employment, time use and informal care stay in the analysis).
SERVICE_RESOURCES = ("inpatient_", "visits_", "service_", "med_")
ANSWERED, TICKED, PREFER_NOT = 0, 3, 4  # status codes of ServiceUse


def quarterly_logs(person: Participant) -> list[Log]:
    """The person's quarterly logs that count (not set aside, not held), oldest first."""
    return list(person.logs.filter(instrument__startswith="quarterly",
                                   status=Log.Status.COMPLETE).order_by("completed_on", "pk"))


def service_use(person: Participant) -> list[dict[str, Any]]:
    """One entry per quarterly log: its period (the three months before it) and the services
    used in it, as (question as on the form, answer in words)."""
    logs = quarterly_logs(person)
    if not logs:
        return []
    import pandas as pd

    from peerlog.analysis.economics.service_use import MEASURES, build
    from peerlog.export.items import wide_row
    from peerlog.staff.views.logs import shown_value

    rows = [wide_row({"log_id": str(log.pk), "personal_id": "", "completed_on":
                      log.completed_on.isoformat(), "instrument": log.instrument,
                      "version": log.version, "language": log.language, "mode": log.mode},
                     log.answers) for log in logs]
    use = build(pd.DataFrame(rows).fillna("").astype(str))
    measures = [m for m in MEASURES if m.item.startswith(SERVICE_RESOURCES)]
    out = []
    for i, log in enumerate(logs):
        items = instrument_for(log.instrument).items
        lines = []
        for m in measures:
            status, value = int(use.status[m.item][i]), float(use.values[m.item][i])
            item = items.get(m.item)
            if item is None:
                continue
            if status == TICKED:
                shown = _("ticked: used, number not given")
            elif status == PREFER_NOT:
                shown = _("prefer not to answer")
            elif status != ANSWERED:
                continue
            elif m.kind == "number":
                if math.isnan(value) or value == 0:
                    continue
                shown = f"{value:g}"
            else:
                shown = shown_value(item, log.answers.get(m.item))
            lines.append({"question": item.text, "answer": shown})
        out.append({"log": log, "start": use.logs["period_start"].iloc[i].date(),
                    "end": log.completed_on, "lines": lines})
    return out
