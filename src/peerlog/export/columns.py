"""The columns of the analysis contract's files, as ``peerlog export`` writes them.

Pure Python (no Django), so the synthetic cohort writes the very same columns without a
database. The contract's columns come first; the extras after them are allowed by it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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
# Project and region profiles (chapter 6's key decisions, chapter 8's comparisons); extras.
FOCUS_VALUES = ("social", "activity", "sharing_distress", "educational")
MEMBERSHIP_VALUES = ("open", "diagnosis", "identity", "recovery_stage", "training")
PROFILE_COLUMNS = (
    "project_approach", "bame_type", "facilitation", "peer_led", "leaders_trained",
    "leaders_paid", *(f"focus_{v}" for v in FOCUS_VALUES),
    *(f"membership_{v}" for v in MEMBERSHIP_VALUES), "organisational_support",
    "region_strategic_partner", "region_hub", "region_rural_urban",
)
PARTICIPANT_COLUMNS = PARTICIPANT_COLUMNS + PROFILE_COLUMNS
# project_type keeps the contract's three values; a hybrid project is empty there and
# "hybrid" in project_approach.
CONTRACT_PROJECT_TYPES = ("group", "one_to_one", "online")
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


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def _flags(chosen: list[str] | tuple[str, ...], values: tuple[str, ...], prefix: str
           ) -> dict[str, str]:
    """One 0/1 column per value of a multi-valued field; all empty when nothing is recorded."""
    if not chosen:
        return {f"{prefix}_{v}": "" for v in values}
    return {f"{prefix}_{v}": "1" if v in chosen else "0" for v in values}


def profile_cells(project: Mapping[str, Any], region: Mapping[str, Any]) -> dict[str, str]:
    """The PROFILE_COLUMNS cells (and ``project_type``) of one project in one region.

    ``project`` and ``region`` map the model's field names to values (empty = not recorded),
    so the export and the synthetic cohort write the very same cells.
    """
    approach = project.get("approach") or ""
    return {
        "project_type": approach if approach in CONTRACT_PROJECT_TYPES else "",
        "project_approach": approach,
        "bame_type": project.get("bame_type") or "",
        "facilitation": project.get("facilitation") or "",
        "peer_led": _yes_no(project.get("peer_led")),
        "leaders_trained": _yes_no(project.get("leaders_trained")),
        "leaders_paid": project.get("leaders_paid") or "",
        **_flags(project.get("focus") or (), FOCUS_VALUES, "focus"),
        **_flags(project.get("membership") or (), MEMBERSHIP_VALUES, "membership"),
        "organisational_support": project.get("organisational_support") or "",
        "region_strategic_partner": region.get("strategic_partner") or "",
        "region_hub": region.get("hub") or "",
        "region_rural_urban": region.get("rural_urban") or "",
    }
def participant_columns(include_free_text: bool = False) -> tuple[str, ...]:
    """participants.csv's columns: the "please specify" texts only when asked for."""
    return (*PARTICIPANT_COLUMNS, *OTHER_SPECIFY) if include_free_text else PARTICIPANT_COLUMNS
