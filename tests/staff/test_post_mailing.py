"""Issue 13, item 3 (second half): the monthly post mailing, made by a coordinator of the
person's project: letters with the due paper form and ID printed, address labels, recorded in
the outbox's post channel, audited with the count and the IDs (never the addresses)."""

from __future__ import annotations

import pytest
from tests.staff.test_pdfs import pdf_text

from peerlog.capture import personal_ids
from peerlog.capture.models import AuditEvent, ContactDetails
from peerlog.outreach.models import Message
from peerlog.staff.models import PostMailing

ADDRESS = "Kim Doe\n1 High Street\nLeeds LS1 1AA"


@pytest.fixture
def posted(world, participant_factory):
    """One person due by post in project A, one in project B, one in A with no address."""
    from django.utils import timezone

    old = timezone.now() - timezone.timedelta(days=40)
    world.post_a = participant_factory(project=world.a, registered_at=old)
    ContactDetails.objects.create(participant=world.post_a, channels=["post", "email"],
                                  postal=ADDRESS, email="kim@example.org")
    world.post_b = participant_factory(project=world.b, registered_at=old)
    ContactDetails.objects.create(participant=world.post_b, channels=["post"],
                                  postal="Lee Roe\n2 Low Road\nPlymouth")
    world.no_address = participant_factory(project=world.a, registered_at=old)
    ContactDetails.objects.create(participant=world.no_address, channels=["post"])
    return world


def _mail(client, user, project, **extra):
    client.force_login(user)
    return client.post("/staff/post/", {"project": project.pk, **extra})


def test_coordinator_page_lists_who_is_due_by_post(client, posted):
    client.force_login(posted.staff["coordinator"])
    page = client.get("/staff/post/").content.decode()  # one project: preselected
    assert personal_ids.display(posted.post_a.personal_id.code) in page
    assert personal_ids.display(posted.post_b.personal_id.code) not in page
    assert "High Street" not in page  # no address on the page
    assert "Make the mailing (2 new letters)" in page


def test_mailing_records_letters_once_and_audits_ids_not_addresses(client, posted):
    response = _mail(client, posted.staff["coordinator"], posted.a)
    assert response.status_code == 302
    mailing = PostMailing.objects.get()
    assert list(mailing.participants.all()) == [posted.post_a]
    msg = Message.objects.get(channel="post")
    assert (msg.participant, msg.state, msg.purpose) == (posted.post_a, "sent", "reminder")
    assert msg.sent_at is not None and msg.body == ""
    event = AuditEvent.objects.get(action="post.mailing")
    assert event.detail["count"] == 1
    assert event.detail["personal_ids"] == [posted.post_a.personal_id.code]
    assert "High" not in str(event.detail)
    # The person without an address is named (by ID) and left out.
    page = client.get(response["Location"]).content.decode()
    assert personal_ids.display(posted.no_address.personal_id.code) in page
    # Again the same month: nothing new, nothing duplicated.
    _mail(client, posted.staff["coordinator"], posted.a)
    assert PostMailing.objects.count() == 1 and Message.objects.filter(channel="post").count() == 1
    # A reprint asked for: a new mailing, still one outbox message.
    _mail(client, posted.staff["coordinator"], posted.a, reprint="1")
    assert PostMailing.objects.count() == 2 and Message.objects.filter(channel="post").count() == 1
    assert AuditEvent.objects.filter(action="post.mailing").order_by("pk").last().detail["reprinted"] == 1


def test_letters_and_labels_pdfs(client, posted, tmp_path):
    _mail(client, posted.staff["coordinator"], posted.a)
    mailing = PostMailing.objects.get()
    letters = client.get(f"/staff/post/{mailing.pk}/letters.pdf")
    assert letters.status_code == 200
    text = pdf_text(letters.content, tmp_path)
    code = posted.post_a.personal_id.code
    assert personal_ids.display(code) in text
    assert "Your personal ID is" in text and "post it back to your project" in text
    assert "Peer Support Log" in text and "Quarterly" in text  # the first log is quarterly
    assert "High Street" not in text
    labels = client.get(f"/staff/post/{mailing.pk}/labels.pdf")
    assert "no-store" in labels["Cache-Control"]
    text = pdf_text(labels.content, tmp_path)
    assert "1 High Street" in text and "Plymouth" not in text
    event = AuditEvent.objects.get(action="contact.view", target_type="staff.postmailing")
    assert event.detail["personal_ids"] == [code] and "High" not in str(event.detail)


@pytest.mark.parametrize("role", ["other_coordinator", "regional_researcher",
                                  "central_researcher", "commissioner", "administrator"])
def test_no_one_else_makes_or_prints_project_a_mailing(client, posted, role):
    _mail(client, posted.staff["coordinator"], posted.a)
    mailing = PostMailing.objects.get()
    before = (Message.objects.count(), AuditEvent.objects.count())
    response = _mail(client, posted.staff[role], posted.a)
    expected = 404 if role == "other_coordinator" else 403
    assert response.status_code == expected
    for kind in ("letters", "labels"):
        assert client.get(f"/staff/post/{mailing.pk}/{kind}.pdf").status_code == expected
    assert (Message.objects.count(), AuditEvent.objects.count()) == before
    assert PostMailing.objects.count() == 1


def test_other_coordinator_sees_own_project_only(client, posted):
    _mail(client, posted.staff["coordinator"], posted.a)
    client.force_login(posted.staff["other_coordinator"])
    page = client.get(f"/staff/post/?project={posted.a.pk}").content.decode()
    assert personal_ids.display(posted.post_a.personal_id.code) not in page
    assert "Letters and forms of mailing" not in page
    assert personal_ids.display(posted.post_b.personal_id.code) in page


def test_posted_letter_does_not_stop_the_email_reminder(posted):
    from collections import Counter

    from django.utils import timezone

    from peerlog.outreach import remind
    from peerlog.staff.post import make_mailing

    make_mailing(posted.a, posted.staff["coordinator"])
    remind.plan(timezone.localdate(), Counter())
    assert set(Message.objects.filter(participant=posted.post_a).values_list(
        "channel", flat=True)) == {"post", "email"}


def test_letters_are_in_the_persons_language(client, posted, tmp_path):
    posted.post_a.language = "ar"
    posted.post_a.save()
    _mail(client, posted.staff["coordinator"], posted.a)
    mailing = PostMailing.objects.get()
    text = pdf_text(client.get(f"/staff/post/{mailing.pk}/letters.pdf").content, tmp_path)
    assert personal_ids.display(posted.post_a.personal_id.code) in text
    assert "Your personal ID is" not in text and "post it back" not in text
    assert any("\u0600" <= ch <= "\u06ff" for ch in text)  # Arabic script
