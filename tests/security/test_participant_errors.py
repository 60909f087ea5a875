"""Issue 9 item 13 and the Low CSRF item: participants never meet a bare technical error.

With the database really unavailable (PostgreSQL: the connection points at a closed port;
SQLite: another connection holds the write lock and the busy timeout is tiny), a log page or
registration page that is sent comes back as a 503 in the participant layout and language,
with what was typed, and sending it again after recovery stores exactly one log. A lost CSRF
cookie, a missing page and a wrong, expired or revoked personal link get kind pages.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import socket
import sqlite3

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import get_resolver
from django.utils import timezone, translation

from peerlog.capture import links
from peerlog.capture.models import Draft, Log, RegistrationDraft
from peerlog.instruments import load_instrument

NOT_SAVED_EN = "We could not save just now: press Save again."
NOT_SAVED_AR = "لم نتمكن من الحفظ الآن: اضغط «حفظ» مرة أخرى."


@contextlib.contextmanager
def database_unavailable():
    """The database cannot be written (SQLite) or reached at all (PostgreSQL)."""
    settings_dict = connection.settings_dict
    connection.close()
    if connection.vendor == "sqlite":
        options = settings_dict["OPTIONS"]
        settings_dict["OPTIONS"] = {**options, "timeout": 0.05}
        holder = sqlite3.connect(settings_dict["NAME"], isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
            connection.close()
            settings_dict["OPTIONS"] = options
    else:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            closed_port = s.getsockname()[1]
        port = settings_dict["PORT"]
        settings_dict["PORT"] = str(closed_port)
        try:
            yield
        finally:
            connection.close()
            settings_dict["PORT"] = port


def hidden_fields(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))


@pytest.mark.django_db(transaction=True)
def test_a_log_page_sent_while_the_database_is_down_comes_back_with_the_answers(
        participant_factory):
    person = participant_factory(language="ar")
    token = links.new_token(person, "test")
    inst = load_instrument("monthly")
    last = inst.sections[-1]
    Draft.objects.create(participant=person, instrument="monthly", submission_key="k" * 20,
                         done_sections=[s.code for s in inst.sections[:-1]],
                         answers={"date_completed": timezone.localdate().isoformat()})
    client = Client(raise_request_exception=False)
    page = client.get(f"/l/{token}/log/{last.code}/").content.decode()
    fields = hidden_fields(page)
    assert fields["instrument"] == "monthly" and fields["lang"] == "ar"
    mobility = str(inst.items["eq5d_mobility"].options[1].value)
    health = str(inst.items["health_today"].options[6].value)
    typed = {**fields, "eq5d_mobility": mobility, "health_today": health}

    with database_unavailable():
        response = client.post(f"/l/{token}/log/{last.code}/", typed)
    body = response.content.decode()
    assert response.status_code == 503
    assert '<html lang="ar" dir="rtl">' in body and NOT_SAVED_AR in body
    assert re.search(rf'name="eq5d_mobility" value="{mobility}" id="[\w_]+" checked', body)
    assert re.search(rf'name="health_today" value="{health}" id="[\w_]+" checked', body)
    assert 'name="key" value="' + "k" * 20 + '"' in body  # the same log when sent again
    assert "Server Error" not in body and "Traceback" not in body
    assert not Log.objects.exists()

    again = client.post(f"/l/{token}/log/{last.code}/", hidden_fields(body) | {
        "eq5d_mobility": mobility, "health_today": health})
    assert again.status_code == 302 and again["Location"] == f"/l/{token}/thanks/"
    client.post(f"/l/{token}/log/{last.code}/", typed)  # and once more, by a double click
    log = Log.objects.get()
    assert log.participant == person
    assert str(log.answers["eq5d_mobility"]) == mobility
    assert str(log.answers["health_today"]) == health


@pytest.mark.django_db(transaction=True)
def test_a_registration_page_sent_while_the_database_is_down_keeps_what_was_typed(
        issued_id, project_factory, registration_posts):
    project = project_factory()
    posts = dict(registration_posts(issued_id(project), project))
    client = Client(raise_request_exception=False)
    for step in ("consent", "id"):
        assert client.post(f"/register/{step}/", posts[step]).status_code == 302
    contact = {"contact_channels": ["email"], "contact_email": "kept@example.org"}
    with database_unavailable():
        response = client.post("/register/contact/", contact)
    body = response.content.decode()
    assert response.status_code == 503 and NOT_SAVED_EN in body
    assert 'value="kept@example.org"' in body
    assert re.search(r'name="contact_channels" value="email" id="[\w_]+" checked', body)
    assert "contact" not in RegistrationDraft.objects.get().done_sections
    assert client.post("/register/contact/", contact)["Location"] == "/register/region/"
    assert "kept@example.org" in RegistrationDraft.objects.get().answers

    # The project page draws its list from the page itself when the database is down.
    assert client.post("/register/region/", posts["region"]).status_code == 302
    page = client.get("/register/project/").content.decode()
    with database_unavailable():
        response = client.post("/register/project/", {
            "project": project.code, **{"project_choice": re.findall(
                r'name="project_choice" value="([^"]*)"', page)}})
    body = response.content.decode()
    assert response.status_code == 503 and project.name in body
    assert re.search(rf'value="{project.code}"[^>]*checked', body)


@pytest.mark.django_db(transaction=True)
def test_other_pages_without_the_database_say_so_kindly(participant_factory):
    person = participant_factory(language="ar")
    token = links.new_token(person, "test")
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = "ar"
    with database_unavailable():
        response = client.post(f"/l/{token}/")  # "Start my log" makes a row
    body = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert '<html lang="ar" dir="rtl">' in body
    assert "عذرًا، لا نستطيع فتح هذه الصفحة الآن" in body
    assert "Server Error" not in body
    assert not Draft.objects.exists()
    assert client.post(f"/l/{token}/").status_code == 302
    assert Draft.objects.count() == 1


@pytest.mark.django_db
def test_a_lost_csrf_cookie_gets_a_kind_translated_page(issued_id, project_factory):
    for language, expected in (("en", "Your earlier pages are saved."),
                               ("ar", "صفحاتك السابقة محفوظة.")):
        client = Client(enforce_csrf_checks=True)
        client.cookies["django_language"] = language
        response = client.post("/register/consent/", {"consent_information": "yes"})
        body = response.content.decode()
        assert response.status_code == 403
        assert expected in body and "CSRF verification failed" not in body
        assert f'<html lang="{language}"' in body
        assert 'href="/register/consent/"' in body  # open the page again
        assert not RegistrationDraft.objects.exists()


@pytest.mark.django_db
def test_missing_pages_and_links_that_do_not_work_explain_themselves(participant_factory):
    client = Client()
    client.cookies["django_language"] = "ar"
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    assert "الصفحة غير موجودة" in missing.content.decode()
    assert 'class="site"' in missing.content.decode()  # the participant layout

    person = participant_factory(language="ar")
    token = links.new_token(person, "test")
    english = Client()
    unknown = english.get(f"/l/{token[:-3]}/")
    assert unknown.status_code == 404
    assert "We do not recognise this link" in unknown.content.decode()
    assert 'href="/link/new/"' in unknown.content.decode()

    links.PersonalLink.objects.update(expires_at=timezone.now() - dt.timedelta(days=1))
    expired = english.get(f"/l/{token}/progress/")
    # The person's own language (no choice made on this device), and what happened.
    assert expired.status_code == 404
    assert "انتهت صلاحية هذا الرابط الشخصي" in expired.content.decode()
    assert '<html lang="ar" dir="rtl">' in expired.content.decode()

    links.PersonalLink.objects.update(expires_at=timezone.now() + dt.timedelta(days=1))
    links.revoke_links(person)
    english.cookies["django_language"] = "en"
    revoked = english.get(f"/l/{token}/")
    assert revoked.status_code == 404 and "switched off" in revoked.content.decode()
    assert not Draft.objects.exists()


@pytest.mark.django_db
def test_the_500_page_is_in_the_participant_layout():
    handler = get_resolver().resolve_error_handler(500)
    request = RequestFactory().get("/register/")
    request.user = None
    with translation.override("ar"):
        try:
            raise RuntimeError("a bug")
        except RuntimeError:
            response = handler(request)
    body = response.content.decode()
    assert response.status_code == 500
    assert "عذرًا، حدث خطأ ما" in body and "a bug" not in body and "Traceback" not in body
