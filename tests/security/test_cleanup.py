"""Low item: registration drafts and sessions do not grow without limit. ``peerlog cleanup``
deletes exactly what has outlived its use, says what it removed, and is idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from peerlog.capture.models import (
    AuditEvent,
    Draft,
    Log,
    Participant,
    PersonalLink,
    RateLimit,
    RegistrationDraft,
)
from peerlog.cli import main

pytestmark = pytest.mark.django_db


def days_ago(n: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=n)


def session(expires: dt.datetime) -> str:
    store = SessionStore()
    store["peerlog_registration"] = "x"
    store.create()
    Session.objects.filter(session_key=store.session_key).update(expire_date=expires)
    return store.session_key


def aged(model, obj, **fields):
    model.objects.filter(pk=obj.pk).update(**fields)  # bypasses auto_now
    return obj.pk


@pytest.fixture
def leftovers(participant_factory):
    p, q = participant_factory(), participant_factory()
    live_session, old_session = session(days_ago(-1)), session(days_ago(1))
    reg_new = RegistrationDraft.objects.create(session_key="new", answers="{}")
    reg_old = RegistrationDraft.objects.create(session_key="old", answers="{}")
    aged(RegistrationDraft, reg_old, updated_at=days_ago(8))
    open_new = Draft.objects.create(participant=p, instrument="monthly", submission_key="on",
                                    answers={"swemwbs_1": 4})
    open_old = Draft.objects.create(participant=q, instrument="monthly", submission_key="oo",
                                    answers={"swemwbs_1": 2})
    aged(Draft, open_old, updated_at=days_ago(61))
    log = Log.objects.create(participant=p, typed_personal_id=p.personal_id.code,
                             instrument="monthly", kind="monthly", version="full",
                             mode="online", completed_on=timezone.localdate(),
                             submission_key="sent", answers={"swemwbs_1": 3})
    sent_old = Draft.objects.create(participant=p, instrument="monthly", submission_key="sent",
                                    log=log)
    aged(Draft, sent_old, updated_at=days_ago(61))

    def link(name, **fields):
        return PersonalLink.objects.create(participant=p, token_hash=name * 8, purpose="test",
                                           expires_at=fields.pop("expires_at", days_ago(-300)),
                                           **fields)
    links = {
        "live": link("live"), "expired_recently": link("rcnt", expires_at=days_ago(10)),
        "expired_long_ago": link("long", expires_at=days_ago(91)),
        "revoked_long_ago": link("revk", revoked_at=days_ago(91)),
        "revoked_recently": link("rvrc", revoked_at=days_ago(3)),
    }
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    RateLimit.objects.create(scope="register-id", key="a", window_start=now, count=3)
    RateLimit.objects.create(scope="register-id", key="a", window_start=days_ago(3), count=9)
    return {"sessions": (live_session, old_session), "reg": (reg_new.pk, reg_old.pk),
            "drafts": (open_new.pk, open_old.pk, sent_old.pk), "links": links, "log": log,
            "people": (p, q)}


def test_cleanup_removes_what_has_outlived_its_use_and_only_that(leftovers, capsys):
    assert main(["cleanup"]) == 0
    out = capsys.readouterr().out
    assert "removed 1 expired sessions" in out
    assert "removed 1 unfinished registrations" in out
    assert "removed 1 unsent logs" in out and "removed 1 keys of sent logs" in out
    assert "removed 2 dead personal links" in out and "removed 1 rate-limit counters" in out

    live_session, _old = leftovers["sessions"]
    assert list(Session.objects.values_list("session_key", flat=True)) == [live_session]
    assert list(RegistrationDraft.objects.values_list("pk", flat=True)) == [leftovers["reg"][0]]
    assert list(Draft.objects.values_list("pk", flat=True)) == [leftovers["drafts"][0]]
    assert set(PersonalLink.objects.values_list("purpose", "token_hash")) == {
        ("test", name * 8) for name in ("live", "rcnt", "rvrc")}
    assert list(RateLimit.objects.values_list("count", flat=True)) == [3]
    # What is never cleaned: the log that was sent, the people.
    assert Log.objects.get(pk=leftovers["log"].pk).answers == {"swemwbs_1": 3}
    assert Participant.objects.count() == 2
    event = AuditEvent.objects.get(action="capture.cleanup")
    assert event.detail["unsent_logs"] == 1 and event.detail["dead_personal_links"] == 2

    # Again: nothing more to remove, nothing more audited.
    assert main(["cleanup"]) == 0
    assert capsys.readouterr().out.count("removed 0 ") == 8
    assert AuditEvent.objects.filter(action="capture.cleanup").count() == 1


def test_retention_comes_from_the_settings(leftovers, settings):
    settings.PEERLOG = {**settings.PEERLOG, "REGISTRATION_DRAFT_DAYS": 30,
                        "LOG_DRAFT_DAYS": 365, "DEAD_LINK_DAYS": 5}
    from peerlog.capture.cleanup import cleanup

    removed = cleanup()
    assert removed["unfinished registrations"] == 0 and removed["unsent logs"] == 0
    assert removed["dead personal links"] == 3
    assert RegistrationDraft.objects.count() == 2 and Draft.objects.count() == 3


def test_sent_message_bodies_and_old_audit_events_go_after_their_time(participant_factory,
                                                                       settings, capsys):
    """Rows before and after, read back from the database: only sent messages past their
    days lose their text; only audit events past theirs are deleted; 0 keeps both."""
    from peerlog.capture import audit
    from peerlog.outreach.models import Message

    p = participant_factory()

    def message(month, state, sent_days_ago=None):
        msg = Message.objects.create(participant=p, month=month, channel="email", state=state,
                                     body=f"Your link: https://x/l/secret-{month}/")
        if sent_days_ago is not None:
            Message.objects.filter(pk=msg.pk).update(sent_at=days_ago(sent_days_ago))
        return msg.pk

    old_sent = message("2026-01", Message.State.SENT, 31)
    new_sent = message("2026-02", Message.State.SENT, 29)
    failed = message("2026-03", Message.State.FAILED)
    Message.objects.filter(pk=failed).update(sent_at=days_ago(90))  # not sent: kept for a retry
    audit.record("cli", "test.old", "thing", n=1)
    audit.record("cli", "test.recent", "thing", n=2)
    AuditEvent.objects.filter(action="test.old").update(at=days_ago(6 * 366 + 1))
    AuditEvent.objects.filter(action="test.recent").update(at=days_ago(6 * 366 - 1))

    settings.PEERLOG = {**settings.PEERLOG, "SENT_MESSAGE_BODY_DAYS": 0, "AUDIT_KEEP_DAYS": 0}
    assert main(["cleanup"]) == 0
    assert "removed 0 bodies of sent messages" in capsys.readouterr().out
    assert Message.objects.exclude(body="").count() == 3
    assert AuditEvent.objects.filter(action__startswith="test.").count() == 2

    settings.PEERLOG = {**settings.PEERLOG, "SENT_MESSAGE_BODY_DAYS": 30,
                        "AUDIT_KEEP_DAYS": 6 * 366}
    assert main(["cleanup"]) == 0
    out = capsys.readouterr().out
    assert "removed 1 bodies of sent messages" in out and "removed 1 audit events" in out
    bodies = dict(Message.objects.values_list("pk", "body"))
    assert bodies == {old_sent: "", new_sent: "Your link: https://x/l/secret-2026-02/",
                      failed: "Your link: https://x/l/secret-2026-03/"}
    assert Message.objects.get(pk=old_sent).state == Message.State.SENT  # the record stays
    assert list(AuditEvent.objects.filter(action__startswith="test.")
                .values_list("action", flat=True)) == ["test.recent"]
    event = AuditEvent.objects.get(action="capture.cleanup")
    assert event.detail["bodies_of_sent_messages"] == 1 and event.detail["audit_events"] == 1
