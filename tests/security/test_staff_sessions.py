"""Staff sessions end after 30 minutes without a request and 12 hours after signing in;
participants' registration sessions are not cut (issue 9, Low)."""

from __future__ import annotations

import time

import pytest

from peerlog.staff.middleware import SEEN_AT, SIGNED_IN_AT

pytestmark = pytest.mark.django_db


def _signed_in(client, make_staff):
    user = make_staff("coordinator", "sol")
    client.force_login(user)
    assert client.get("/staff/").status_code == 200  # the clocks start
    session = client.session
    assert isinstance(session[SIGNED_IN_AT], float) and session.get_expiry_age() == 1800
    return user


def _set_clocks(client, signed_in_ago: float, seen_ago: float) -> None:
    session = client.session
    now = time.time()
    session[SIGNED_IN_AT], session[SEEN_AT] = now - signed_in_ago, now - seen_ago
    session.save()


def _signed_out(client, response) -> None:
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/?next=/staff/participants/")
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "Sign in to the staff console" in page
    assert client.get("/staff/").status_code == 302  # and it stays signed out


def test_thirty_minutes_without_a_request_sign_staff_out(client, make_staff):
    _signed_in(client, make_staff)
    _set_clocks(client, signed_in_ago=31 * 60, seen_ago=31 * 60)
    response = client.get("/staff/participants/")
    _signed_out(client, response)


def test_twelve_hours_after_signing_in_staff_are_signed_out_however_active(client, make_staff):
    _signed_in(client, make_staff)
    _set_clocks(client, signed_in_ago=12 * 3600 + 60, seen_ago=10)
    _signed_out(client, client.get("/staff/participants/"))


def test_activity_within_the_limits_keeps_the_session_and_moves_the_idle_clock(
        client, make_staff):
    _signed_in(client, make_staff)
    _set_clocks(client, signed_in_ago=11 * 3600, seen_ago=29 * 60)
    assert client.get("/staff/participants/").status_code == 200
    session = client.session
    assert time.time() - session[SEEN_AT] < 60  # moved on
    assert time.time() - session[SIGNED_IN_AT] > 11 * 3600  # the absolute clock does not
    assert session.get_expiry_age() == 1800


def test_a_post_after_the_idle_timeout_stores_nothing(client, make_staff, world):
    from peerlog.capture.models import Participant

    client.force_login(world.staff["coordinator"])
    client.get("/staff/")
    _set_clocks(client, signed_in_ago=3600, seen_ago=3600)
    response = client.post(f"/staff/participants/{world.pa.pk}/withdraw/",
                           {"withdrawal": "no_contact"})
    assert response.status_code == 302 and response["Location"] == "/staff/login/"
    assert Participant.objects.get(pk=world.pa.pk).withdrawal == ""


def test_a_participants_registration_session_keeps_its_lifetime(client, settings):
    response = client.get("/register/")
    assert response.status_code in (200, 302)
    session = client.session
    session["registration_answers_marker"] = "kept"
    session.save()
    # Hours later, registration goes on: no staff clocks, Django's own session lifetime.
    response = client.get("/register/")
    session = client.session
    assert session.get("registration_answers_marker") == "kept"
    assert SEEN_AT not in session and SIGNED_IN_AT not in session
    assert session.get_expiry_age() == settings.SESSION_COOKIE_AGE
