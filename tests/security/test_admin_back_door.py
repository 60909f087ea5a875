"""Issue 9, item 4: the Django admin is not a back door to capture data.

An operator's superuser (``peerlog manage createsuperuser``) sees no participant, log,
contact detail, draft or personal link there, cannot change the audit trail or issue IDs,
and whatever it can change (regions, projects, staff profiles, users) is in PeerLog's audit
trail with the operator as the actor. The console's administrator role is not a superuser.
"""

from __future__ import annotations

import re

import pytest

from peerlog.capture.models import AuditEvent, Log, Participant, PersonalIdBatch, Region

pytestmark = pytest.mark.django_db

SECRET_ANSWER = "ZEBRA-ANSWER-7731"
SECRET_REGISTRATION = "PURPLE-ELEPHANT-4242"
ABSENT = ["participant", "log", "contactdetails", "draft", "registrationdraft", "personallink",
          "personalid"]


@pytest.fixture
def operator(django_user_model, client):
    user = django_user_model.objects.create_superuser("operator", "op@example.org",
                                                      "operator passphrase 9931")
    client.force_login(user)
    return user


@pytest.fixture
def secrets_in_world(world):
    Participant.objects.filter(pk=world.pa.pk).update(
        registration_answers={"about_you_note": SECRET_REGISTRATION})
    Log.objects.filter(pk=world.log.pk).update(
        answers={**world.log.answers, "ps_other_text": SECRET_ANSWER})
    return world


def test_capture_data_is_absent_from_the_admin(client, operator, secrets_in_world):
    w = secrets_in_world
    index = client.get("/admin/")
    assert index.status_code == 200
    for name in ABSENT:
        assert f"/admin/capture/{name}/" not in index.content.decode()
        assert client.get(f"/admin/capture/{name}/").status_code == 404
    assert client.get(f"/admin/capture/log/{w.log.pk}/change/").status_code == 404
    assert client.get(f"/admin/capture/participant/{w.pa.pk}/change/").status_code == 404
    # Every page the admin links to, and the first object of each: no answer, no contact.
    pages = set(re.findall(r'href="(/admin/[a-z_]+/[a-z_]+/)"', index.content.decode()))
    assert pages, "the admin shows something"
    seen = []
    for url in sorted(pages):
        listing = client.get(url)
        assert listing.status_code == 200, url
        seen.append(listing.content.decode())
        first = re.search(rf'href="({re.escape(url)}\d+/change/[^"]*)"', seen[-1])
        if first:
            seen.append(client.get(first.group(1).replace("&amp;", "&")).content.decode())
    text = "\n".join(seen)
    for secret in (SECRET_ANSWER, SECRET_REGISTRATION, "a@example.org", "swemwbs"):
        assert secret not in text


def test_the_participant_form_attack_changes_nothing(client, operator, world):
    before = Participant.objects.filter(pk=world.pa.pk).values().get()
    response = client.post(f"/admin/capture/participant/{world.pa.pk}/change/", {
        "withdrawal": "remove_data", "project": world.b.pk, "personal_id": world.pa.personal_id.pk})
    assert response.status_code == 404
    assert Participant.objects.filter(pk=world.pa.pk).values().get() == before
    response = client.post(f"/admin/capture/log/{world.log.pk}/change/",
                           {"answers": '{"swemwbs_1": 1}', "status": "set_aside"})
    assert response.status_code == 404
    world.log.refresh_from_db()
    assert world.log.answers["swemwbs_1"] == 4 and world.log.status == "complete"
    assert not AuditEvent.objects.filter(actor=operator).exists()


def test_the_audit_trail_and_id_batches_are_read_only(client, operator, world):
    from peerlog.capture import audit

    event = audit.record(world.staff["central_researcher"], "contact.view", world.pa, reason="x")
    count = AuditEvent.objects.count()
    url = f"/admin/capture/auditevent/{event.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and "contact.view" in page.content.decode()
    assert client.post(url, {"action": "nothing", "actor_label": "someone else"}
                       ).status_code == 403
    assert client.post(f"/admin/capture/auditevent/{event.pk}/delete/", {"post": "yes"}
                       ).status_code == 403
    event.refresh_from_db()
    assert (event.action, event.actor_label, AuditEvent.objects.count()) == (
        "contact.view", "central", count)
    batches = PersonalIdBatch.objects.count()
    assert client.post("/admin/capture/personalidbatch/add/",
                       {"project": world.a.pk, "note": "squat"}).status_code == 403
    assert PersonalIdBatch.objects.count() == batches


def test_what_the_admin_may_change_is_audited_with_the_operator(client, operator, world):
    from peerlog.staff.models import StaffProfile

    region = world.a.region
    response = client.post(f"/admin/capture/region/{region.pk}/change/",
                           {"name": "Leeds and Bradford", "code": region.code})
    assert response.status_code == 302
    assert Region.objects.get(pk=region.pk).name == "Leeds and Bradford"
    event = AuditEvent.objects.get(action="admin.change", target_type="capture.region")
    assert (event.actor, event.target_id, event.detail["fields"]) == (
        operator, str(region.pk), ["name"])
    profile = StaffProfile.objects.get(user=world.staff["coordinator"])
    response = client.post(f"/admin/staff/staffprofile/{profile.pk}/change/", {
        "user": profile.user.pk, "role": "central_researcher", "projects": [world.a.pk]})
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.role == "central_researcher"
    event = AuditEvent.objects.get(action="admin.change", target_type="staff.staffprofile")
    assert event.actor == operator and event.detail["fields"] == ["role"]


def test_a_password_set_in_the_admin_is_validated_audited_and_must_be_replaced(
        client, operator, world):
    from django.contrib.auth import get_user_model

    from peerlog.staff.models import StaffProfile

    victim = world.staff["central_researcher"]
    url = f"/admin/auth/user/{victim.pk}/password/"
    weak = client.post(url, {"password1": "aaaaaaaaaa", "password2": "aaaaaaaaaa",
                             "usable_password": "true"})
    assert weak.status_code == 200 and "This password is too common." in weak.content.decode()
    assert get_user_model().objects.get(pk=victim.pk).check_password("correct horse battery")
    response = client.post(url, {"password1": "operator chosen 5521",
                                 "password2": "operator chosen 5521", "usable_password": "true"})
    assert response.status_code == 302
    assert get_user_model().objects.get(pk=victim.pk).check_password("operator chosen 5521")
    assert StaffProfile.objects.get(user=victim).must_change_password
    event = AuditEvent.objects.get(action="staff.password_reset")
    assert (event.actor, event.target_id) == (operator, str(victim.pk))
    assert not AuditEvent.objects.filter(actor=victim).exists()


def test_the_console_administrator_is_not_a_superuser_and_cannot_open_the_admin(client, world):
    admin = world.staff["administrator"]
    assert not admin.is_superuser and not admin.is_staff
    client.force_login(admin)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    response = client.post("/admin/capture/region/add/", {"name": "Nowhere", "code": "nowhere"})
    assert response.status_code == 302
    assert not Region.objects.filter(code="nowhere").exists()


def test_the_demo_makes_no_superuser(django_user_model):
    from peerlog.web.demo import _demo_accounts

    state: dict = {}
    accounts = _demo_accounts(state)
    assert len(accounts) == 5
    assert not django_user_model.objects.filter(is_superuser=True).exists()
    assert not django_user_model.objects.filter(is_staff=True).exists()
    # A database from an older demo, whose administrator was a superuser, is corrected.
    django_user_model.objects.filter(username="demo-administrator").update(
        is_superuser=True, is_staff=True)
    assert _demo_accounts(state) == accounts
    assert not django_user_model.objects.filter(is_superuser=True).exists()


def test_a_superuser_is_made_only_by_the_operator_command(django_user_model, monkeypatch):
    from django.core.management import call_command

    assert not django_user_model.objects.filter(is_superuser=True).exists()
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "operator passphrase 9931")
    call_command("createsuperuser", interactive=False, username="ops", email="ops@example.org",
                 verbosity=0)
    assert list(django_user_model.objects.filter(is_superuser=True)
                .values_list("username", flat=True)) == ["ops"]


def test_disabling_a_password_in_the_admin_is_audited(client, operator, world):
    from django.contrib.auth import get_user_model

    victim = world.staff["coordinator"]
    response = client.post(f"/admin/auth/user/{victim.pk}/password/",
                           {"usable_password": "false", "unset-password": "1"})
    assert response.status_code == 302
    assert not get_user_model().objects.get(pk=victim.pk).has_usable_password()
    event = AuditEvent.objects.get(action="staff.password_disabled")
    assert (event.actor, event.target_id) == (operator, str(victim.pk))
