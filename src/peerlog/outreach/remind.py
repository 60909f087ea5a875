"""The reminder batch (`peerlog remind`, run daily by a scheduler).

One run, under a lock so two runs never overlap:

1. **recover** what an earlier run left in ``sending`` (it died mid-send, so the message's
   fate is unknown): retried under the same key where the channel's provider accepts
   idempotency keys (SMS), otherwise put ``in_doubt`` for staff (SMTP);
2. **plan**: for each participant who is due (:mod:`peerlog.outreach.schedule`), issue
   a personal link and record one message per chosen channel, in one transaction, before
   anything is sent; the outbox's unique (participant, month, channel) keeps it to one a
   month whatever runs again;
   The ``post`` channel is not planned here: letters go in a coordinator's monthly mailing
   (:mod:`peerlog.staff.post`), recorded in the outbox as sent;
3. **send** what is queued or due a retry: mark ``sending`` (committed), send, record the
   outcome (committed). A crash between the two commits is step 1 of the next run.

Failures are retried with backoff (:data:`BACKOFF`) up to ``REMINDER_MAX_ATTEMPTS``; then
the message waits for staff, as do messages in doubt (:func:`decide`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import socket
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from peerlog.capture import audit, personal_ids
from peerlog.capture.models import Log, Participant
from peerlog.outreach import schedule, texts
from peerlog.outreach.backends import NOT_SENT, SENT, Backend, SendResult, default_backends
from peerlog.outreach.links import issue_link
from peerlog.outreach.models import BatchLock, Message, RemindRun

logger = logging.getLogger(__name__)

ACTOR = "reminders"  # the audit trail's actor label for the batch
# Wait before retry n (after n failed attempts); the last step repeats.
BACKOFF = (
    dt.timedelta(minutes=15), dt.timedelta(hours=1), dt.timedelta(hours=6),
    dt.timedelta(hours=24),
)
LOCK_STALE_AFTER = dt.timedelta(minutes=15)  # a holder silent this long is presumed dead

State = Message.State


class AlreadyRunning(RuntimeError):
    pass


def backoff(attempts: int) -> dt.timedelta:
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


# --- the lock ---------------------------------------------------------------------------

def _holder_alive(lock: BatchLock, now: dt.datetime) -> bool:
    if not lock.pid:
        return False
    if lock.heartbeat_at and now - lock.heartbeat_at > LOCK_STALE_AFTER:
        return False
    if lock.host == socket.gethostname():
        try:
            os.kill(lock.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
    return True


@contextmanager
def batch_lock(name: str = "remind") -> Iterator[Callable[[], None]]:
    """Hold the batch's lock; yields a ``heartbeat()`` to call while working."""
    host, pid = socket.gethostname(), os.getpid()
    with contextlib.suppress(IntegrityError):  # another process created it just now
        BatchLock.objects.get_or_create(name=name)
    with transaction.atomic():
        lock = BatchLock.objects.select_for_update().get(name=name)
        now = timezone.now()
        if _holder_alive(lock, now):
            raise AlreadyRunning(f"`peerlog {name}` is already running ({lock.host}, pid {lock.pid})")
        if lock.pid:
            logger.warning("taking over the %s lock from %s pid %s (gone)", name, lock.host,
                           lock.pid)
        lock.host, lock.pid, lock.acquired_at, lock.heartbeat_at = host, pid, now, now
        lock.save()

    def heartbeat() -> None:
        BatchLock.objects.filter(name=name, host=host, pid=pid).update(heartbeat_at=timezone.now())

    try:
        yield heartbeat
    finally:
        BatchLock.objects.filter(name=name, host=host, pid=pid).update(
            host="", pid=None, heartbeat_at=None
        )


# --- the run ----------------------------------------------------------------------------

def run(*, today: dt.date | None = None, backends: dict[str, Backend] | None = None,
        out: Callable[[str], None] = lambda line: None) -> Counter:
    """One reminder run; returns what it did, by outcome."""
    backends = backends if backends is not None else default_backends()
    counts: Counter = Counter()
    with batch_lock() as heartbeat:
        record = RemindRun.objects.create(host=socket.gethostname(), pid=os.getpid())
        recover(backends, counts, out)
        today = today or timezone.localdate()
        plan(today, counts, out)
        send_pending(today, backends, counts, heartbeat, out)
        record.finished_at = timezone.now()
        record.counts = dict(counts)
        record.save(update_fields=["finished_at", "counts"])
    return counts


def recover(backends: dict[str, Backend], counts: Counter,
            out: Callable[[str], None] = lambda line: None) -> None:
    """Deal with messages an interrupted run left in ``sending``."""
    for pk in list(Message.objects.filter(state=State.SENDING).values_list("pk", flat=True)):
        with transaction.atomic():
            msg = Message.objects.select_for_update().get(pk=pk)
            if msg.state != State.SENDING:
                continue
            backend = backends.get(msg.channel)
            msg.set_error("interrupted", "unknown")
            if backend is not None and backend.supports_idempotency:
                msg.state, msg.next_attempt_at = State.FAILED, timezone.now()
                msg.note("interrupted", then="retry under the same key")
                counts["recovered_retry"] += 1
            else:
                msg.state, msg.next_attempt_at = State.IN_DOUBT, None
                msg.note("interrupted", then="in doubt: staff decide")
                counts["recovered_in_doubt"] += 1
            msg.save()
            out(f"interrupted message {msg.key} ({msg.channel}): {msg.state}")


def plan(today: dt.date, counts: Counter, out: Callable[[str], None] = lambda line: None,
         dry_run: bool = False) -> None:
    """Record this month's reminders for everyone due, before any is sent."""
    month = schedule.month_key(today)
    for due in schedule.due(today):
        participant = due.participant
        # A letter in a coordinator's post mailing is recorded as a reminder too, but the
        # batch only sends email and SMS: a posted letter must not stop those.
        already = Message.objects.filter(
            participant=participant, purpose=Message.Purpose.REMINDER, month=month
        ).exclude(channel=Message.Channel.POST).exists()
        if already:
            continue
        if dry_run:
            out(f"due: {participant.personal_id.code} log {due.log_number} ({due.kind}) "
                f"by {', '.join(due.channels)}")
            counts["due"] += 1
            continue
        try:
            with transaction.atomic():
                link = issue_link(participant)
                for channel in due.channels:
                    subject, body = texts.reminder(
                        language=participant.language, channel=channel, link=link,
                        kind=due.kind,
                        personal_id=personal_ids.display(participant.personal_id.code),
                    )
                    msg = Message(
                        participant=participant, purpose=Message.Purpose.REMINDER, month=month,
                        channel=channel, log_number=due.log_number, log_kind=due.kind,
                        language=participant.language, subject=subject, body=body,
                    )
                    msg.note("planned", log_number=due.log_number, kind=due.kind)
                    msg.save()
                    counts["planned"] += 1
        except IntegrityError:  # planned by someone else meanwhile: theirs stands
            continue


def send_pending(today: dt.date, backends: dict[str, Backend], counts: Counter,
                 heartbeat: Callable[[], None] = lambda: None,
                 out: Callable[[str], None] = lambda line: None) -> None:
    now = timezone.now()
    pending = (
        Message.objects.filter(Q(state=State.QUEUED)
                               | Q(state=State.FAILED, next_attempt_at__lte=now))
        .order_by("created_at", "id")
        .values_list("pk", flat=True)
    )
    for pk in list(pending):
        outcome = send_one(pk, today, backends)
        if outcome:
            counts[outcome] += 1
        heartbeat()


def cancel_reason(msg: Message, participant: Participant, today: dt.date) -> str:
    if msg.purpose == Message.Purpose.LINK:  # asked for: only withdrawal or no address stops it
        if participant.withdrawal:
            return "withdrawn"
        if not link_address(participant, msg.channel):
            return "no address for this channel"
        return ""
    if reason := schedule.may_remind(participant):
        return reason
    if msg.channel not in schedule.reachable_channels(participant):
        return "channel no longer chosen, or no address"
    if (participant.logs.exclude(status=Log.Status.SET_ASIDE)
            .filter(received_at__gte=msg.created_at).exists()):
        return "a log was completed since the reminder was planned"
    if msg.state == State.FAILED and msg.month != schedule.month_key(today):
        return "the month is over: next month's reminder replaces it"
    return ""


def send_one(pk: int, today: dt.date, backends: dict[str, Backend]) -> str:
    """Send one message if it is still due; returns the outcome counted, or ''."""
    now = timezone.now()
    with transaction.atomic():
        msg = Message.objects.select_for_update().get(pk=pk)
        retry_due = msg.state == State.FAILED and msg.next_attempt_at and msg.next_attempt_at <= now
        if msg.state != State.QUEUED and not retry_due:
            return ""
        participant = Participant.objects.select_related("project", "contact").get(
            pk=msg.participant_id
        )
        if reason := cancel_reason(msg, participant, today):
            msg.state, msg.next_attempt_at = State.CANCELLED, None
            msg.body = ""  # it carried a personal link, and will never be sent
            msg.note("cancelled", reason=reason)
            msg.save()
            return "cancelled"
        backend = backends.get(msg.channel)
        if backend is None:
            return ""
        address = link_address(participant, msg.channel)
        msg.state, msg.attempts, msg.sending_started_at = State.SENDING, msg.attempts + 1, now
        msg.note("sending", attempt=msg.attempts)
        msg.save()
        # Reading contact details is audited; this is the batch's sanctioned use of them.
        audit.record(ACTOR, "contact.use", participant, purpose=msg.purpose,
                     channel=msg.channel, message=msg.key)
    try:
        result = backend.send(key=msg.key, to=address, subject=msg.subject, body=msg.body)
    except Exception as exc:  # a bug in a backend: its fate is unknown, never "not sent"
        # Only the exception's type is logged: its text may quote the address.
        logger.error("backend %s raised %s", msg.channel, type(exc).__name__)
        result = SendResult.unknown("backend_error")
    with transaction.atomic():
        msg = Message.objects.select_for_update().get(pk=pk)
        outcome = apply_result(msg, result, backend)
        msg.save()
    return outcome


def link_address(participant: Participant, channel: str) -> str:
    contact = getattr(participant, "contact", None)
    if contact is None:
        return ""
    return contact.email if channel == Message.Channel.EMAIL else contact.phone


def send_now(pks: list[int], backends: dict[str, Backend] | None = None) -> Counter:
    """Send these queued messages at once, by the batch's own path (a message a reminder run
    is sending meanwhile is left to it: :func:`send_one` locks the row). What fails stays in
    the outbox and is retried by the next ``peerlog remind``."""
    backends = backends if backends is not None else default_backends()
    counts: Counter = Counter()
    for pk in pks:
        if outcome := send_one(pk, timezone.localdate(), backends):
            counts[outcome] += 1
    return counts


def apply_result(msg: Message, result: SendResult, backend: Backend) -> str:
    now = timezone.now()
    if result.status == SENT:
        msg.state, msg.sent_at, msg.next_attempt_at = State.SENT, now, None
        msg.provider_message_id = result.provider_id[:200]
        msg.set_error()
        msg.note("sent", provider_id=result.provider_id[:200])
        return "sent"
    error = msg.set_error(result.kind, result.error_class, result.code)
    max_attempts = settings.PEERLOG["REMINDER_MAX_ATTEMPTS"]
    if result.status == NOT_SENT:
        retry = not result.permanent and msg.attempts < max_attempts
    else:  # unknown: only a channel with idempotency keys may try again, under the same key
        retry = backend.supports_idempotency and msg.attempts < max_attempts
        if not retry:
            msg.state, msg.next_attempt_at = State.IN_DOUBT, None
            msg.note("in_doubt", error=error)
            return "in_doubt"
    if retry:
        wait = backoff(msg.attempts)
        if result.retry_after:
            wait = max(wait, dt.timedelta(seconds=result.retry_after))
        msg.state, msg.next_attempt_at = State.FAILED, now + wait
        msg.note("failed", error=error, retry_at=msg.next_attempt_at.isoformat())
        return "failed"
    msg.state, msg.next_attempt_at = State.FAILED, None
    msg.note("gave_up", error=error)
    return "gave_up"


# --- staff decisions ----------------------------------------------------------------------

DECISIONS = {
    # action: states it applies to
    "mark_sent": (State.IN_DOUBT, State.FAILED),
    "resend": (State.IN_DOUBT, State.FAILED),
    "cancel": (State.IN_DOUBT, State.FAILED, State.QUEUED),
}


class NotAllowed(ValueError):
    pass


def decide(pk: int, action: str, user) -> Message:
    """A staff member settles a message in doubt or failed: mark sent, resend or cancel.

    "resend" queues it again under the same key, for the next reminder run.
    """
    if action not in DECISIONS:
        raise NotAllowed(f"unknown action {action!r}")
    with transaction.atomic():
        msg = Message.objects.select_for_update().get(pk=pk)
        if msg.state not in DECISIONS[action]:
            raise NotAllowed(f"a message that is {msg.get_state_display()} cannot be {action}")
        before = msg.state
        now = timezone.now()
        if action == "mark_sent":
            msg.state, msg.sent_at = State.SENT, msg.sent_at or now
        elif action == "resend":
            msg.state = State.QUEUED
        else:
            msg.state, msg.body = State.CANCELLED, ""
        msg.next_attempt_at = None
        msg.resolved_at, msg.resolved_by, msg.resolution = now, user, action
        msg.note("staff", action=action, by=audit.actor_label(user), was=before)
        msg.save()
        audit.record(user, f"outreach.{action}", msg, was=before, key=msg.key)
    return msg
