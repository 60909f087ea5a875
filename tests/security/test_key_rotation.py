"""Issue 9, Low: ``peerlog rotate-contact-key`` re-encrypts every encrypted field under the
newest key, survives a crash midway, is audited without values, and afterwards the old key
can be dropped with everything still readable."""

from __future__ import annotations

import json

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.db import connection

from peerlog.capture import crypto
from peerlog.capture.models import AuditEvent, ContactDetails, RegistrationDraft
from peerlog.outreach.models import Message
from peerlog.staff.models import TotpDevice

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


@pytest.fixture
def keys(monkeypatch):
    def use(value: str) -> None:
        monkeypatch.setenv("PEERLOG_CONTACT_KEYS", value)
        crypto.reset_keys()

    use(OLD)
    yield use
    monkeypatch.undo()
    crypto.reset_keys()


@pytest.fixture
def secrets_stored(keys, participant_factory, make_staff):
    """Values in every encrypted field, written under the old key."""
    people = [participant_factory() for _ in range(3)]
    for n, person in enumerate(people):
        ContactDetails.objects.create(participant=person, channels=["email"],
                                      email=f"p{n}@example.org", phone=f"+4477009000{n:02d}",
                                      postal=f"{n} Test Street" if n else "")
        Message.objects.create(participant=person, month="2026-11", channel="email",
                               body=f"link {n}")
    RegistrationDraft.objects.create(session_key="s1", answers=json.dumps({"contact_email":
                                                                          "d@example.org"}))
    user = make_staff("coordinator", "rotator")
    TotpDevice.objects.create(user=user, secret="JBSWY3DPEHPK3PXP", confirmed=True)
    return people


def raw(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {column} <> ''")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


RAW_FIELDS = [("capture_contactdetails", "email"), ("capture_contactdetails", "phone"),
              ("capture_contactdetails", "postal"), ("capture_registrationdraft", "answers"),
              ("staff_totpdevice", "secret"), ("outreach_message", "body")]


def opens_with(key: str, token: str) -> bool:
    try:
        Fernet(key.encode()).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def test_every_encrypted_field_is_found():
    found = {(m._meta.db_table, f.column) for m, fields in crypto.encrypted_fields()
             for f in fields}
    assert set(RAW_FIELDS) <= found


def test_rotate_crash_resume_then_drop_the_old_key(keys, secrets_stored):
    keys(f"{NEW},{OLD}")

    class Crash(RuntimeError):
        pass

    def crash_after_first(label: str, last_pk: int) -> None:
        if label == "capture.contactdetails":
            raise Crash

    with pytest.raises(Crash):
        crypto.rotate_all(batch_size=1, after_batch=crash_after_first)
    emails = raw("capture_contactdetails", "email")
    assert sorted(opens_with(NEW, t) for t in emails) == [False, False, True], "one batch done"

    counts = crypto.rotate_all(batch_size=2)  # the rerun finishes the rest
    assert counts["capture.contactdetails.email"] == 2
    assert counts["capture.contactdetails.email already current"] == 1
    assert counts["capture.registrationdraft.answers"] == 1
    assert counts["staff.totpdevice.secret"] == 1
    assert counts["outreach.message.body"] == 3
    for table, column in RAW_FIELDS:
        tokens = raw(table, column)
        assert tokens, (table, column)
        assert all(opens_with(NEW, t) and not opens_with(OLD, t) for t in tokens), column

    # Audited with counts only: no clear value and no token in the event.
    event = AuditEvent.objects.get(action="contact_key.rotate")
    text = json.dumps(event.detail)
    assert event.detail["counts"]["capture.contactdetails.phone"] == 2
    assert "example.org" not in text and "gAAAA" not in text and "+44" not in text

    # The old key is dropped: everything reads as before.
    keys(NEW)
    contacts = ContactDetails.objects.order_by("participant__personal_id__code")
    assert sorted(c.email for c in contacts) == ["p0@example.org", "p1@example.org",
                                                 "p2@example.org"]
    assert sorted(c.phone for c in contacts) == ["+447700900000", "+447700900001",
                                                 "+447700900002"]
    assert sorted(c.postal for c in contacts) == ["", "1 Test Street", "2 Test Street"]
    assert json.loads(RegistrationDraft.objects.get().answers) == {
        "contact_email": "d@example.org"}
    assert TotpDevice.objects.get().secret == "JBSWY3DPEHPK3PXP"
    assert sorted(Message.objects.values_list("body", flat=True)) == ["link 0", "link 1",
                                                                       "link 2"]
    # A second run has nothing left to do.
    again = crypto.rotate_all()
    assert not [name for name in again if not name.endswith("already current")]


def test_without_rotation_dropping_the_old_key_fails_loudly(keys, secrets_stored):
    from django.core.exceptions import ImproperlyConfigured

    keys(NEW)
    with pytest.raises(ImproperlyConfigured):
        list(ContactDetails.objects.values_list("email", flat=True))


def test_the_command(keys, secrets_stored, capsys):
    from peerlog.cli import main

    keys(f"{NEW},{OLD}")
    assert main(["rotate-contact-key", "--batch-size", "2"]) == 0
    out = capsys.readouterr().out
    assert "capture.contactdetails.email: 3" in out and "example.org" not in out
    assert all(opens_with(NEW, t) for t in raw("capture_contactdetails", "email"))


def test_a_value_no_key_opens_stops_the_rotation_with_a_clear_message(keys, secrets_stored):
    from django.core.exceptions import ImproperlyConfigured

    keys(NEW)  # the old key forgotten before rotating
    with pytest.raises(ImproperlyConfigured, match="opens with none of the keys") as caught:
        crypto.rotate_all()
    assert "example.org" not in str(caught.value)
