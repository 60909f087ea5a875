"""How we contact you, and My progress, in a real browser (Chromium) with JavaScript off at
320 px, in English and Arabic: axe-core finds nothing, nothing scrolls sideways, a change
made on the page is in the database, and the chart's markers follow the reading direction."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.browser.test_participant_pages import Visit
from tests.browser.test_staff_console import staff  # noqa: F401 (a fixture)

from peerlog.capture import links
from peerlog.capture.models import AuditEvent, ContactDetails
from peerlog.capture.services import store_log

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browse(chromium, axe, live_server):
    made = []

    def make(name):
        made.append(Visit(chromium, axe, live_server.url, name))
        return made[-1]

    yield make
    for v in made:
        v.close()


@pytest.mark.parametrize("language,direction", [("en", "ltr"), ("ar", "rtl")])
def test_change_how_we_contact_you_from_the_link(browse, participant_factory, language,
                                                 direction):
    person = participant_factory(language=language)
    ContactDetails.objects.create(participant=person, channels=["email"],
                                  email="someone@example.org")
    token = links.new_token(person, "test")
    v = browse(f"contact-{language}")
    v.goto(f"/l/{token}/")
    with v.page.expect_navigation():
        v.page.locator(f"main a[href='/l/{token}/contact/']").press("Enter")
    assert "s…@example.org" in v.page.content() and "someone@example.org" not in v.page.content()
    v.check("contact", direction)
    # Text messages chosen without a number: the error is at the field, the rest is kept.
    v.page.check("#id_channels_1")
    v.page.check("#id_reminders_1")
    v.submit()
    assert v.page.locator("#q-phone .error").is_visible()
    assert v.page.locator("#id_reminders_1").is_checked()
    v.check("contact-error", direction)
    v.page.fill("#id_phone", "07700 900456")
    v.submit()
    assert v.page.url.endswith("?saved=1")
    v.check("contact-saved", direction)
    contact = ContactDetails.objects.get(participant=person)
    assert contact.channels == ["email", "sms"] and contact.phone == "+447700900456"
    assert contact.reminders_opt_out is True and contact.email == "someone@example.org"
    assert AuditEvent.objects.get(action="contact.change").detail["fields"] == [
        "channels", "phone", "reminders_opt_out"]


@pytest.mark.parametrize("language,direction", [("en", "ltr"), ("ar", "rtl")])
def test_my_progress_chart_reads_in_the_page_direction(browse, participant_factory, language,
                                                       direction):
    person = participant_factory(language=language)
    days = [dt.date(2026, 1, 10), dt.date(2026, 2, 12), dt.date(2026, 3, 14)]
    for i, (day, value) in enumerate(zip(days, (1, 3, 5), strict=True)):
        store_log(scope=None, instrument="monthly",
                  answers={f"swemwbs_{n}": value for n in range(1, 8)},
                  typed_personal_id=person.personal_id.code, completed_on=day, mode="online",
                  submission_key=f"browser-progress-{i}")
    v = browse(f"progress-{language}")
    v.goto(f"/l/{links.new_token(person, 'test')}/progress/")
    v.check("progress", direction)
    dots = v.page.locator("svg.chart circle")
    boxes = [dots.nth(i).bounding_box() for i in range(dots.count())]
    xs, ys = [b["x"] for b in boxes], [b["y"] for b in boxes]
    assert len(xs) == 3
    assert xs == sorted(xs, reverse=direction == "rtl")  # first log on the reading side
    assert ys == sorted(ys, reverse=True)  # higher scores higher up
    labels = v.page.locator("svg.chart text")
    assert labels.count() == 6
    # Each date label sits under its own marker (not mirrored away from it), inside the chart.
    chart_box = v.page.locator("svg.chart").first.bounding_box()
    for label, box in ((labels.nth(3), boxes[0]), (labels.nth(4), boxes[-1])):
        text = label.bounding_box()
        assert text["x"] - 2 <= box["x"] + box["width"] / 2 <= text["x"] + text["width"] + 2
        assert chart_box["x"] <= text["x"] and (
            text["x"] + text["width"] <= chart_box["x"] + chart_box["width"])
    assert v.page.locator("main table tbody tr").count() == 3


def test_central_researcher_changes_contact_details_in_the_console(chromium, axe, live_server,
                                                                   staff):  # noqa: F811
    """The audited contact view ends with the edit form; both it and the form re-shown after
    a mistake are axe-clean at 360 px; the change is stored and audited by field name."""
    from tests.browser.test_staff_console import sign_in

    person = staff["person"]
    ContactDetails.objects.create(participant=person, channels=["email"],
                                  email="old@example.org")
    context = chromium.new_context(viewport={"width": 360, "height": 800})
    page = context.new_page()
    try:
        sign_in(page, live_server.url, "central")
        page.goto(f"{live_server.url}/staff/participants/{person.pk}/")
        page.get_by_label("Why do you need these contact details?").fill("they asked by phone")
        page.get_by_role("button", name="Show contact details").click()
        page.wait_for_selector("#contact-edit")
        assert page.locator("#id_email").input_value() == "old@example.org"
        assert axe(page) == []
        page.check("input[name=channels][value=sms]")
        page.locator("#id_email").fill("new@example.org")
        page.get_by_role("button", name="Save contact details").click()
        page.wait_for_selector(".error")
        assert page.locator("#id_email").input_value() == "new@example.org"  # kept
        assert axe(page) == []
        assert ContactDetails.objects.get(participant=person).email == "old@example.org"
        page.locator("#id_phone").fill("07700 900789")
        page.get_by_role("button", name="Save contact details").click()
        page.wait_for_url(f"{live_server.url}/staff/participants/{person.pk}/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        contact = ContactDetails.objects.get(participant=person)
        assert (contact.email, contact.phone) == ("new@example.org", "+447700900789")
        assert AuditEvent.objects.get(action="contact.change").detail == {
            "fields": ["channels", "email", "phone"], "via": "staff"}
    finally:
        context.close()
