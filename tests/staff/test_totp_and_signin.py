"""Second factor (pyotp, checked against RFC 6238's vectors; single-use codes; any script's
digits) and the two-step sign-in with django-axes throttling."""

from __future__ import annotations

import base64

import pytest

from peerlog.staff import totp

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()  # RFC 6238, SHA-1 key


@pytest.mark.parametrize(("at", "code"), [
    (59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"),
    (1234567890, "89005924"), (2000000000, "69279037"), (20000000000, "65353130"),
])
def test_rfc6238_sha1_vectors(at, code):
    assert totp.totp(RFC_SECRET, at=at, digits=8) == code


def test_a_code_is_accepted_once_and_within_one_step():
    secret = totp.new_secret()
    now = 1_700_000_000
    code = totp.totp(secret, at=now)
    step = totp.verify(secret, code, at=now + 25)
    assert step == now // 30
    assert totp.verify(secret, code, last_step=step, at=now) is None  # no replay
    assert totp.verify(secret, code, at=now + 95) is None  # too late
    assert totp.verify(secret, "12345", at=now) is None


@pytest.mark.parametrize(("zero", "name"), [(0x660, "Arabic-Indic"), (0x6F0, "Persian"),
                                            (0xFF10, "full-width")])
def test_codes_in_other_scripts_digits_are_read(zero, name):
    secret = totp.new_secret()
    now = 1_700_000_000
    code = totp.totp(secret, at=now)
    typed = "".join(chr(zero + int(d)) for d in code)
    assert totp.normalise_code(typed) == code, name
    assert totp.verify(secret, typed[:3] + " " + typed[3:], at=now) == now // 30


@pytest.mark.parametrize("junk", ["12a456", "²³⁴⁵⁶⁷", "١٢٣", "DROP TABLE", "½"])
def test_junk_is_not_a_code(junk):
    assert totp.normalise_code(junk) is None or len(totp.normalise_code(junk)) != 6


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
    # Enrolled: next, the backup codes.
    assert response.status_code == 302 and response["Location"] == "/staff/backup-codes/?first=1"
    assert client.get("/staff/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="staff.enrol_totp", actor=user).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("zero", [0x660, 0x6F0, 0xFF10])
def test_a_code_typed_in_arabic_indic_or_full_width_digits_signs_in(client, make_staff, zero):
    from peerlog.staff.models import TotpDevice

    user = make_staff("coordinator", "noor")
    device = TotpDevice.objects.create(user=user, secret=totp.new_secret(), confirmed=True)
    _sign_in(client, "noor", "correct horse battery")
    typed = "".join(chr(zero + int(d)) for d in totp.totp(device.secret))
    response = client.post("/staff/login/code/", {"code": typed})
    assert response.status_code == 302 and response["Location"] == "/staff/"
    device.refresh_from_db()
    assert device.last_step > 0


@pytest.mark.django_db
@pytest.mark.parametrize("junk", ["12a456", "²³⁴⁵⁶⁷", "", "x" * 500, "١٢٣", "\x00"])
def test_a_junk_code_gives_the_form_error_not_a_500(client, make_staff, junk):
    from axes.models import AccessAttempt

    from peerlog.staff.models import TotpDevice

    user = make_staff("coordinator", "omar")
    TotpDevice.objects.create(user=user, secret=totp.new_secret(), confirmed=True)
    _sign_in(client, "omar", "correct horse battery")
    response = client.post("/staff/login/code/", {"code": junk})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'class="errorlist' in body and "Enter the code" not in body
    assert client.get("/staff/").status_code == 302  # not signed in
    assert not AccessAttempt.objects.exists()  # not a guess: not counted


@pytest.mark.django_db
def test_five_failures_pause_the_name_from_that_address_for_fifteen_minutes(client, make_staff):
    import datetime as dt

    from axes.models import AccessAttempt
    from django.utils import timezone

    make_staff("coordinator", "kim")
    for _ in range(4):
        assert _sign_in(client, "kim", "wrong password!").status_code == 401
    assert _sign_in(client, "kim", "wrong password!").status_code == 429  # the fifth pauses
    response = _sign_in(client, "kim", "correct horse battery")  # right, but paused
    assert response.status_code == 429 and "paused until" in response.content.decode()
    # Fifteen minutes later sign-in opens again.
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert _sign_in(client, "kim", "correct horse battery").status_code == 302


@pytest.mark.django_db
def test_wrong_codes_count_towards_the_throttle(client, make_staff):
    from axes.models import AccessAttempt

    from peerlog.staff.models import TotpDevice

    user = make_staff("central_researcher", "lee")
    TotpDevice.objects.create(user=user, secret=totp.new_secret(), confirmed=True)
    _sign_in(client, "lee", "correct horse battery")
    for _ in range(5):
        client.post("/staff/login/code/", {"code": "000000"})
    assert AccessAttempt.objects.get(username="lee").failures_since_start == 5
    device = TotpDevice.objects.get(user=user)
    response = client.post("/staff/login/code/", {"code": totp.totp(device.secret)})
    assert response.status_code == 429 and "paused" in response.content.decode()
    assert client.get("/staff/").status_code == 302


@pytest.mark.django_db
def test_the_admin_signs_in_through_the_staff_console(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/staff/login/")
