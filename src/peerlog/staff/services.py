"""Changing a stored log or a participant: every change re-scores and goes into the audit trail.

Views never save a Log themselves; they call :func:`change_log`, so a changed answer can
never leave a stale score or an unaudited edit behind.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peerlog.capture import audit, personal_ids
from peerlog.capture.models import Log, Participant
from peerlog.capture.services import (
    OUT_OF_SCOPE_ID,
    SAME_DAY_DUPLICATE,
    TICKS,
    UNREGISTERED_ID,
    register_participant,
)
from peerlog.instruments import TICKED, load_instrument
from peerlog.instruments.scoring import score

_UNSET = object()


def recomputed_flags(log: Log, out_of_scope: bool | None = None) -> list[str]:
    """The capture flags of ``log`` as it is now (other flags it carries are kept).

    Whether an unattached log's ID was registered outside the typist's scope depends on who
    typed it, so it is kept as it was unless ``out_of_scope`` says otherwise.
    """
    capture = (UNREGISTERED_ID, TICKS, SAME_DAY_DUPLICATE, OUT_OF_SCOPE_ID)
    own = [f for f in log.flags if f not in capture]
    if out_of_scope is None:
        out_of_scope = OUT_OF_SCOPE_ID in log.flags
    flags = []
    if log.participant_id is None:
        flags.append(UNREGISTERED_ID)
        if out_of_scope:
            flags.append(OUT_OF_SCOPE_ID)
    if any(value == TICKED for value in log.answers.values()):
        flags.append(TICKS)
    if log.participant_id is not None and (
        Log.objects.filter(participant_id=log.participant_id, completed_on=log.completed_on)
        .exclude(pk=log.pk).exclude(status=Log.Status.SET_ASIDE).exists()
    ):
        flags.append(SAME_DAY_DUPLICATE)
    return flags + own


@transaction.atomic
def change_log(
    log: Log,
    actor: Any,
    reason: str,
    *,
    answers: dict[str, Any] | None = None,
    participant: Participant | None | object = _UNSET,
    typed_personal_id: str | None = None,
    completed_on: dt.date | None = None,
    status: str | None = None,
    out_of_scope: bool | None = None,
) -> Log:
    """Apply changes to ``log``, re-score it, recompute its flags and audit what changed.

    ``out_of_scope``: with a new ``participant`` found through a scope, whether the typed ID
    was registered outside it (see :data:`~peerlog.capture.services.OUT_OF_SCOPE_ID`).
    """
    log = Log.objects.select_for_update().get(pk=log.pk)
    before = {"answers": dict(log.answers), "participant": log.participant_id,
              "typed_personal_id": log.typed_personal_id,
              "completed_on": log.completed_on.isoformat(), "status": log.status}
    if answers is not None:
        log.answers = dict(answers)
    if participant is not _UNSET:
        log.participant = participant
    if typed_personal_id is not None:
        log.typed_personal_id = personal_ids.normalise(typed_personal_id)
    if completed_on is not None:
        log.completed_on = completed_on
    if status is not None:
        log.status = status
    scores = score(load_instrument(log.instrument), log.answers)
    log.scores = {n: s.value for n, s in scores.items() if s.value is not None}
    log.missing_scores = {n: s.missing_reason for n, s in scores.items() if s.value is None}
    log.flags = recomputed_flags(log, out_of_scope)
    log.save()
    after = {"answers": log.answers, "participant": log.participant_id,
             "typed_personal_id": log.typed_personal_id,
             "completed_on": log.completed_on.isoformat(), "status": log.status}
    changed = {}
    for key in before:
        if key == "answers":
            codes = sorted(set(before["answers"]) | set(after["answers"]))
            diff = {c: [before["answers"].get(c), after["answers"].get(c)] for c in codes
                    if before["answers"].get(c) != after["answers"].get(c)}
            if diff:
                changed["answers"] = diff
        elif before[key] != after[key]:
            changed[key] = [before[key], after[key]]
    audit.record(actor, "log.change", log, reason=reason, changed=changed)
    return log


def record_withdrawal(participant: Participant, actor: Any, withdrawal: str, note: str = "") -> None:
    """Record and carry out a withdrawal ("no more contact", or also "remove my data");
    what each deletes and keeps: :mod:`peerlog.capture.withdrawal`."""
    from peerlog.capture.withdrawal import withdraw

    withdraw(participant, actor, withdrawal, note)


def revoke_personal_links(participant: Participant, actor: Any) -> int:
    """Stop every personal link of ``participant`` working (a lost phone, a shared inbox).

    The next reminder brings a new link; staff can also tell the person to register their
    wish with the coordinator. Audited, like every act on a person's access.
    """
    from peerlog.capture import links

    revoked = links.revoke_links(participant)
    audit.record(actor, "participant.revoke_links", participant, revoked=revoked)
    return revoked


# --- Registering a participant from a paper registration form -----------------------------



class PaperRegistrationError(ValueError):
    """A paper registration that cannot be stored as written (the message says why)."""


@transaction.atomic
def register_from_paper(project, values: dict[str, Any], actor: Any, language: str = "en"):
    """Make a participant (and their encrypted contact details) from a paper registration.

    The personal ID must have been issued to ``project`` and not be registered yet; the
    three consents must be ticked "yes", as on the web form (doc 6902-6903; the entry page
    says so at each field first).
    """

    from peerlog.capture.models import PersonalId

    code = personal_ids.normalise(values.get("personal_id", ""))
    issued = PersonalId.objects.select_for_update().filter(code=code, batch__project=project).first()
    if issued is None:
        raise PaperRegistrationError(_(
            "This personal ID was not issued to this project: check the number on the form."))
    if Participant.objects.filter(personal_id=issued).exists():
        raise PaperRegistrationError(_(
            "This personal ID is already registered: the person may be registering again; "
            "enter their form as a log instead."))
    if any(values.get(c) != "yes"
           for c in ("consent_information", "consent_reminders", "consent_data_use")):
        raise PaperRegistrationError(_(
            "The form does not say Yes to all three agreements: it cannot be registered."))
    completed = dt.date.fromisoformat(values["date_completed"])
    consented_at = timezone.make_aware(dt.datetime.combine(completed, dt.time(12)))
    return register_participant(
        issued, project, values, actor=actor, mode="paper", language=language,
        consented_at=consented_at, registered_at=consented_at,
    )
