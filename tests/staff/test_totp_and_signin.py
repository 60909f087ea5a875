"""Second factor (RFC 6238 test vectors) and lockout after repeated failures."""

from __future__ import annotations

import base64

import pytest

from peerlog.staff import lockout, totp

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()  # RFC 6238, SHA-1 key


@pytest.mark.parametrize(("at", "code"), [
    (59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"),
    (1234567890, "89005924"), (2000000000, "69279037"), (20000000000, "65353130"),
])
def test_rfc6238_sha1_vectors(at, code):
    assert totp.totp(RFC_SECRET, at=at, digits=8) == code


@pytest.mark.parametrize(("counter", "code"), list(enumerate(
    ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871",
     "520489"])))
def test_rfc4226_hotp_vectors(counter, code):
    assert totp.hotp(b"12345678901234567890", counter) == code


def test_a_code_is_accepted_once_and_within_one_step():
    secret = totp.new_secret()
    now = 1_700_000_000
    code = totp.totp(secret, at=now)
    step = totp.verify(secret, code, at=now + 25)
    assert step == now // 30
    assert totp.verify(secret, code, last_step=step, at=now) is None  # no replay
    assert totp.verify(secret, code, at=now + 95) is None  # too late
    assert totp.verify(secret, "12345", at=now) is None


def _sign_in(client, username, password, code=None):
    response = client.post("/staff/login/", {"username": username, "password": password})
    if code is None:
        return response
    return client.post("/staff/login/code/", {"code": code})


@pytest.mark.django_db
def test_sign_in_needs_password_then_code_and_enrols_first(client, make_staff):
    from peerlog.capture.models import AuditEvent
    from peerlog.staff.models import TotpDevice

    user = make_staff("coordinator", "sam")
    response = _sign_in(client, "sam", "correct horse battery")
    assert response.status_code == 302 and response["Location"] == "/staff/login/code/"
    # The password alone does not sign in.
    assert client.get("/staff/").status_code == 302
    page = client.get("/staff/login/code/").content.decode()
    assert "Set up your authenticator" in page
    device = TotpDevice.objects.get(user=user)
    assert client.post("/staff/login/code/", {"code": "000000"}).status_code == 401
    response = client.post("/staff/login/code/", {"code": totp.totp(device.secret)})
    assert response.status_code == 302 and response["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="staff.enrol_totp", actor=user).exists()


@pytest.mark.django_db
def test_five_failures_lock_the_account_for_fifteen_minutes(client, make_staff, settings):
    import datetime as dt

    from django.utils import timezone

    from peerlog.staff.models import LoginFailure

    make_staff("coordinator", "kim")
    for _ in range(5):
        assert _sign_in(client, "kim", "wrong password!").status_code == 401
    response = _sign_in(client, "kim", "correct horse battery")  # right, but locked
    assert response.status_code == 401 and "locked" in response.content.decode()
    # Fifteen minutes later the account opens again.
    LoginFailure.objects.update(at=timezone.now() - dt.timedelta(minutes=16))
    assert lockout.locked_until("kim") is None
    assert _sign_in(client, "kim", "correct horse battery").status_code == 302


@pytest.mark.django_db
def test_wrong_codes_count_towards_the_lockout(client, make_staff):
    from peerlog.staff.models import TotpDevice

    user = make_staff("central_researcher", "lee")
    TotpDevice.objects.create(user=user, secret=totp.new_secret(), confirmed=True)
    _sign_in(client, "lee", "correct horse battery")
    for _ in range(5):
        client.post("/staff/login/code/", {"code": "000000"})
    device = TotpDevice.objects.get(user=user)
    response = client.post("/staff/login/code/", {"code": totp.totp(device.secret)})
    assert response.status_code == 401 and "locked" in response.content.decode()
    assert client.get("/staff/").status_code == 302


@pytest.mark.django_db
def test_the_admin_signs_in_through_the_staff_console(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/staff/login/")
