"""Administrators: create staff accounts, unlock them, reset authenticators (all audited)."""

from __future__ import annotations

from peerlog.capture.models import AuditEvent
from peerlog.staff import lockout
from peerlog.staff.models import StaffProfile, TotpDevice


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
    for _ in range(5):
        lockout.record_failure("newcoord")
    assert lockout.locked_until("newcoord")
    client.post(f"/staff/accounts/{profile.pk}/unlock/")
    assert lockout.locked_until("newcoord") is None
    TotpDevice.objects.create(user=profile.user, secret="JBSWY3DPEHPK3PXP", confirmed=True)
    client.post(f"/staff/accounts/{profile.pk}/reset_totp/")
    assert not TotpDevice.objects.filter(user=profile.user).exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"staff.account_create", "staff.unlock", "staff.reset_totp",
            "staff.locked_out"} <= actions
