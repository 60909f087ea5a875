"""Storage facts that hold on SQLite and PostgreSQL alike."""

import pytest
from django.db import connection
from django.utils import timezone

from peerlog.capture import audit, crypto
from peerlog.capture.models import AuditEvent, ContactDetails, Participant

pytestmark = pytest.mark.django_db


def test_contact_details_are_encrypted_at_rest(participant_factory):
    participant = participant_factory()
    ContactDetails.objects.create(
        participant=participant, channels=["email", "sms"], email="sam@example.org",
        phone="+447700900123", postal="Sam Smith, 1 High Street, Leeds",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT email, phone, postal FROM capture_contactdetails")
        raw = cursor.fetchone()
    for stored, plain in zip(raw, ["sam@example.org", "+447700900123", "Sam Smith"], strict=True):
        assert plain not in stored
        assert stored.startswith("gAAAA")  # a Fernet token
    again = ContactDetails.objects.get(participant=participant)
    assert (again.email, again.phone) == ("sam@example.org", "+447700900123")


def test_contact_key_rotation_keeps_old_tokens_readable(participant_factory, monkeypatch):
    from cryptography.fernet import Fernet

    participant = participant_factory()
    ContactDetails.objects.create(participant=participant, email="old@example.org")
    old = crypto.os.environ["PEERLOG_CONTACT_KEYS"]
    monkeypatch.setenv("PEERLOG_CONTACT_KEYS", f"{Fernet.generate_key().decode()},{old}")
    crypto.reset_keys()
    try:
        assert ContactDetails.objects.get(participant=participant).email == "old@example.org"
    finally:
        monkeypatch.setenv("PEERLOG_CONTACT_KEYS", old)
        crypto.reset_keys()


def test_viewing_contact_details_is_audited(participant_factory, django_user_model):
    user = django_user_model.objects.create_user("researcher", password="x" * 12)
    participant = participant_factory()
    ContactDetails.objects.create(participant=participant, email="a@example.org")
    contact = audit.view_contact(participant, user, reason="prize draw winner")
    assert contact.email == "a@example.org"
    event = AuditEvent.objects.get(action="contact.view")
    assert (event.actor, event.target_id, event.detail) == (
        user, str(participant.pk), {"reason": "prize draw winner"},
    )


def test_audit_events_cannot_be_changed_or_deleted(participant_factory):
    event = audit.record(None, "log.create", participant_factory())
    event.action = "something else"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "log.create"


def test_personal_links_are_stored_hashed_expire_and_can_be_revoked(participant_factory,
                                                                    settings):
    import datetime as dt

    from peerlog.capture import links
    from peerlog.capture.models import PersonalLink

    participant, other = participant_factory(), participant_factory()
    first = links.new_token(participant, "registration")
    second = links.new_token(participant, "reminder")
    assert links.participant_for_token(first) == participant  # an old link still works
    assert links.participant_for_token(second) == participant
    assert links.participant_for_token("not-a-token") is None
    assert links.participant_for_token("x" * 500) is None
    stored = list(PersonalLink.objects.values_list("token_hash", flat=True))
    assert first not in stored and Participant.hash_token(first) in stored
    PersonalLink.objects.filter(token_hash=Participant.hash_token(first)).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert links.participant_for_token(first) is None
    other_token = links.new_token(other, "registration")
    assert links.revoke_links(participant) == 2
    assert links.participant_for_token(second) is None
    assert links.participant_for_token(other_token) == other
    settings.PEERLOG = {**settings.PEERLOG, "SITE_URL": "https://peerlog.example.org"}
    url = links.issue_link(other)
    assert url.startswith("https://peerlog.example.org/l/") and url.endswith("/")
    assert links.participant_for_token(url.split("/l/")[1].strip("/")) == other


def test_production_without_contact_keys_refuses_to_start(monkeypatch, settings):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.delenv("PEERLOG_CONTACT_KEYS")
    settings.PRODUCTION = True
    crypto.reset_keys()
    try:
        with pytest.raises(ImproperlyConfigured, match="PEERLOG_CONTACT_KEYS"):
            crypto.encrypt("someone@example.org")
    finally:
        crypto.reset_keys()


def test_contact_details_are_not_in_the_admin():
    from django.contrib import admin

    registered = {model.__name__ for model in admin.site._registry}
    assert "ContactDetails" not in registered
    assert {"Region", "Project", "AuditEvent"} <= registered
    # Issue 9: participants and logs are not in the admin either (tests/security).
    assert not {"Participant", "Log"} & registered
