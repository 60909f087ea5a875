"""Withdrawal that does what the form promises (issue 9, item 11).

**No more contact** (``no_contact``):

- the contact details' values are erased (email, phone, postal address; no channel left);
- every personal link stops working (revoked);
- unsent reminders (queued, failed, in doubt, sending) are cancelled, and the text of every
  message is dropped (it carried a personal link);
- an unfinished log in progress is deleted (it can never be submitted).

**Remove my data** (``remove_data``) does all that, and removes the person's answers from
every export, analysis, monitoring figure and page:

- their logs are **deleted**, with each log's paper entries (which hold the answers as
  typed), quality reviews (and their notes) and log drafts; so are **unregistered logs
  whose typed ID is the person's ID** (a paper form that could not be matched is theirs too);
- the registration answers and the demographic columns are blanked, the prize draw entry
  withdrawn;
- in the audit trail, the events about those logs lose their answer values (see
  :func:`redact_audit_events`); the events themselves stay.

What is **kept**, and why (UK GDPR Art. 89 and DPA 2018 Sch. 1 Part 1 para. 4 research
provisions; Art. 17(3)(d) and Art. 5(2)): the participant row with its personal ID,
project, registration date, consent record, withdrawal kind and date. It holds no answers.
It keeps the ID from being issued or registered again, lets a later paper log typed with
that ID be recognised and excluded, and proves that consent was given and withdrawn. The
audit trail keeps the fact of the withdrawal (who, when, what kind, and how many rows were
deleted; never values). Prize-draw records keep the ID in their list of who could win, so
a past draw can still be verified; they hold no answers. Analysis reports made before the
withdrawal are files outside the database: they are not rewritten; the next export and
analysis leave the person out.

Both kinds are idempotent, and ``remove_data`` is never downgraded to ``no_contact``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db import transaction
from django.utils import timezone

from peerlog.capture import audit, personal_ids
from peerlog.capture.models import (
    AuditEvent,
    ContactDetails,
    Draft,
    Log,
    Participant,
    PersonalLink,
)

NO_CONTACT, REMOVE_DATA = Participant.Withdrawal.NO_CONTACT, Participant.Withdrawal.REMOVE_DATA

# Participant columns that hold answers ("About you"), and their blank value.
DEMOGRAPHIC_FIELDS = {
    "age_band": "", "gender": "", "transgender_history": "", "sexual_orientation": "",
    "ethnicity": "", "area": "", "uses_mh_services": "", "mh_services_years": None,
    "physical_condition": "", "learning_disability": "", "transport_pass": "",
    "interview_interest": "", "prize_draw": False, "registration_answers": {},
}
REMOVED = "[removed at withdrawal]"


def the_persons_logs(participant: Participant) -> list[int]:
    """Primary keys of the person's logs, including unregistered logs typed with their ID."""
    code = participant.personal_id.code
    own = list(Log.objects.filter(participant=participant).values_list("pk", flat=True))
    unregistered = [
        pk for pk, typed in Log.objects.filter(participant__isnull=True)
        .values_list("pk", "typed_personal_id").iterator()
        if typed == code or personal_ids.normalise(typed) == code
    ]
    return own + unregistered


@transaction.atomic
def withdraw(participant: Participant, actor: Any, withdrawal: str, note: str = "") -> Counter:
    """Record a withdrawal and carry it out; returns what was done, by kind of row."""
    if withdrawal not in (NO_CONTACT, REMOVE_DATA):
        raise ValueError(f"not a withdrawal: {withdrawal!r}")
    participant = Participant.objects.select_for_update().select_related("personal_id").get(
        pk=participant.pk)
    previous = participant.withdrawal
    if previous == REMOVE_DATA:
        withdrawal = REMOVE_DATA  # data once removed is not brought back by a milder choice
    done = stop_contact(participant)
    if withdrawal == REMOVE_DATA:
        done += remove_data(participant, actor)
    participant.withdrawal = withdrawal
    participant.withdrawn_at = participant.withdrawn_at or timezone.now()
    participant.save()
    audit.record(actor, "participant.withdraw", participant, withdrawal=withdrawal,
                 previous=previous, note=note, done=dict(done))
    return done


def stop_contact(participant: Participant) -> Counter:
    """Erase contact details, revoke links, cancel unsent messages, drop message texts."""
    from peerlog.outreach.models import Message

    done: Counter = Counter()
    now = timezone.now()
    done["contact_details_erased"] = ContactDetails.objects.filter(
        participant=participant).update(email="", phone="", phone_lookup="", postal="",
                                        channels=[], reminders_opt_out=True, updated_at=now)
    done["links_revoked"] = PersonalLink.objects.filter(
        participant=participant, revoked_at__isnull=True).update(revoked_at=now)
    unsent = (Message.State.QUEUED, Message.State.FAILED, Message.State.IN_DOUBT,
              Message.State.SENDING)
    for msg in Message.objects.select_for_update().filter(participant=participant):
        if msg.state in unsent:
            msg.state, msg.next_attempt_at = Message.State.CANCELLED, None
            msg.note("cancelled", reason="withdrawn")
            done["messages_cancelled"] += 1
        if msg.body:
            done["message_texts_dropped"] += 1
        msg.body = ""
        msg.save()
    done["open_drafts_deleted"], _ = Draft.objects.filter(participant=participant,
                                                          log__isnull=True).delete()
    return done


def remove_data(participant: Participant, actor: Any) -> Counter:
    """Delete the person's answers everywhere; keep the bare fact of registration."""
    from peerlog.staff.models import PaperEntry, QualityReview

    done: Counter = Counter()
    log_ids = the_persons_logs(participant)
    done["drafts_deleted"], _ = Draft.objects.filter(participant=participant).delete()
    done["paper_entries_deleted"], _ = PaperEntry.objects.filter(log_id__in=log_ids).delete()
    done["quality_reviews_deleted"], _ = QualityReview.objects.filter(
        log_id__in=log_ids).delete()
    done["audit_events_redacted"] = redact_audit_events(log_ids, actor, participant)
    done["unregistered_logs_deleted"] = Log.objects.filter(
        pk__in=log_ids, participant__isnull=True).count()
    done["logs_deleted"], _ = Log.objects.filter(pk__in=log_ids).delete()
    for field, blank in DEMOGRAPHIC_FIELDS.items():
        setattr(participant, field, blank)
    return done


def _redacted(action: str, detail: dict) -> dict:
    """``detail`` without answer values: which items changed stays, what they said goes."""
    detail = dict(detail)
    if action == "log.change" and isinstance(detail.get("changed"), dict):
        changed = dict(detail["changed"])
        if isinstance(changed.get("answers"), dict):
            changed["answers"] = dict.fromkeys(changed["answers"], REMOVED)
        detail["changed"] = changed
    elif action == "log.double_entry_differs" and isinstance(detail.get("fields"), dict):
        detail["fields"] = dict.fromkeys(detail["fields"], REMOVED)
    elif action == "quality.resolve" and detail.get("note"):
        detail["note"] = REMOVED
    return detail


def redact_audit_events(log_ids: list[int], actor: Any, participant: Participant) -> int:
    """Remove answer values from the audit events about ``log_ids``.

    The one sanctioned exception to the append-only trail: ``log.change`` events keep
    before/after answers, double-entry differences keep both typings, and a quality note may
    quote an answer. Keeping them would keep the very answers the person asked to be
    removed. The event (who did what, when, to which log) stays; only values are replaced,
    with a queryset update (``AuditEvent.save`` refuses changes), and this step is itself
    audited with a count.
    """
    events = AuditEvent.objects.filter(target_type=Log._meta.label_lower,
                                       target_id__in=[str(pk) for pk in log_ids])
    redacted = 0
    for pk, action, detail in events.values_list("pk", "action", "detail"):
        clean = _redacted(action, detail or {})
        if clean != detail:
            AuditEvent.objects.filter(pk=pk).update(detail=clean)
            redacted += 1
    if redacted:
        audit.record(actor, "audit.redact", participant, reason="withdrawal: remove my data",
                     events=redacted, logs=len(log_ids))
    return redacted
