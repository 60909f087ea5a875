"""Issue 13, item 8: authenticator enrolment with a QR code, and one-time backup codes
(shown once, stored only as keyed hashes, each usable once, counted by the throttle)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from peerlog.capture.models import AuditEvent
from peerlog.staff import totp
from peerlog.staff.models import BackupCode, TotpDevice

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery"


def _password(client, name):
    assert client.post("/staff/login/", {"username": name, "password": PASSWORD}).status_code == 302


def _codes(client) -> list[str]:
    page = client.post("/staff/backup-codes/").content.decode()
    return re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", page)


@pytest.fixture
def enrolled(client, make_staff):
    user = make_staff("coordinator", "jo")
    device = TotpDevice.objects.create(user=user, secret=totp.new_secret(), confirmed=True)
    client.force_login(user)
    codes = _codes(client)
    client.logout()
    return user, device, codes


def test_enrolment_shows_a_qr_code_then_asks_for_backup_codes(client, make_staff):
    user = make_staff("coordinator", "ray")
    _password(client, "ray")
    page = client.get("/staff/login/code/").content.decode()
    assert '<svg role="img" aria-label="QR code of your authenticator key"' in page
    assert "otpauth://totp/" in page
    device = TotpDevice.objects.get(user=user)
    response = client.post("/staff/login/code/", {"code": totp.totp(device.secret)})
    assert response["Location"] == "/staff/backup-codes/?first=1"
    assert "Your authenticator is set up" in client.get(response["Location"]).content.decode()


def test_ten_codes_shown_once_and_never_stored_in_clear(client, enrolled):
    user, _device, codes = enrolled
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = list(BackupCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert len(stored) == 10
    for code in codes:
        plain = code.replace("-", "")
        assert not any(plain in h or code in h for h in stored)
    event = AuditEvent.objects.get(action="staff.backup_codes_new")
    assert event.detail == {"count": 10} and not any(c in str(event.detail) for c in codes)
    # The page shows how many are left, never the codes again.
    client.force_login(user)
    page = client.get("/staff/backup-codes/").content.decode()
    assert "You have 10 unused backup codes." in page and codes[0] not in page


def test_a_backup_code_signs_in_once(client, enrolled):
    user, _device, codes = enrolled
    _password(client, "jo")
    response = client.post("/staff/login/code/", {"code": codes[3].upper().replace("-", " ")})
    assert response.status_code == 302 and client.get("/staff/").status_code == 200
    assert BackupCode.objects.filter(user=user, used_at__isnull=False).count() == 1
    event = AuditEvent.objects.get(action="staff.sign_in_backup_code")
    assert event.actor == user and event.detail == {"unused_left": 9}
    # The same code again: refused, and counted as a failure.
    other = Client()
    _password(other, "jo")
    response = other.post("/staff/login/code/", {"code": codes[3]})
    assert response.status_code == 401 and "used already" in response.content.decode()
    assert other.get("/staff/").status_code == 302
    from axes.models import AccessAttempt
    assert AccessAttempt.objects.get(username="jo").failures_since_start == 1


def test_wrong_backup_codes_count_towards_the_pause(client, enrolled):
    _user, device, codes = enrolled
    _password(client, "jo")
    for _ in range(5):
        client.post("/staff/login/code/", {"code": "abcde-fghjk"})
    response = client.post("/staff/login/code/", {"code": codes[0]})
    assert response.status_code == 429 and client.get("/staff/").status_code == 302
    assert not BackupCode.objects.filter(used_at__isnull=False).exists()  # not spent


def test_new_codes_invalidate_the_old_ones(client, enrolled):
    user, _device, old = enrolled
    client.force_login(user)
    new = _codes(client)
    assert not set(new) & set(old)
    client.logout()
    _password(client, "jo")
    assert client.post("/staff/login/code/", {"code": old[0]}).status_code == 401
    assert client.post("/staff/login/code/", {"code": new[0]}).status_code == 302


def test_no_backup_code_while_enrolling(client, make_staff):
    user = make_staff("coordinator", "kit")
    client.force_login(user)
    codes = _codes(client)  # made before an authenticator reset, say
    TotpDevice.objects.filter(user=user).delete()
    client.logout()
    _password(client, "kit")
    client.get("/staff/login/code/")
    assert client.post("/staff/login/code/", {"code": codes[0]}).status_code == 401
    assert client.get("/staff/").status_code == 302


def test_an_authenticator_reset_removes_the_backup_codes(client, enrolled, make_staff):
    from peerlog.staff.models import StaffProfile

    user, _device, _codes_ = enrolled
    client.force_login(make_staff("administrator", "boss"))
    profile = StaffProfile.objects.get(user=user)
    client.post(f"/staff/accounts/{profile.pk}/reset_totp/")
    assert not BackupCode.objects.filter(user=user).exists()


def test_anonymous_cannot_make_codes(client):
    assert client.post("/staff/backup-codes/").status_code == 302
    assert not BackupCode.objects.exists()
