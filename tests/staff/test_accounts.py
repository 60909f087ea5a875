"""Administrators: create staff accounts, unlock them, reset authenticators and passwords (all
audited, with the administrator as the actor)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from peerlog.capture.models import AuditEvent
from peerlog.staff import lockout
from peerlog.staff.models import StaffProfile, TotpDevice


def _fail(username: str, address: str = "127.0.0.1") -> None:
    request = RequestFactory().post("/staff/login/", REMOTE_ADDR=address)
    lockout.record_failure(request, username)


def test_an_administrator_creates_unlocks_and_resets(client, make_staff, project_factory):
    admin = make_staff("administrator", "admin")
    project = project_factory()
    client.force_login(admin)
    response = client.post("/staff/accounts/", {
        "username": "newcoord", "password": "a long first password", "role": "coordinator",
        "projects": [project.pk]})
    assert response.status_code == 302
    profile = StaffProfile.objects.get(user__username="newcoord")
    assert profile.role == "coordinator" and list(profile.projects.all()) == [project]
    assert profile.must_change_password  # a first password, set by someone else
    for _ in range(5):
        _fail("newcoord")
    assert [a for a, _until in lockout.locked_addresses("newcoord")] == ["127.0.0.1"]
    page = client.get("/staff/accounts/").content.decode()
    assert "from 127.0.0.1 until" in page
    client.post(f"/staff/accounts/{profile.pk}/unlock/")
    assert lockout.locked_addresses("newcoord") == []
    TotpDevice.objects.create(user=profile.user, secret="JBSWY3DPEHPK3PXP", confirmed=True)
    StaffProfile.objects.filter(pk=profile.pk).update(must_change_password=False)
    client.post(f"/staff/accounts/{profile.pk}/reset_totp/")
    assert not TotpDevice.objects.filter(user=profile.user).exists()
    profile.refresh_from_db()
    assert profile.must_change_password  # a new password of their own before anything else
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"staff.account_create", "staff.unlock", "staff.reset_totp",
            "staff.locked_out"} <= actions
    for action in ("staff.account_create", "staff.unlock", "staff.reset_totp"):
        event = AuditEvent.objects.get(action=action)
        assert (event.actor, event.target_id) == (admin, str(profile.user.pk))


def test_account_passwords_pass_every_validator(client, make_staff):
    from django.contrib.auth import get_user_model

    client.force_login(make_staff("administrator", "admin"))
    for weak, message in [("aaaaaaaaaa", "too common"), ("short", "too short"),
                          ("2718281828459045", "entirely numeric"),
                          ("jo.bloggs.peer", "too similar")]:
        response = client.post("/staff/accounts/", {
            "username": "jo.bloggs.peer", "email": "jo@example.org", "password": weak,
            "role": "central_researcher"})
        body = response.content.decode()
        assert response.status_code == 200 and message in body, weak
        assert 'value="jo.bloggs.peer"' in body  # what was typed is kept
        assert not get_user_model().objects.filter(username="jo.bloggs.peer").exists()


def test_an_administrator_sets_a_first_password_audited_as_theirs(client, make_staff):
    from django.contrib.auth import get_user_model

    admin = make_staff("administrator", "admin")
    victim = make_staff("central_researcher", "cara")
    client.force_login(admin)
    profile = StaffProfile.objects.get(user=victim)
    weak = client.post(f"/staff/accounts/{profile.pk}/password/",
                       {"new_password1": "aaaaaaaaaa", "new_password2": "aaaaaaaaaa"})
    assert weak.status_code == 200 and "too common" in weak.content.decode()
    response = client.post(f"/staff/accounts/{profile.pk}/password/", {
        "new_password1": "temporary plum 4471", "new_password2": "temporary plum 4471"})
    assert response.status_code == 302
    victim = get_user_model().objects.get(pk=victim.pk)
    assert victim.check_password("temporary plum 4471")
    profile.refresh_from_db()
    assert profile.must_change_password
    event = AuditEvent.objects.get(action="staff.password_reset")
    assert (event.actor, event.actor_label, event.target_id) == (admin, "admin", str(victim.pk))
    assert not AuditEvent.objects.filter(actor=victim).exists()


@pytest.mark.django_db(transaction=True)
def test_account_pages_are_axe_clean(chromium, axe, live_server, make_staff):
    from peerlog.staff import totp

    admin = make_staff("administrator", "admin")
    make_staff("coordinator", "cleo")
    device = TotpDevice.objects.create(user=admin, secret=totp.new_secret(), confirmed=True)
    page = chromium.new_page()
    page.goto(f"{live_server.url}/staff/login/")
    page.get_by_label("User name").fill("admin")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Six-digit code from your authenticator app").fill(totp.totp(device.secret))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/staff/")
    page.goto(f"{live_server.url}/staff/accounts/")
    assert axe(page) == []
    page.get_by_label("User name").fill("weakling")
    page.get_by_label("First password").fill("aaaaaaaaaa")
    page.get_by_role("button", name="Create account").click()
    assert "This password is too common." in page.content()
    assert axe(page) == []
    page.get_by_role("link", name="New first password for cleo").click()
    assert axe(page) == []
    page.close()
