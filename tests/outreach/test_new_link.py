"""Getting a new personal link (issue 10, item 1): the "get a new link" page, the link sent
at registration, and staff's "Send a new link", against a real SMTP server (aiosmtpd) and the
local SMS provider. Attacks are checked on the outbox rows and the response bodies."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client

from peerlog.capture import personal_ids
from peerlog.capture.models import AuditEvent, ContactDetails, Participant, PersonalLink
from peerlog.outreach.models import Message

LINK = re.compile(r"https?://\S+/l/([A-Za-z0-9_-]+)/")


def all_rows_text() -> str:
    """Every value of every table, as text: a raw token must be in none of them."""
    out = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            out.extend(str(row) for row in cursor.fetchall())
    return "\n".join(out)


def ask(client: Client, typed: str, address: str = "203.0.113.7"):
    return client.post("/link/new/", {"personal_id": typed}, REMOTE_ADDR=address)


@pytest.fixture
def delivery(smtp_server, sms_provider):
    return smtp_server, sms_provider


def test_a_lost_link_is_sent_again_and_opens_the_due_log(client, reachable, delivery):
    smtp, _sms = delivery
    person = reachable(channels=("email",))
    page = client.get("/link/new/")
    assert page.status_code == 200 and b'name="personal_id"' in page.content
    typed = personal_ids.display(person.personal_id.code)  # "483 920", as on the slip
    response = ask(client, typed)
    assert response.status_code == 302 and response["Location"] == "/link/new/sent/"
    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail["to"] == [person.contact.email]
    assert typed in mail["body"]
    token = LINK.search(mail["body"]).group(1)
    assert token not in client.get("/link/new/sent/").content.decode()
    msg = Message.objects.get(participant=person)
    assert (msg.purpose, msg.state, msg.channel) == ("link", "sent", "email")
    assert PersonalLink.objects.get(token_hash=Participant.hash_token(token)).purpose == "recovery"
    assert AuditEvent.objects.filter(action="participant.link_sent",
                                     detail__origin="recovery").count() == 1
    assert token not in all_rows_text()
    opened = client.get(f"/l/{token}/")
    assert opened.status_code == 200 and "Start my log" in opened.content.decode()
    started = client.post(f"/l/{token}/")
    assert started.status_code == 302 and f"/l/{token}/log/" in started["Location"]


def test_the_answer_is_the_same_whoever_the_id_belongs_to(client, reachable, participant_factory,
                                                         issued_id, delivery):
    smtp, sms = delivery
    real = reachable(channels=("email", "sms"))
    no_address = participant_factory()
    ContactDetails.objects.create(participant=no_address, channels=["post"],
                                  postal="1 High Street")
    withdrawn = reachable(withdrawal="no_contact")
    never_registered = issued_id()
    never_issued = personal_ids.new_id(5, {real.personal_id.code})
    bodies = set()
    for n, pid in enumerate((never_issued, never_registered, no_address.personal_id.code,
                             withdrawn.personal_id.code, real.personal_id.code)):
        response = ask(Client(), pid, address=f"198.51.100.{n}")
        assert response.status_code == 302 and response["Location"] == "/link/new/sent/"
        page = Client().get(response["Location"]).content.decode()
        bodies.add(re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page))
    assert len(bodies) == 1
    assert set(Message.objects.values_list("participant", flat=True)) == {real.pk}
    assert sorted(Message.objects.values_list("channel", flat=True)) == ["email", "sms"]
    assert len(smtp.messages) == 1 and len(sms.sent) == 1
    assert real.personal_id.code[:3] in sms.sent[0]["body"]


def test_bad_input_is_answered_at_the_field_and_kept(client, db):
    response = ask(client, "48x 920")
    body = response.content.decode()
    assert response.status_code == 200
    assert "This is not a personal ID" in body and 'value="48x 920"' in body
    assert 'aria-invalid="true"' in body and not Message.objects.exists()


def test_requests_are_limited_per_client_address(client, reachable, delivery, settings):
    settings.PEERLOG = {**settings.PEERLOG, "NEW_LINK_LIMIT_PER_CLIENT": 3}
    smtp, _sms = delivery
    person = reachable(channels=("email",))
    for _ in range(3):
        assert ask(client, personal_ids.new_id(5)).status_code == 302
    refused = ask(client, person.personal_id.code)
    assert refused.status_code == 429
    assert "cannot send another one just now" in refused.content.decode()
    assert not Message.objects.exists() and smtp.messages == []
    # Another address is not held back by this one.
    assert ask(Client(), person.personal_id.code, address="192.0.2.44").status_code == 302
    assert Message.objects.filter(participant=person).count() == 1


def test_requests_are_limited_per_id_from_any_address(reachable, delivery, settings):
    settings.PEERLOG = {**settings.PEERLOG, "NEW_LINK_LIMIT_PER_ID": 2}
    smtp, _sms = delivery
    person = reachable(channels=("email",))
    results = [ask(Client(), person.personal_id.code, address=f"192.0.2.{n}").status_code
               for n in range(4)]
    assert results == [302, 302, 429, 429]
    assert Message.objects.filter(participant=person).count() == 2 and len(smtp.messages) == 2
    # An unknown ID hits the same limit, so being limited tells nothing either.
    unknown = personal_ids.new_id(5, {person.personal_id.code})
    assert [ask(Client(), unknown, address=f"192.0.2.{n}").status_code
            for n in range(10, 13)] == [302, 302, 429]


def test_registration_sends_the_link_and_shows_a_qr_code(client, issued_id, project_factory,
                                                        registration_posts, delivery):
    smtp, sms = delivery
    project = project_factory()
    pid = issued_id(project)
    response = None
    for step, data in registration_posts(pid, project, contact={
            "contact_channels": ["email"], "contact_email": "new@example.org"}):
        response = client.post(f"/register/{step}/", data)
    body = response.content.decode()
    assert response.status_code == 200
    shown = LINK.search(body).group(1)
    assert "We have also sent it to your email address." in body
    assert '<svg role="img"' in body and "<script" not in body
    assert re.search(r'<input type="text" id="personal-link" class="link" value="[^"]+/l/'
                     + re.escape(shown) + '/" readonly', body)
    assert len(smtp.messages) == 1 and sms.sent == []
    assert LINK.search(smtp.messages[0]["body"]).group(1) == shown
    assert personal_ids.display(pid) in smtp.messages[0]["body"]
    person = Participant.objects.get(personal_id__code=pid)
    assert list(Message.objects.values_list("participant", "purpose", "state")) == [
        (person.pk, "link", "sent")]
    assert shown not in all_rows_text()


def test_staff_send_a_new_link_by_email(client, world, delivery):
    smtp, _sms = delivery
    ContactDetails.objects.update_or_create(
        participant=world.pa, defaults={"channels": ["email"], "email": "pa@example.org"})
    client.force_login(world.staff["coordinator"])
    response = client.post(f"/staff/participants/{world.pa.pk}/links/send/", follow=True)
    assert "A new personal link was sent." in response.content.decode()
    assert [m["to"] for m in smtp.messages] == [["pa@example.org"]]
    token = LINK.search(smtp.messages[0]["body"]).group(1)
    assert PersonalLink.objects.get(token_hash=Participant.hash_token(token)).purpose == "staff"
    event = AuditEvent.objects.get(action="participant.link_sent")
    assert event.actor == world.staff["coordinator"] and event.detail["origin"] == "staff"
    assert token not in all_rows_text()


def test_staff_print_a_letter_for_post(client, world):
    ContactDetails.objects.update_or_create(
        participant=world.pa, defaults={"channels": ["post"], "email": "", "phone": "",
                                        "postal": "1 High Street, Leeds"})
    client.force_login(world.staff["coordinator"])
    before = PersonalLink.objects.filter(participant=world.pa).count()
    response = client.post(f"/staff/participants/{world.pa.pk}/links/send/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and "no-store" in response["Cache-Control"]
    assert PersonalLink.objects.filter(participant=world.pa,
                                       purpose="staff-letter").count() == 1
    assert PersonalLink.objects.filter(participant=world.pa).count() == before + 1
    assert AuditEvent.objects.filter(action="participant.link_letter",
                                     actor=world.staff["coordinator"]).count() == 1
    assert not Message.objects.exists()


@pytest.mark.parametrize("role,status", [("other_coordinator", 404), ("commissioner", 403)])
def test_staff_out_of_scope_cannot_send_a_link(client, world, role, status):
    ContactDetails.objects.update_or_create(
        participant=world.pa, defaults={"channels": ["email"], "email": "pa@example.org"})
    client.force_login(world.staff[role])
    links_before = PersonalLink.objects.count()
    response = client.post(f"/staff/participants/{world.pa.pk}/links/send/")
    assert response.status_code == status
    assert b"%PDF" not in response.content
    assert PersonalLink.objects.count() == links_before and not Message.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="participant.link").exists()


def test_reminders_carry_the_personal_id(reachable, delivery):
    """Issue 10 item 6: the form promised reminders would quote the personal ID."""
    from peerlog.outreach import remind, texts
    from peerlog.outreach.backends import default_backends

    smtp, sms = delivery
    person = reachable(channels=("email", "sms"))
    shown = personal_ids.display(person.personal_id.code)
    remind.run(backends=default_backends())
    assert len(smtp.messages) == 1 and len(sms.sent) == 1
    assert f"Your personal ID is {shown}." in smtp.messages[0]["body"]
    assert sms.sent[0]["body"].startswith(f"PeerLog (ID {shown}): your quarterly log is ready")
    _, arabic = texts.reminder(language="ar", channel="email", link="https://x/l/t/",
                               kind="monthly", personal_id=shown)
    assert f"رقم هويتك الشخصي هو {shown}." in arabic
