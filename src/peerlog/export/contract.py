"""Write the analysis contract's two files from the database.

The column lists are the contract (``shared/design/analysis-contract.md``); a few extra
columns follow them, which the contract allows. Rows are streamed with ``iterator()`` so a
programme of any size exports in constant memory. Contact details are never read here: the
queries below do not touch :class:`~peerlog.capture.models.ContactDetails` at all.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from peerlog.capture.models import Log, Participant, Project
from peerlog.export.columns import (
    LOG_COLUMNS,
    OTHER_SPECIFY,
    OUTCOMES,
    PARTICIPANT_COLUMNS,  # noqa: F401 (read from here by the staff research exports)
    PS_COLUMNS,
    participant_columns,
    profile_cells,
)
from peerlog.instruments import PREFER_NOT, TICKED, load_instrument


def _ethnic_groups() -> dict[str, str]:
    """Detailed ethnicity code -> broad group, from the registration definition's options."""
    item = load_instrument("registration").items["ethnicity"]
    return {str(o.value): o.group for o in item.options if getattr(o, "group", None)}


def _category(value: object) -> str:
    """A categorical answer as exported: a declined or unanswered question is empty."""
    return "" if value in (None, PREFER_NOT) else str(value)


def included_participants():
    """Participants whose data may be analysed: not withdrawn with removal of their data."""
    return Participant.objects.exclude(withdrawal=Participant.Withdrawal.REMOVE_DATA)


PROJECT_PROFILE_FIELDS = ("approach", "bame_type", "facilitation", "peer_led", "leaders_trained",
                          "leaders_paid", "focus", "membership", "organisational_support")
REGION_PROFILE_FIELDS = ("strategic_partner", "hub", "rural_urban")


def project_profiles() -> dict[int, dict[str, str]]:
    """Project pk -> its profile cells (a handful of projects: one query, not one per row)."""
    return {
        p.pk: profile_cells({f: getattr(p, f) for f in PROJECT_PROFILE_FIELDS},
                            {f: getattr(p.region, f) for f in REGION_PROFILE_FIELDS})
        for p in Project.objects.select_related("region")
    }


def participant_rows(include_free_text: bool = False) -> Iterator[dict[str, str]]:
    groups = _ethnic_groups()
    profiles = project_profiles()
    queryset = included_participants().select_related("personal_id", "project__region")
    for p in queryset.order_by("personal_id__code").iterator(chunk_size=2000):
        yield {
            "personal_id": p.personal_id.code,
            "region": p.project.region.name,
            "age_band": _category(p.age_band),
            "gender": _category(p.gender),
            "sexual_orientation": _category(p.sexual_orientation),
            "ethnicity": _category(p.ethnicity),
            "ethnic_group": groups.get(p.ethnicity, ""),
            "area": _category(p.area),
            "uses_mh_services": _category(p.uses_mh_services),
            "physical_condition": _category(p.physical_condition),
            "learning_disability": _category(p.learning_disability),
            "project": p.project.code,
            "project_funding": p.project.funding,
            "diagnosis_specific": "yes" if p.project.diagnosis_specific else "no",
            "bame_specific": "yes" if p.project.bame_specific else "no",
            "registered_on": p.registered_at.date().isoformat(),
            **profiles[p.project_id],  # project_type and the profile columns
            **({code: str(p.registration_answers.get(code, "")) for code in OTHER_SPECIFY}
               if include_free_text else {}),
        }


def _ps_cell(value: object) -> str:
    """A peer support count as the contract wants it: a number, ``ticked``, or empty."""
    if value is None or value == "" or value == PREFER_NOT:
        return ""
    if value == TICKED:
        return TICKED
    return str(int(value))


def _score_cell(name: str, value: object) -> str:
    if value is None:
        return ""
    if name == "wellbeing":
        return f"{float(value):.2f}"
    if name == "eq5d_index":
        return f"{float(value):.3f}"
    return str(int(value)) if float(value).is_integer() else str(value)


def removed_ids():
    """Personal IDs of people who asked for their data to be removed (a subquery)."""
    return (Participant.objects.filter(withdrawal=Participant.Withdrawal.REMOVE_DATA)
            .values("personal_id__code"))


def exported_logs():
    """Complete logs, except those of people who asked for their data to be removed.

    Withdrawal deletes their logs (:mod:`peerlog.capture.withdrawal`); this also leaves out
    any that arrived afterwards, attached to them or unregistered with their typed ID.
    """
    return (
        Log.objects.filter(status=Log.Status.COMPLETE)
        .exclude(participant__withdrawal=Participant.Withdrawal.REMOVE_DATA)
        .exclude(participant__isnull=True, typed_personal_id__in=removed_ids())
        .select_related("participant__personal_id")
    )


def log_rows() -> Iterator[dict[str, str]]:
    for log in exported_logs().order_by("completed_on", "received_at", "id").iterator(2000):
        answers, scores = log.answers, log.scores
        row = {
            "log_id": str(log.uuid),
            "personal_id": (
                log.participant.personal_id.code if log.participant else log.typed_personal_id
            ),
            "completed_on": log.completed_on.isoformat(),
            "submitted_at": log.received_at.isoformat(),
            "kind": log.kind,
            "version": log.version,
            "mode": log.mode,
            "projects_attended": _score_cell(
                "projects_attended", scores.get("projects_attended")
            ),
            "language": log.language,
            "instrument": log.instrument,
        }
        row.update({c: _ps_cell(answers.get(c)) for c in PS_COLUMNS})
        row.update({c: _score_cell(c, scores.get(c)) for c in OUTCOMES})
        yield row


# Spreadsheets read a cell starting with one of these as a formula (CSV injection, OWASP).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value: object) -> object:
    """A CSV cell that no spreadsheet runs as a formula.

    Text starting with ``= + - @``, a tab or a carriage return gets a leading apostrophe
    (OWASP's advice: spreadsheets show the text, not a formula result). A cell that is a
    plain number, such as ``-0.25`` or ``-1``, is data and left alone. Non-text values are
    returned as they are.
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if _NUMBER.fullmatch(value):
        return value
    return "'" + value


def safe_row(row: Iterable[object]) -> list[object]:
    return [safe_cell(v) for v in row]


def write_csv(path: Path, columns: tuple[str, ...], rows: Iterator[dict[str, str]]) -> int:
    """Write ``rows`` under ``columns``; every text cell goes through :func:`safe_cell`."""
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: safe_cell(v) for k, v in row.items()})
            count += 1
    return count


def _append_profile_codebook(path: Path) -> None:
    """The participants.csv profile columns go at the end of the questions' codebook."""
    from peerlog.export.profiles import codebook_rows
    from peerlog.instruments.codebook import COLUMNS

    with path.open("a", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writerows(codebook_rows())


def export(out: Path, labelled: bool = True, include_free_text: bool = False) -> dict[str, int]:
    """Write participants.csv, logs.csv and codebook.csv into ``out``; return row counts.

    With ``labelled``, also SPSS and Stata files with variable and value labels. Also
    items.csv and items_wide.csv (every answer; free text only with ``include_free_text``).
    """
    from peerlog.export.labelled import write_labelled
    from peerlog.instruments import codebook, load_all

    out.mkdir(parents=True, exist_ok=True)
    counts = {
        "participants": write_csv(out / "participants.csv", participant_columns(include_free_text),
                                  participant_rows(include_free_text)),
        "logs": write_csv(out / "logs.csv", LOG_COLUMNS, log_rows()),
    }
    codebook.write_csv(out / "codebook.csv", list(load_all().values()))
    _append_profile_codebook(out / "codebook.csv")
    if labelled:
        write_labelled(out)
    from peerlog.export import items

    counts.update(items.write_from_db(out, include_free_text, labelled))
    return counts
