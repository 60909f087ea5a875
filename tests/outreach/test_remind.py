"""Reminders against a real SMTP server (aiosmtpd) and a local HTTP SMS provider."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.utils import timezone

from peerlog.capture import links
from peerlog.capture.models import AuditEvent, Log, Participant
from peerlog.outreach import remind, schedule
from peerlog.outreach.backends import default_backends
from peerlog.outreach.models import BatchLock, Message

LINK = re.compile(r"https?://\S+/l/([A-Za-z0-9_-]+)/")


def run(**kwargs):
    return remind.run(backends=default_backends(), **kwargs)


def complete_log(participant, completed_on, status=Log.Status.COMPLETE):
    import uuid

    return Log.objects.create(
        participant=participant, typed_personal_id=participant.personal_id.code,
        instrument="monthly", kind="monthly", version="full", mode="online",
        completed_on=completed_on, status=status, submission_key=uuid.uuid4().hex,
        # sent that day, at this time: online logs count from the day they were received
        received_at=timezone.now() - (timezone.localdate() - completed_on),
    )


def test_schedule_first_log_quarterly_then_every_third():
    assert [schedule.log_kind(n) for n in range(1, 9)] == [
        "quarterly", "monthly", "monthly", "quarterly", "monthly", "monthly", "quarterly",
        "monthly",
    ]
    assert schedule.month_bounds("2026-12") == (dt.date(2026, 12, 1), dt.date(2027, 1, 1))


def test_who_is_due(reachable, project_factory):
    today = timezone.localdate()
    new = reachable(registered_days_ago=40)  # registered, never logged: log 1 due
    recent = reachable()
    complete_log(recent, today - dt.timedelta(days=10))
    old = reachable()
    for days in (100, 70, 40):
        complete_log(old, today - dt.timedelta(days=days))
    held = reachable()  # a paper log awaiting second entry counts, as on the personal link
    complete_log(held, today - dt.timedelta(days=3), status=Log.Status.HELD)
    set_aside_only = reachable()  # a log set aside does not
    complete_log(set_aside_only, today - dt.timedelta(days=3), status=Log.Status.SET_ASIDE)
    just_registered = reachable(registered_days_ago=5)
    excluded = [
        reachable(withdrawal="no_contact"), reachable(withdrawal="remove_data"),
        reachable(consent_reminders=False), reachable(opt_out=True),
        reachable(channels=("post",)), reachable(project=project_factory(active=False)),
    ]
    due = {d.participant.pk: d for d in schedule.due(today)}
    assert set(due) == {new.pk, old.pk, set_aside_only.pk}
    assert (due[new.pk].log_number, due[new.pk].kind) == (1, "quarterly")
    assert (due[old.pk].log_number, due[old.pk].kind) == (4, "quarterly")
    assert (due[set_aside_only.pk].log_number, due[set_aside_only.pk].kind) == (1, "quarterly")
    assert recent.pk not in due and held.pk not in due and just_registered.pk not in due
    assert not {p.pk for p in excluded} & set(due)


def test_reminders_go_by_each_chosen_channel_with_link_and_support(
    reachable, smtp_server, sms_provider, settings
):
    settings.PEERLOG = {**settings.PEERLOG, "SUPPORT_CONTACT": "Sam at 0113 496 0000",
                        "SITE_URL": "https://peerlog.example.org"}
    both = reachable(channels=("email", "sms"))
    email_only = reachable(channels=("email",))
    sms_only = reachable(channels=("sms",))
    counts = run()
    assert counts["planned"] == 4 and counts["sent"] == 4

    assert sorted(m["to"][0] for m in smtp_server.messages) == sorted(
        [both.contact.email, email_only.contact.email])
    assert sorted(m["to"] for m in sms_provider.sent) == sorted(
        [both.contact.phone, sms_only.contact.phone])
    for participant in (both, email_only, sms_only):
        participant.refresh_from_db()
        texts = [m["body"] for m in smtp_server.messages if m["to"] == [participant.contact.email]]
        texts += [m["body"] for m in sms_provider.sent if m["to"] == participant.contact.phone]
        tokens = {LINK.search(t).group(1) for t in texts}
        assert len(tokens) == 1, "one link a month, shared by the channels"
        # The link opens this participant's pages: its token's hash is what is stored.
        assert links.participant_for_token(tokens.pop()) == participant
        assert all("Sam at 0113 496 0000" in t for t in texts)
        assert all("https://peerlog.example.org/l/" in t for t in texts)
    assert "quarterly log" in smtp_server.messages[0]["subject"]
    # Each email carries its outbox key as Message-ID; each SMS went under its key.
    keys = set(Message.objects.values_list("key", flat=True))
    assert {mid.strip("<>").split("@")[0] for mid in smtp_server.by_message_id()} <= keys
    assert set(sms_provider.delivered()) <= keys
    assert set(Message.objects.values_list("state", flat=True)) == {"sent"}
    assert all(m.provider_message_id for m in Message.objects.all())
    # Using the contact details is audited, once per message.
    assert AuditEvent.objects.filter(action="contact.use").count() == 4


def test_outbox_holds_no_plain_address_or_link(reachable, smtp_server, sms_provider):
    participant = reachable()
    run()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM outreach_message")
        raw = repr(cursor.fetchall())
    assert participant.contact.email not in raw and participant.contact.phone not in raw
    assert "/l/" not in raw  # the body (with the link) is encrypted at rest


def test_a_second_run_sends_nothing_again(reachable, smtp_server, sms_provider):
    reachable()
    reachable(channels=("email",))
    first = run()
    second = run()
    assert first["sent"] == 3
    assert second["planned"] == 0 and second["sent"] == 0
    assert len(smtp_server.messages) == 2 and len(sms_provider.sent) == 1
    # Later in the same month: still one reminder a month.
    today = timezone.localdate()
    later = max(today, today.replace(day=28))
    assert run(today=later)["sent"] == 0
    assert len(smtp_server.messages) == 2 and len(sms_provider.sent) == 1


def test_withdrawal_or_opt_out_after_planning_cancels(reachable, smtp_server, sms_provider):
    withdrawn, opted_out, fine = reachable(), reachable(), reachable(channels=("email",))
    counts = __import__("collections").Counter()
    remind.plan(timezone.localdate(), counts)
    assert counts["planned"] == 5
    Participant.objects.filter(pk=withdrawn.pk).update(withdrawal="no_contact")
    opted_out.contact.reminders_opt_out = True
    opted_out.contact.save()
    counts = run()
    assert counts["sent"] == 1 and counts["cancelled"] == 4
    assert [m["to"] for m in smtp_server.messages] == [[fine.contact.email]]
    assert sms_provider.requests == []
    reasons = {m.participant_id: m.history[-1]["reason"]
               for m in Message.objects.filter(state="cancelled")}
    assert reasons[withdrawn.pk] == "withdrawn"
    assert reasons[opted_out.pk] == "opted out of reminders"


def test_a_log_completed_meanwhile_stops_the_retries(reachable, smtp_down):
    participant = reachable(channels=("email",))
    assert run()["failed"] == 1
    complete_log(participant, timezone.localdate())
    Message.objects.update(next_attempt_at=timezone.now())
    assert run()["cancelled"] == 1
    assert Message.objects.get().history[-1]["reason"].startswith("a log was completed")


def test_reminder_text_in_the_participants_language():
    from peerlog.outreach import texts

    subject, body = texts.reminder(language="ar", channel="email", link="https://x/l/t/",
                                   kind="monthly")
    assert "https://x/l/t/" in body and subject
    _, sms = texts.reminder(language="en", channel="sms", link="https://x/l/t/", kind="monthly")
    assert len(sms) < 320 and "https://x/l/t/" in sms


def test_smtp_down_is_retried_with_backoff_then_gives_up(reachable, settings, closed_port,
                                                         smtp_server):
    settings.PEERLOG = {**settings.PEERLOG, "REMINDER_MAX_ATTEMPTS": 3}
    real = settings.MAILERS["reminders"]
    settings.MAILERS = {**settings.MAILERS,
                        "reminders": {**real, "OPTIONS": {**real["OPTIONS"], "port": closed_port}}}
    reachable(channels=("email",))
    before = timezone.now()
    assert run()["failed"] == 1
    msg = Message.objects.get()
    assert (msg.state, msg.attempts) == ("failed", 1)
    assert (msg.error_kind, msg.error_class) == ("connect", "temporary")
    assert "could not connect" in msg.last_error
    assert msg.next_attempt_at - before >= remind.BACKOFF[0]
    assert run()["sent"] == 0, "not retried before its time"
    Message.objects.update(next_attempt_at=timezone.now())
    assert run()["failed"] == 1
    msg.refresh_from_db()
    assert msg.attempts == 2 and msg.next_attempt_at - timezone.now() > remind.BACKOFF[0]
    Message.objects.update(next_attempt_at=timezone.now())
    assert run()["gave_up"] == 1
    msg.refresh_from_db()
    assert msg.gave_up and msg.needs_staff
    # Staff resend once the server is back: it goes, under the same key.
    settings.MAILERS = {**settings.MAILERS, "reminders": real}
    remind.decide(msg.pk, "resend", None)
    assert run()["sent"] == 1
    assert list(smtp_server.by_message_id()) == [f"<{msg.key}@peerlog>"]


def test_refused_recipient_is_not_retried(reachable, smtp_server):
    participant = reachable(channels=("email",))
    smtp_server.refuse.add(participant.contact.email)
    assert run()["gave_up"] == 1
    msg = Message.objects.get()
    assert msg.state == "failed" and msg.next_attempt_at is None
    assert (msg.error_kind, msg.error_class, msg.error_code) == (
        "recipient_refused", "permanent", "SMTP 550 5.1.1")


def test_sms_provider_error_after_sending_is_retried_under_the_same_key(reachable, sms_provider):
    reachable(channels=("sms",))
    sms_provider.fail_after_sending.append(500)  # it sent, then answered 500
    assert run()["failed"] == 1
    msg = Message.objects.get()
    Message.objects.update(next_attempt_at=timezone.now())
    assert run()["sent"] == 1
    assert sms_provider.requests == [msg.key, msg.key]
    assert sms_provider.delivered() == {msg.key: 1}, "the provider dropped the repeat"


def test_sms_busy_and_invalid_number(reachable, sms_provider):
    busy = reachable(channels=("sms",))
    sms_provider.fail_next.append(429)
    assert run()["failed"] == 1
    assert Message.objects.get(participant=busy).state == "failed"
    Message.objects.update(next_attempt_at=timezone.now())
    assert run()["sent"] == 1
    invalid = reachable(channels=("sms",))
    invalid.contact.phone = "07700900000"  # not E.164: the provider refuses it
    invalid.contact.save()
    assert run()["gave_up"] == 1
    assert Message.objects.get(participant=invalid).gave_up


def test_interrupted_sends_are_retried_or_put_in_doubt(reachable, smtp_server, sms_provider):
    participant = reachable()
    remind.plan(timezone.localdate(), __import__("collections").Counter())
    # As a run killed mid-send leaves them.
    Message.objects.update(state="sending", attempts=1)
    counts = run()
    assert counts["recovered_in_doubt"] == 1 and counts["recovered_retry"] == 1
    email = Message.objects.get(participant=participant, channel="email")
    sms = Message.objects.get(participant=participant, channel="sms")
    assert email.state == "in_doubt" and smtp_server.messages == []
    assert sms.state == "sent" and sms.attempts == 2
    assert sms_provider.requests == [sms.key]


def test_staff_decisions(reachable, smtp_server, django_user_model):
    staff = django_user_model.objects.create_user("coord", password="x" * 12)
    reachable(channels=("email",))
    remind.plan(timezone.localdate(), __import__("collections").Counter())
    msg = Message.objects.get()
    with pytest.raises(remind.NotAllowed):
        remind.decide(msg.pk, "mark_sent", staff)  # queued: nothing to decide yet
    Message.objects.update(state="in_doubt")
    remind.decide(msg.pk, "mark_sent", staff)
    msg.refresh_from_db()
    assert (msg.state, msg.resolution, msg.resolved_by) == ("sent", "mark_sent", staff)
    assert AuditEvent.objects.filter(action="outreach.mark_sent", actor=staff).exists()
    assert run()["sent"] == 0 and smtp_server.messages == []
    with pytest.raises(remind.NotAllowed):
        remind.decide(msg.pk, "resend", staff)


def test_two_runs_never_overlap(reachable):
    import os
    import socket

    BatchLock.objects.create(name="remind", host=socket.gethostname(), pid=os.getpid(),
                             heartbeat_at=timezone.now())
    with pytest.raises(remind.AlreadyRunning):
        remind.run(backends={})
    # A holder that is gone (no such process) is taken over.
    BatchLock.objects.filter(name="remind").update(pid=2**22 + 12345)
    remind.run(backends={})
    assert BatchLock.objects.get(name="remind").pid is None
