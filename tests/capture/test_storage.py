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


def test_link_tokens_are_stored_hashed(participant_factory):
    participant = participant_factory()
    participant.link_token_hash = Participant.hash_token("secret-token")
    participant.save()
    assert Participant.objects.get(link_token_hash=Participant.hash_token("secret-token"))
    assert not Participant.objects.filter(link_token_hash="secret-token").exists()
    assert participant.consented_at <= timezone.now()


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
    assert {"Region", "Project", "Participant", "Log", "AuditEvent"} <= registered
