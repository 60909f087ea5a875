"""The columns of the analysis contract's files, as ``peerlog export`` writes them.

Pure Python (no Django), so the synthetic cohort writes the very same columns without a
database. The contract's columns come first; the extras after them are allowed by it.
"""

from __future__ import annotations

from peerlog.instruments.scoring import PS_TYPES

PS_COLUMNS = tuple(f"ps_{t}_{d}" for t in PS_TYPES for d in ("given", "received"))
OUTCOMES = (
    "wellbeing", "hope", "self_efficacy", "contact_family", "contact_friends",
    "contact_neighbours", "health_status", "eq5d_index",
)
PARTICIPANT_COLUMNS = (
    "personal_id", "region", "project_type", "age_band", "gender", "sexual_orientation",
    "ethnicity", "ethnic_group", "area", "uses_mh_services", "physical_condition",
    "learning_disability",
    # extras, for subgroups and subsets (chapter 8: strategic partner vs grant-funded)
    "project", "project_funding", "diagnosis_specific", "bame_specific", "registered_on",
)
#: Registration "please specify" answers (gender, sexual orientation, ethnicity when "Other").
#: Free text identifies people, so participants.csv leaves them out unless the export is asked
#: for free text (``--include-free-text``, audited); staff see them on the participant page.
OTHER_SPECIFY = ("gender_other", "sexual_orientation_other", "ethnicity_other")
LOG_COLUMNS = (
    "log_id", "personal_id", "completed_on", "submitted_at", "kind", "version", "mode",
    "projects_attended", *PS_COLUMNS, *OUTCOMES,
    # extras
    "language", "instrument",
)


def participant_columns(include_free_text: bool = False) -> tuple[str, ...]:
    """participants.csv's columns: the "please specify" texts only when asked for."""
    return (*PARTICIPANT_COLUMNS, *OTHER_SPECIFY) if include_free_text else PARTICIPANT_COLUMNS
