"""Issue 9, item 10: sign-in is throttled per (user name, client address) and per address,
before any password is hashed; a stranger cannot lock the real person out; parallel failures
are all counted; wrong authenticator codes count too; names that do not exist behave like
names that do."""

from __future__ import annotations

import re
import threading

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.db import connection
from django.test import Client

from peerlog.staff import totp

RIGHT, WRONG = "correct horse battery", "wrong password!"
PAUSED = "Signing in to this account from here is paused until"
NO_MATCH = "That user name and password do not match a staff account."


class CountingHasher(MD5PasswordHasher):
    """A real (fast) hasher that counts how often a password is checked against a hash."""

    checks = 0

    def verify(self, password, encoded):
        CountingHasher.checks += 1
        return super().verify(password, encoded)


def _post(client, username, password, address="10.0.0.7", **extra):
    return client.post("/staff/login/", {"username": username, "password": password},
                       REMOTE_ADDR=address, **extra)


def _failures(**filters) -> int:
    from axes.models import AccessAttempt
    from django.db.models import Sum

    return AccessAttempt.objects.filter(**filters).aggregate(n=Sum("failures_since_start"))["n"] or 0


@pytest.mark.django_db
def test_a_stranger_elsewhere_cannot_lock_the_real_person_out(client, make_staff):
    make_staff("central_researcher", "kim")
    attacker = Client()
    for _ in range(12):
        response = _post(attacker, "kim", WRONG, address="203.0.113.66")
    assert response.status_code == 429 and PAUSED in response.content.decode()
    assert _failures(username="kim", ip_address="203.0.113.66") == 12
    # The real person, from their own address, signs in with the right password.
    response = _post(client, "kim", RIGHT, address="10.0.0.7")
    assert response.status_code == 302 and response["Location"] == "/staff/login/code/"
    assert _failures(ip_address="10.0.0.7") == 0


@pytest.mark.django_db
def test_a_paused_attempt_is_refused_before_any_password_is_hashed(client, make_staff, settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    make_staff("central_researcher", "kim")
    for _ in range(5):
        _post(client, "kim", WRONG)
    before = CountingHasher.checks
    for _ in range(20):  # a brute force at the paused name: no hashing, no answer
        response = _post(client, "kim", RIGHT)
        assert response.status_code == 429 and PAUSED in response.content.decode()
    assert CountingHasher.checks == before
    assert client.get("/staff/").status_code == 302
    assert _failures(username="kim") == 25


def _neutral(body: str, name: str) -> str:
    """The page without what differs for reasons other than the name (CSRF token, clock)."""
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", body)
    return re.sub(r"until \d\d:\d\d", "until TIME", body.replace(name, "NAME"))


@pytest.mark.django_db
def test_a_name_that_does_not_exist_is_answered_like_a_real_one(client, make_staff):
    make_staff("coordinator", "real-name")
    answers = {}
    for name in ("real-name", "ghost-name"):
        c = Client()
        answers[name] = [(r.status_code, _neutral(r.content.decode(), name))
                         for r in (_post(c, name, WRONG) for _ in range(6))]
    assert answers["real-name"] == answers["ghost-name"]
    assert [status for status, _body in answers["ghost-name"]] == [401] * 4 + [429] * 2
    assert NO_MATCH in answers["ghost-name"][0][1] and PAUSED in answers["ghost-name"][5][1]


@pytest.mark.django_db
def test_one_address_trying_many_names_is_paused_as_a_whole(client, make_staff):
    make_staff("coordinator", "victim")
    for n in range(20):  # four guesses at each of five names: no single name is paused
        _post(client, f"name-{n % 5}", WRONG, address="198.51.100.9")
    response = _post(client, "victim", RIGHT, address="198.51.100.9")
    assert response.status_code == 429 and PAUSED in response.content.decode()
    assert _post(Client(), "victim", RIGHT, address="10.0.0.8").status_code == 302


@pytest.mark.django_db
def test_wrong_codes_count_and_a_paused_code_step_does_not_sign_in(client, make_staff):
    from peerlog.staff.models import TotpDevice

    user = make_staff("central_researcher", "lee")
    device = TotpDevice.objects.create(user=user, secret=totp.new_secret(), confirmed=True)
    for _ in range(3):
        _post(client, "lee", WRONG)
    assert _post(client, "lee", RIGHT).status_code == 302
    for _ in range(2):
        client.post("/staff/login/code/", {"code": "000000"}, REMOTE_ADDR="10.0.0.7")
    response = client.post("/staff/login/code/", {"code": totp.totp(device.secret)},
                           REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 429 and PAUSED in response.content.decode()
    assert _failures(username="lee") == 5
    device.refresh_from_db()
    assert device.last_step == 0  # the right code was not even checked
    assert client.get("/staff/").status_code == 302


@pytest.mark.django_db
def test_a_successful_sign_in_clears_the_count_and_nothing_secret_is_stored(client, make_staff):
    from axes.models import AccessAttempt

    from peerlog.staff.models import TotpDevice

    user = make_staff("coordinator", "ana")
    device = TotpDevice.objects.create(user=user, secret=totp.new_secret(), confirmed=True)
    for _ in range(3):
        _post(client, "ana", WRONG)
    stored = " ".join(AccessAttempt.objects.values_list("post_data", flat=True))
    assert WRONG not in stored and "ana" not in stored
    _post(client, "ana", RIGHT)
    client.post("/staff/login/code/", {"code": totp.totp(device.secret)}, REMOTE_ADDR="10.0.0.7")
    assert client.get("/staff/").status_code == 200
    assert _failures(username="ana") == 0


@pytest.mark.django_db
def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted(client, make_staff, settings):
    from axes.models import AccessAttempt

    make_staff("coordinator", "max")
    for n in range(5):  # an attacker rotating X-Forwarded-For gains nothing
        _post(client, "max", WRONG, address="192.0.2.10", HTTP_X_FORWARDED_FOR=f"10.9.9.{n}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.10"}
    assert _post(client, "max", RIGHT, address="192.0.2.10").status_code == 429

    settings.PEERLOG_TRUSTED_PROXIES = ["127.0.0.1"]  # nginx on the same machine
    AccessAttempt.objects.all().delete()
    _post(client, "max", WRONG, address="127.0.0.1",
          HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")  # the client forged the first hop
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.5"]


@pytest.mark.django_db(transaction=True)
def test_parallel_failures_are_all_counted_and_lock_at_five(make_staff):
    """Twelve sign-ins at once, each in its own thread and database connection."""
    from peerlog.capture.models import AuditEvent

    make_staff("central_researcher", "pat")
    barrier = threading.Barrier(12)
    statuses: list[int] = []
    bodies: list[str] = []

    def attempt():
        try:
            c = Client()
            barrier.wait()
            response = _post(c, "pat", WRONG)
            statuses.append(response.status_code)
            bodies.append(response.content.decode())
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(set(statuses)) in ([401, 429], [429])
    assert statuses.count(401) + statuses.count(429) == 12
    assert all(NO_MATCH in b or PAUSED in b for b in bodies)
    assert _failures(username="pat") == 12  # no lost update
    # Locked now: the right password from that address is refused.
    response = _post(Client(), "pat", RIGHT)
    assert response.status_code == 429 and PAUSED in response.content.decode()
    assert AuditEvent.objects.filter(action="staff.locked_out",
                                     detail__username="pat").count() >= 1


@pytest.mark.django_db(transaction=True)
def test_one_code_sent_twice_at_once_signs_in_once(make_staff):
    """Replaying a code while the first use is still in flight: only one sign-in."""
    from peerlog.staff.models import TotpDevice

    user = make_staff("central_researcher", "rae")
    device = TotpDevice.objects.create(user=user, secret=totp.new_secret(), confirmed=True)
    clients = [Client(), Client(), Client()]
    for c in clients:
        assert _post(c, "rae", RIGHT).status_code == 302
    code = totp.totp(device.secret)
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def submit(c):
        try:
            barrier.wait()
            statuses.append(c.post("/staff/login/code/", {"code": code},
                                   REMOTE_ADDR="10.0.0.7").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [302, 401, 401]
    assert sum(c.get("/staff/").status_code == 200 for c in clients) == 1
