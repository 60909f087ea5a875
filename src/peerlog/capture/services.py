"""Storing a completed log: scored, flagged, audited, and exactly once.

Every way a log arrives (participant pages, paper entry, imports, the synthetic cohort) goes
through :func:`store_log`, so every log is stored the same way. Idempotency rests on the
submission key and the database's unique constraint, not on checks in Python, so it holds
under concurrent requests and across processes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from peerlog.capture import audit, personal_ids
from peerlog.capture.models import ContactDetails, Log, Participant, PersonalId, Project
from peerlog.instruments import PREFER_NOT, TICKED, load_instrument
from peerlog.instruments.scoring import score

# Data-quality flags a stored log may carry (the staff console's queue reads them).
UNREGISTERED_ID = "unregistered_id"  # the typed ID matches no registered participant in scope
TICKS = "ticks"  # a peer support box was ticked instead of given a number
SAME_DAY_DUPLICATE = "same_day_duplicate"  # another log of this person on the same date
# The typed ID belongs to a participant outside the typist's scope. Always carried together
# with UNREGISTERED_ID, and shown only to central researchers, who may match the log: the
# typist sees exactly what an ID no one registered gives, so nothing leaks.
OUT_OF_SCOPE_ID = "id_out_of_scope"

# Who a log may be attached to: ``None`` is the system's own scope (imports, the synthetic
# cohort, the command line): any participant. A queryset of projects is a staff member's
# (``peerlog.staff.access.visible_projects``); a participant is the person on their own pages.
Scope = QuerySet[Project] | Participant | None


def programme_start() -> dt.date:
    """The first date any log may carry (programme settings; default ``PROGRAMME_START``)."""
    from peerlog.capture import programme

    return programme.current().start


def find_participant(typed_personal_id: str, *, scope: Scope) -> Participant | None:
    """The registered participant with this ID, if they are inside ``scope`` (else None)."""
    code = personal_ids.normalise(typed_personal_id)
    if not code:
        return None
    people = Participant.objects.filter(personal_id__code=code)
    if isinstance(scope, Participant):
        people = people.filter(pk=scope.pk)
    elif scope is not None:
        people = people.filter(project__in=scope)
    return people.first()


def outside_scope(typed_personal_id: str, *, scope: Scope) -> bool:
    """True when the ID is registered, but to someone outside ``scope``."""
    if scope is None:
        return False
    return (find_participant(typed_personal_id, scope=scope) is None
            and find_participant(typed_personal_id, scope=None) is not None)


def quality_flags(answers: Mapping[str, Any], participant: Participant | None,
                  completed_on: dt.date, out_of_scope: bool = False) -> list[str]:
    flags = []
    if participant is None:
        flags.append(UNREGISTERED_ID)
        if out_of_scope:
            flags.append(OUT_OF_SCOPE_ID)
    if any(value == TICKED for value in answers.values()):
        flags.append(TICKS)
    if participant is not None and participant.logs.filter(completed_on=completed_on).exists():
        flags.append(SAME_DAY_DUPLICATE)
    return flags


def store_log(
    *,
    instrument: str,
    answers: Mapping[str, Any],
    typed_personal_id: str,
    completed_on: dt.date,
    mode: str,
    submission_key: str,
    scope: Scope,
    language: str = "en",
    entered_by: Any = None,
    status: str = Log.Status.COMPLETE,
    received_at: dt.datetime | None = None,
) -> tuple[Log, bool]:
    """Store one completed log; returns ``(log, created)``.

    A second call with the same ``submission_key`` returns the stored log and
    ``created=False``: a double click, a resubmitted page or a retried request never makes a
    second log. Answers that cannot be scored (out of range, wrong type) raise
    :class:`~peerlog.instruments.scoring.ScoringError` and nothing is stored: a wrong score is
    worse than none.

    ``scope`` is required, so no caller can forget it: the log is attached to the typed
    ID's participant only inside it. An ID registered outside it is stored as an
    unregistered log (flagged :data:`OUT_OF_SCOPE_ID` for central staff), never attached.
    """
    existing = Log.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return existing, False
    definition = load_instrument(instrument)
    scores = score(definition, answers)
    participant = find_participant(typed_personal_id, scope=scope)
    out_of_scope = participant is None and outside_scope(typed_personal_id, scope=scope)
    log = Log(
        participant=participant,
        typed_personal_id=personal_ids.normalise(typed_personal_id),
        instrument=definition.code,
        kind=definition.kind,
        version=definition.version,
        language=language,
        mode=mode,
        completed_on=completed_on,
        received_at=received_at or timezone.now(),
        entered_by=entered_by if getattr(entered_by, "is_authenticated", False) else None,
        status=status,
        answers=dict(answers),
        scores={name: s.value for name, s in scores.items() if s.value is not None},
        missing_scores={name: s.missing_reason for name, s in scores.items() if s.value is None},
        flags=quality_flags(answers, participant, completed_on, out_of_scope),
        submission_key=submission_key,
    )
    try:
        with transaction.atomic():
            log.save()
            audit.record(entered_by or "participant", "log.create", log,
                         mode=mode, instrument=definition.code)
    except IntegrityError:
        # Another request with the same key won the race: that one is the log.
        stored = Log.objects.filter(submission_key=submission_key).first()
        if stored is None:
            raise
        return stored, False
    return log, True


# Registration answers that go into the participant's columns, and the contact items that
# go (encrypted) into ContactDetails instead of the research record.
ABOUT_YOU_COLUMNS = (
    "age_band", "gender", "transgender_history", "sexual_orientation", "ethnicity", "area",
    "uses_mh_services", "physical_condition", "learning_disability", "transport_pass",
    "interview_interest",
)
CONTACT_FOR_CHANNEL = {"email": "contact_email", "sms": "contact_phone", "post": "contact_postal"}


def register_participant(
    issued: PersonalId,
    project: Project,
    answers: Mapping[str, Any],
    *,
    actor: Any,
    mode: str,
    language: str,
    consented_at: dt.datetime,
    consent_reminders: bool = True,
    registered_at: dt.datetime | None = None,
) -> Participant:
    """Store a registration (web or paper) once the caller has checked ID and consents.

    Contact details go to their own encrypted table and never into
    ``registration_answers``; the "about you" answers are copied into columns. Call inside
    a transaction: the participant, their contact details and the audit event stand or fall
    together.
    """
    from django.conf import settings

    contact_items = set(CONTACT_FOR_CHANNEL.values())
    years = answers.get("mh_services_years")
    participant = Participant.objects.create(
        personal_id=issued, project=project, language=language,
        registered_at=registered_at or timezone.now(),
        consent_information=True, consent_reminders=consent_reminders, consent_data_use=True,
        consent_form_version=settings.PEERLOG["CONSENT_FORM_VERSION"], consented_at=consented_at,
        **{c: str(answers.get(c, "")) for c in ABOUT_YOU_COLUMNS},
        mh_services_years=years if isinstance(years, int) else None,
        prize_draw=answers.get("prize_draw") == "enter",
        registration_answers={k: v for k, v in answers.items()
                              if k not in contact_items and not k.startswith("_")},
    )
    channels = [c for c in answers.get("contact_channels", []) if c != PREFER_NOT]
    ContactDetails.objects.create(
        participant=participant, channels=channels,
        **{field: answers.get(item, "") if channel in channels else ""
           for channel, item, field in (("email", "contact_email", "email"),
                                        ("sms", "contact_phone", "phone"),
                                        ("post", "contact_postal", "postal"))},
    )
    audit.record(actor, "participant.register", participant, mode=mode,
                 consent_form_version=participant.consent_form_version)
    return participant
