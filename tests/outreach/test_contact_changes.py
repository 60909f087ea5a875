"""People change how they are contacted (issue 10 item 5): on their own page, by replying
STOP to a text (a signed webhook), or through a central researcher; every change is audited
by field name only and the next `peerlog remind` follows it (real SMTP and SMS servers)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from peerlog.capture import links
from peerlog.capture.crypto import lookup_hash
from peerlog.capture.models import AuditEvent, ContactDetails
from peerlog.outreach import inbound, remind
from peerlog.outreach.backends import default_backends
from peerlog.outreach.models import Message

SECRET = "test-webhook-secret"


def page(person) -> str:
    return reverse("capture:contact", args=[links.new_token(person, "test")])


def form(**changes) -> dict:
    data = {"channels": ["email", "sms"], "email": "", "phone": "", "postal": "",
            "language": "en", "reminders": "on"}
    return {**data, **changes}


def audit_values(person) -> str:
    return json.dumps(list(AuditEvent.objects.filter(
        action="contact.change", target_id=str(person.pk)).values("detail", "actor_label")))


# --- the person's own page --------------------------------------------------------------------

def test_page_shows_details_masked_and_never_in_full(reachable, client):
    person = reachable()
    response = client.get(page(person))
    html = response.content.decode()
    assert response.status_code == 200
    n = person.contact.email.split("@")[0]
    assert f"{n[0]}…@example.org" in html and person.contact.email not in html
    assert f"…{person.contact.phone[-3:]}" in html and person.contact.phone not in html
    assert 'name="reminders" value="on" id="id_reminders_0" checked' in html


def test_switching_to_email_only_and_a_new_address_reach_the_next_reminder(
        reachable, client, smtp_server, sms_provider):
    person = reachable(channels=("sms",))
    response = client.post(page(person), form(channels=["email"], email="new@example.org"))
    assert response.status_code == 302 and response["Location"].endswith("?saved=1")
    contact = ContactDetails.objects.get(participant=person)
    assert contact.channels == ["email"] and contact.email == "new@example.org"
    assert contact.phone == "" and contact.phone_lookup == ""  # unticked: erased
    event = AuditEvent.objects.get(action="contact.change", target_id=str(person.pk))
    assert event.detail == {"fields": ["channels", "email", "phone"], "via": "link"}
    assert "new@example.org" not in audit_values(person)

    counts = remind.run(backends=default_backends())
    assert counts["sent"] == 1
    assert [m["to"] for m in smtp_server.messages] == [["new@example.org"]]
    assert sms_provider.sent == []
    assert list(Message.objects.values_list("channel", flat=True)) == ["email"]


def test_stopping_reminders_on_the_page_stops_the_next_run_and_restarting_resumes(
        reachable, client, smtp_server, sms_provider):
    person = reachable()
    url = page(person)
    client.post(url, form(reminders="off"))
    assert ContactDetails.objects.get(participant=person).reminders_opt_out is True
    assert remind.run(backends=default_backends())["planned"] == 0
    assert Message.objects.count() == 0 and smtp_server.messages == []
    client.post(url, form(reminders="on"))
    assert remind.run(backends=default_backends())["sent"] == 2
    assert sorted(Message.objects.values_list("channel", flat=True)) == ["email", "sms"]
    fields = [e.detail["fields"] for e in AuditEvent.objects.filter(action="contact.change")]
    assert fields == [["reminders_opt_out"], ["reminders_opt_out"]]


def test_bad_input_is_shown_at_the_field_and_the_rest_is_kept(reachable, client):
    person = reachable(channels=("email",))
    before = ContactDetails.objects.get(participant=person)
    response = client.post(page(person), form(channels=["email", "post"], phone="12",
                                              email="typed@example.org"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter your name and address, or untick “By post”." in html
    assert 'value="typed@example.org"' in html  # what the person typed is kept
    assert 'value="post" id="id_channels_2" checked' in html
    assert "12" not in ContactDetails.objects.get(participant=person).phone
    after = ContactDetails.objects.get(participant=person)
    assert (after.email, after.channels) == (before.email, before.channels)
    assert not AuditEvent.objects.filter(action="contact.change").exists()


def test_a_double_submit_records_one_change(reachable, client):
    person = reachable()
    url = page(person)
    client.post(url, form(language="ar", phone="07700 900999"))
    client.post(url, form(language="ar", phone="07700 900999"))
    person.refresh_from_db()
    assert person.language == "ar" and person.contact.phone == "+447700900999"
    assert AuditEvent.objects.filter(action="contact.change").count() == 1
    assert client.cookies["django_language"].value == "ar"


def test_page_is_in_arabic_right_to_left(reachable, client):
    person = reachable(language="ar")
    html = client.get(page(person)).content.decode()
    assert 'dir="rtl"' in html and "Stop my reminders" not in html


def test_withdrawn_person_cannot_change_anything(reachable, client):
    person = reachable(withdrawal="no_contact")
    client.post(page(person), form(reminders="on", email="x@example.org"))
    assert ContactDetails.objects.get(participant=person).email != "x@example.org"
    assert not AuditEvent.objects.filter(action="contact.change").exists()


# --- inbound STOP / START ---------------------------------------------------------------------

def post_sms(client, body: dict, signature: str | None = "good"):
    raw = json.dumps(body).encode()
    headers = {}
    if signature == "good":
        headers["HTTP_X_PEERLOG_SIGNATURE"] = inbound.signature(raw, SECRET)
    elif signature:
        headers["HTTP_X_PEERLOG_SIGNATURE"] = signature
    return client.post("/sms/inbound/", raw, content_type="application/json", **headers)


@pytest.fixture
def webhook_secret(settings):
    settings.PEERLOG_SMS = {**settings.PEERLOG_SMS, "WEBHOOK_SECRET": SECRET}


def test_stop_by_text_stops_reminders_and_start_restarts(reachable, webhook_secret,
                                                        smtp_server, sms_provider):
    client = Client(enforce_csrf_checks=True)  # the provider has no CSRF token
    person = reachable()
    other = reachable()
    national = "0" + person.contact.phone[3:]  # as a provider may send it: normalised first
    assert post_sms(client, {"from": national, "text": "Stop"}).status_code == 200
    assert ContactDetails.objects.get(participant=person).reminders_opt_out is True
    assert ContactDetails.objects.get(participant=other).reminders_opt_out is False
    event = AuditEvent.objects.get(action="contact.change")
    assert (event.actor_label, event.detail) == ("sms", {"fields": ["reminders_opt_out"],
                                                         "via": "sms"})
    remind.run(backends=default_backends())
    assert set(Message.objects.values_list("participant_id", flat=True)) == {other.pk}

    assert post_sms(client, {"from": person.contact.phone, "text": "START"}).status_code == 200
    assert ContactDetails.objects.get(participant=person).reminders_opt_out is False


@pytest.mark.parametrize("signature", [None, "sha256=" + "0" * 64, "wrong"])
def test_unsigned_or_wrongly_signed_text_is_refused_and_changes_nothing(
        reachable, webhook_secret, client, signature):
    person = reachable()
    response = post_sms(client, {"from": person.contact.phone, "text": "STOP"}, signature)
    assert response.status_code == 403
    assert ContactDetails.objects.get(participant=person).reminders_opt_out is False
    assert not AuditEvent.objects.filter(action="contact.change").exists()


def test_a_signature_under_another_secret_or_no_secret_set_is_refused(reachable, client,
                                                                     settings):
    person = reachable()
    raw = json.dumps({"from": person.contact.phone, "text": "STOP"}).encode()
    forged = inbound.signature(raw, "guessed")
    assert client.post("/sms/inbound/", raw, content_type="application/json",
                       HTTP_X_PEERLOG_SIGNATURE=forged).status_code == 403  # no secret set
    settings.PEERLOG_SMS = {**settings.PEERLOG_SMS, "WEBHOOK_SECRET": SECRET}
    assert client.post("/sms/inbound/", raw, content_type="application/json",
                       HTTP_X_PEERLOG_SIGNATURE=forged).status_code == 403
    assert ContactDetails.objects.get(participant=person).reminders_opt_out is False


def test_unknown_number_gets_the_same_answer(reachable, webhook_secret, client):
    reachable()
    response = post_sms(client, {"from": "+447700111222", "text": "STOP"})
    assert (response.status_code, response.json()) == (200, {"ok": True})
    assert not ContactDetails.objects.filter(reminders_opt_out=True).exists()


def test_the_lookup_is_a_keyed_hash_never_a_plain_one(reachable):
    import hashlib

    person = reachable()
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone_lookup, phone FROM capture_contactdetails WHERE "
                       "participant_id = %s", [person.pk])
        stored, token = cursor.fetchone()
    number = person.contact.phone
    assert stored == lookup_hash(number) and len(stored) == 64
    assert stored != hashlib.sha256(number.encode()).hexdigest()
    assert number not in token


# --- staff --------------------------------------------------------------------------------

STAFF_EDIT = {"channels": ["email"], "email": "changed@example.org", "phone": "", "postal": ""}


def test_central_researcher_edits_contact_details_audited(world, client):
    client.force_login(world.staff["central_researcher"])
    response = client.post(reverse("staff:contact", args=[world.pa.pk]),
                           {"reason": "the person phoned with a new address"})
    edit = reverse("staff:contact_edit", args=[world.pa.pk])
    assert f'action="{edit}"' in response.content.decode()
    response = client.post(reverse("staff:contact_edit", args=[world.pa.pk]),
                           {**STAFF_EDIT, "reminders_opt_out": "on"})
    assert response.status_code == 302
    contact = ContactDetails.objects.get(participant=world.pa)
    assert (contact.email, contact.reminders_opt_out) == ("changed@example.org", True)
    event = AuditEvent.objects.get(action="contact.change")
    assert event.actor == world.staff["central_researcher"]
    assert event.detail == {"fields": ["email", "reminders_opt_out"], "via": "staff"}
    assert "changed@example.org" not in json.dumps(event.detail)


def test_staff_edit_with_a_bad_number_keeps_what_was_typed(world, client):
    client.force_login(world.staff["central_researcher"])
    response = client.post(reverse("staff:contact_edit", args=[world.pa.pk]),
                           {**STAFF_EDIT, "channels": ["email", "sms"], "phone": "123"})
    assert response.status_code == 400
    assert 'value="changed@example.org"' in response.content.decode()
    assert ContactDetails.objects.get(participant=world.pa).email == "a@example.org"


@pytest.mark.parametrize("role", ["coordinator", "regional_researcher", "commissioner",
                                  "administrator"])
def test_other_roles_posting_the_edit_change_nothing(world, client, role):
    client.force_login(world.staff[role])
    response = client.post(reverse("staff:contact_edit", args=[world.pa.pk]), STAFF_EDIT)
    assert response.status_code == 403
    contact = ContactDetails.objects.get(participant=world.pa)
    assert (contact.email, contact.channels) == ("a@example.org", ["email"])
    assert not AuditEvent.objects.filter(action="contact.change").exists()
