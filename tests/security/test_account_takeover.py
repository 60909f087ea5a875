"""Issue 9, item 5: no account takeover.

The attack: an administrator makes an account with ``aaaaaaaaaa``, sets another person's
password, resets their second factor, signs in as them and reads a participant's contact
details, and the audit trail names the victim. Now: every password passes the validators;
whoever's password was set by someone else, or whose authenticator was reset, must choose a
new password before any other page; and the trail names the administrator for what they did.
"""

from __future__ import annotations

import pytest
from django.test import Client

from peerlog.capture.models import AuditEvent
from peerlog.staff import totp
from peerlog.staff.models import StaffProfile, TotpDevice

pytestmark = pytest.mark.django_db

REASON = {"reason": "needed to check the follow-up"}


def _sign_in(client: Client, username: str, password: str) -> TotpDevice:
    """Password, then (enrolling if needed) a code: what anyone holding both can do."""
    from django.contrib.auth import get_user_model

    response = client.post("/staff/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    client.get("/staff/login/code/")
    device = TotpDevice.objects.get(user=get_user_model().objects.get(username=username))
    response = client.post("/staff/login/code/", {"code": totp.totp(device.secret)})
    assert response.status_code == 302
    return device


def test_an_administrator_cannot_create_an_account_with_a_weak_password(client, world):
    from django.contrib.auth import get_user_model

    client.force_login(world.staff["administrator"])
    response = client.post("/staff/accounts/", {
        "username": "mallory", "password": "aaaaaaaaaa", "role": "central_researcher"})
    body = response.content.decode()
    assert response.status_code == 200 and "This password is too common." in body
    assert not get_user_model().objects.filter(username="mallory").exists()


def test_the_takeover_is_held_at_the_password_page_and_the_trail_names_the_administrator(
        world):
    from django.contrib.auth import get_user_model

    admin, victim = world.staff["administrator"], world.staff["central_researcher"]
    TotpDevice.objects.create(user=victim, secret=totp.new_secret(), confirmed=True)
    profile = StaffProfile.objects.get(user=victim)
    console = Client()
    console.force_login(admin)
    # The console's administrator has no admin site to set a password in...
    response = console.post(f"/admin/auth/user/{victim.pk}/password/", {
        "password1": "attacker chosen 8812", "password2": "attacker chosen 8812",
        "usable_password": "true"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert get_user_model().objects.get(pk=victim.pk).check_password("correct horse battery")
    # ...and what the console lets them do is recorded as theirs.
    assert console.post(f"/staff/accounts/{profile.pk}/password/", {
        "new_password1": "attacker chosen 8812", "new_password2": "attacker chosen 8812",
    }).status_code == 302
    assert console.post(f"/staff/accounts/{profile.pk}/reset_totp/").status_code == 302

    # The administrator signs in as the victim (enrolling their own authenticator)...
    attacker = Client()
    _sign_in(attacker, victim.username, "attacker chosen 8812")
    # ...and is held at the password page: no participant, no contact details.
    for response in (attacker.get(f"/staff/participants/{world.pa.pk}/"),
                     attacker.post(f"/staff/participants/{world.pa.pk}/contact/", REASON),
                     attacker.get("/staff/exports/logs.csv"),
                     attacker.get("/admin/")):
        assert response.status_code == 302 and response["Location"] == "/staff/password/"
        assert b"a@example.org" not in response.content
    assert not AuditEvent.objects.filter(action__in=["contact.view", "export"]).exists()
    page = attacker.get("/staff/password/")
    assert page.status_code == 200
    assert "Choose a new password of your own" in page.content.decode()

    # The trail: the administrator set the password and reset the authenticator.
    reset = AuditEvent.objects.get(action="staff.password_reset")
    assert (reset.actor, reset.actor_label, reset.target_id) == (admin, "admin", str(victim.pk))
    totp_reset = AuditEvent.objects.get(action="staff.reset_totp")
    assert (totp_reset.actor, totp_reset.target_id) == (admin, str(victim.pk))
    assert not AuditEvent.objects.filter(actor=victim).exclude(
        action__in=["staff.enrol_totp", "staff.sign_in"]).exists()


def test_an_authenticator_reset_needs_a_new_password_of_ones_own_first(world):
    admin, person = world.staff["administrator"], world.staff["central_researcher"]
    TotpDevice.objects.create(user=person, secret=totp.new_secret(), confirmed=True)
    console = Client()
    console.force_login(admin)
    profile = StaffProfile.objects.get(user=person)
    console.post(f"/staff/accounts/{profile.pk}/reset_totp/")

    client = Client()
    _sign_in(client, person.username, "correct horse battery")  # enrols a new authenticator
    response = client.post(f"/staff/participants/{world.pa.pk}/contact/", REASON)
    assert response["Location"] == "/staff/password/"
    # Same password again: refused. A weak one: refused. What was typed is not lost.
    same = client.post("/staff/password/", {"old_password": "correct horse battery",
                                            "new_password1": "correct horse battery",
                                            "new_password2": "correct horse battery"})
    assert same.status_code == 200
    assert "different from your current one" in same.content.decode()
    weak = client.post("/staff/password/", {"old_password": "correct horse battery",
                                            "new_password1": "password123",
                                            "new_password2": "password123"})
    assert weak.status_code == 200 and "This password is too common." in weak.content.decode()
    done = client.post("/staff/password/", {"old_password": "correct horse battery",
                                            "new_password1": "my own quiet meadow 71",
                                            "new_password2": "my own quiet meadow 71"})
    assert done.status_code == 302 and done["Location"] == "/staff/"
    profile.refresh_from_db()
    assert not profile.must_change_password
    event = AuditEvent.objects.get(action="staff.password_change")
    assert (event.actor, event.target_id, event.detail) == (person, str(person.pk),
                                                            {"by_self": True})
    # Still signed in (the session follows the new password), and now the view works.
    response = client.post(f"/staff/participants/{world.pa.pk}/contact/", REASON)
    assert response.status_code == 200 and "a@example.org" in response.content.decode()


def test_a_first_password_from_account_creation_must_be_replaced(client, world):
    admin = world.staff["administrator"]
    client.force_login(admin)
    client.post("/staff/accounts/", {"username": "newbie", "password": "first plum orchard 3",
                                     "role": "coordinator", "projects": [world.a.pk]})
    newbie = Client()
    _sign_in(newbie, "newbie", "first plum orchard 3")
    assert newbie.get("/staff/participants/")["Location"] == "/staff/password/"
    assert newbie.post("/staff/logout/").status_code == 302  # signing out is allowed


def test_a_password_set_outside_the_console_is_audited_and_must_be_replaced(world):
    """``peerlog manage changepassword`` or a shell: audited, never as the person."""
    user = world.staff["coordinator"]
    user.set_password("set from a shell 4410")
    user.save()
    event = AuditEvent.objects.get(action="staff.password_reset")
    assert (event.actor, event.actor_label, event.target_id) == (
        None, "outside the console", str(user.pk))
    assert StaffProfile.objects.get(user=user).must_change_password


@pytest.mark.django_db(transaction=True)
def test_the_password_page_is_axe_clean(chromium, axe, live_server, make_staff):
    user = make_staff("coordinator", "pia")
    TotpDevice.objects.create(user=user, secret=totp.new_secret(), confirmed=True)
    StaffProfile.objects.filter(user=user).update(must_change_password=True)
    device = TotpDevice.objects.get(user=user)
    page = chromium.new_page()
    page.goto(f"{live_server.url}/staff/login/")
    page.get_by_label("User name").fill("pia")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Six-digit code from your authenticator app").fill(totp.totp(device.secret))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/staff/password/")
    assert axe(page) == []
    page.get_by_label("Old password").fill("correct horse battery")
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("New password confirmation").fill("short")
    page.get_by_role("button", name="Change password").click()
    assert "too short" in page.content()
    assert axe(page) == []
    page.close()
