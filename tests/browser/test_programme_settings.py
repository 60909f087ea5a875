"""Programme settings in a real browser (issue 13, item 5; issue 10, items 4 and 6): a central
researcher changes the partners and a prize in the console (axe-clean at 360 px), the
registration page shows the new values at once; the information page, and the "I am leaving"
page, are axe-clean at 320 px without JavaScript in English and Arabic."""

from __future__ import annotations

import pytest
from tests.browser.test_participant_pages import Visit
from tests.browser.test_staff_console import sign_in, staff  # noqa: F401  (fixture)
from tests.capture.test_programme_and_last_log import _fresh_programme_cache  # noqa: F401

from peerlog.capture import links
from peerlog.capture.models import AuditEvent, ProgrammeSettings

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_settings_change_shows_on_the_participant_pages(chromium, axe, live_server, staff):  # noqa: F811
    base = live_server.url
    context = chromium.new_context(viewport={"width": 360, "height": 800})
    page = context.new_page()
    sign_in(page, base, "central")
    page.get_by_role("link", name="Settings").first.click()
    assert axe(page) == []
    page.get_by_role("link", name="Programme settings").click()
    assert axe(page) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_label("Partner organisations").fill("Leeds Mind and Touchstone")
    page.get_by_label("Monthly prize for an individual").fill("£40")
    page.get_by_label("Programme end").fill("2027-06-30")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Programme settings saved.").is_visible()
    assert axe(page) == []
    row = ProgrammeSettings.objects.get()
    assert (row.partners, row.prize_individual, str(row.programme_end)) == (
        "Leeds Mind and Touchstone", "£40", "2027-06-30")
    assert AuditEvent.objects.filter(action="settings.programme").count() == 1
    # A project's settings: languages as a picker.
    page.goto(f"{base}/staff/projects/{staff['project'].pk}/settings/")
    page.get_by_label("Arabic").check()
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Project settings saved.").is_visible()
    assert axe(page) == []
    staff["project"].refresh_from_db()
    assert staff["project"].languages == ["ar"]
    context.close()

    v = Visit(chromium, axe, base, "programme-settings")
    try:
        v.goto("/register/")
        v.check("register-start-new-partners")
        text = v.page.locator("main").inner_text()
        assert "Leeds Mind and Touchstone" in text and "£40" in text
        assert "Depression Alliance" not in text
    finally:
        v.close()


@pytest.mark.parametrize("language,direction", [("en", "ltr"), ("ar", "rtl")])
def test_information_and_leaving_pages_are_accessible(chromium, axe, live_server,
                                                     participant_factory, language, direction):
    v = Visit(chromium, axe, live_server.url, f"information-{language}")
    try:
        v.context.add_cookies([{"name": "django_language", "value": language,
                                "url": v.base}])
        v.goto("/")
        with v.page.expect_navigation():
            v.page.locator("main a[href='/information/']").press("Enter")
        v.check("information", direction)
        assert v.page.locator("h2").count() >= 5
        person = participant_factory(language=language)
        token = links.new_token(person, "test")
        v.goto(f"/l/{token}/leaving/")
        v.check("leaving", direction)
        v.page.fill("#id_leaving_on", "31/02/2027")
        v.submit()
        assert v.page.locator("#id_leaving_on-error").is_visible()
        v.check("leaving-error", direction)
    finally:
        v.close()
