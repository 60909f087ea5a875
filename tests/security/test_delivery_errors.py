"""Issue 9, item 2: a refusing mail server or SMS provider puts no contact detail on a page.

A real aiosmtpd server refuses each address with "550 5.1.1 <address>: Recipient address
rejected", and the local SMS provider answers 400 with a body quoting the number. Then
every staff page, outbox view and CSV is fetched as every role, and every database table
is read in clear: neither the address nor the number (in any usual format) appears.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.utils import timezone
from tests.outreach.conftest import SmsProvider, SmtpServer, smtp_mailer
from tests.staff.test_permissions import ROLES, matrix

NUMBERS = ("+447700900731", "+447700900842")
ADDRESSES = ("refused.alpha@example.org", "refused.beta@example.net")


def phone_forms(e164: str) -> list[str]:
    """The ways a UK mobile number is written: +44..., 44..., 07..., spaced, bare digits."""
    national = e164.removeprefix("+44")
    return [e164, e164[1:], "0" + national, national, f"0{national[:4]} {national[4:]}",
            f"+44 {national[:4]} {national[4:]}", f"+44 ({national[:4]}) {national[4:]}"]


def leaks(text: str) -> list[str]:
    found = [a for a in ADDRESSES if a.lower() in text.lower()]
    found += [a.split("@")[0] for a in ADDRESSES if a.split("@")[0] in text]
    digits = re.sub(r"\D", "", text)
    for number in NUMBERS:
        found += [form for form in phone_forms(number) if form in text]
        if number.removeprefix("+44") in digits:
            found.append(f"digits of {number}")
    return found


@pytest.fixture
def refused(world, settings, participant_factory):
    """Two reachable people (projects A and B) whose email and SMS are both refused."""
    from peerlog.capture.models import ContactDetails
    from peerlog.outreach import remind

    smtp, sms = SmtpServer().start(), SmsProvider().start()
    settings.MAILERS = {**settings.MAILERS, "reminders": smtp_mailer(smtp.port)}
    settings.PEERLOG_SMS = {**settings.PEERLOG_SMS, "URL": sms.url,
                            "TOKEN": SmsProvider.TOKEN, "TIMEOUT": 5}
    people = []
    for project, address, number in zip((world.a, world.b), ADDRESSES, NUMBERS, strict=True):
        person = participant_factory(project=project,
                                     registered_at=timezone.now() - dt.timedelta(days=40))
        ContactDetails.objects.create(participant=person, channels=["email", "sms"],
                                      email=address, phone=number)
        smtp.refuse.add(address)
        sms.refuse.add(number)
        people.append(person)
    try:
        counts = remind.run()
    finally:
        smtp.stop()
        sms.stop()
    return counts, people


def staff_urls(w) -> list[str]:
    from peerlog.capture.models import Participant
    from peerlog.outreach.models import Message, PrizeDraw

    urls = [url for _label, method, url, *_ in matrix(w) if method == "get"]
    urls += ["/staff/outreach/", "/staff/outreach/?show=all", "/staff/outreach/draws/",
             *[f"/staff/outreach/?show={state}" for state in Message.State.values],
             *[f"/staff/outreach/draws/{d.pk}/" for d in PrizeDraw.objects.all()]]
    urls += [f"/staff/participants/{p.pk}/" for p in Participant.objects.all()]
    urls += ["/staff/reports/", "/staff/audit/?action=contact.use",
             "/staff/audit/?action=contact.use&format=csv"]
    return urls


def test_refusals_are_stored_redacted(refused):
    from peerlog.outreach.models import Message

    counts, people = refused
    assert counts["gave_up"] == 4
    rows = Message.objects.filter(participant__in=people).order_by("channel", "id")
    assert [(m.channel, m.state, m.error_kind, m.error_class, m.error_code) for m in rows] == [
        ("email", "failed", "recipient_refused", "permanent", "SMTP 550 5.1.1"),
        ("email", "failed", "recipient_refused", "permanent", "SMTP 550 5.1.1"),
        ("sms", "failed", "provider_refused", "permanent", "HTTP 400"),
        ("sms", "failed", "provider_refused", "permanent", "HTTP 400"),
    ]
    for m in rows:
        assert m.last_error.startswith("permanent failure, ")
        assert leaks(m.last_error + repr(m.history)) == []


@pytest.mark.parametrize("role", ROLES)
def test_no_page_or_download_shows_a_refused_address_or_number(client, world, refused, role):
    client.force_login(world.staff[role])
    fetched = 0
    for url in staff_urls(world):
        response = client.get(url)
        assert response.status_code in (200, 302, 403, 404), (url, response.status_code)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8", errors="replace")
        assert leaks(text) == [], (role, url)
        fetched += response.status_code == 200
    assert fetched >= 2  # every role sees at least its home page and one more


def test_the_outbox_shows_the_redacted_error(client, world, refused):
    client.force_login(world.staff["central_researcher"])
    page = client.get("/staff/outreach/?show=all").content.decode()
    assert page.count("SMTP 550 5.1.1") == 2 and page.count("HTTP 400") == 2
    assert "the server refused the recipient" in page.replace("&#x27;", "'")
    assert leaks(page) == []


def test_no_table_holds_an_address_or_number_in_clear(refused, tmp_path):
    from peerlog.export.contract import export

    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                assert leaks(" ".join(str(v) for v in row)) == [], table
    export(tmp_path, labelled=False)
    for path in tmp_path.iterdir():
        assert leaks(path.read_text(errors="replace")) == [], path.name
