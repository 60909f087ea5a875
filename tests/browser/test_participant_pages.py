"""The participant pages in a real browser (Chromium), with JavaScript off, at 320 px wide:
register, the first (quarterly) log, back by the personal link for a monthly log, resume
after closing the page mid-log; the same registration in Arabic (right-to-left). Every page
is checked with axe-core (WCAG 2.2 A/AA), for horizontal scrolling, and photographed into
test-artifacts/participant/."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import sqlite3
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from peerlog.capture import links
from peerlog.capture.models import ContactDetails, Log, Participant, PersonalLink

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "participant"
WIDTH = 320


class Visit:
    """A JavaScript-free browser at 320 px, plus a JavaScript page that runs axe on the very
    HTML the first one shows (axe needs scripts; the pages themselves have none)."""

    def __init__(self, chromium, axe, base_url: str, name: str):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.base, self.name, self.axe, self.n = base_url, name, axe, 0
        self.context = chromium.new_context(java_script_enabled=False,
                                            viewport={"width": WIDTH, "height": 700})
        self.page = self.context.new_page()
        self.checker_context = chromium.new_context(viewport={"width": WIDTH, "height": 700})
        self.checker = self.checker_context.new_page()
        self.checked: list[str] = []

    def goto(self, path: str):
        self.page.goto(self.base + path if path.startswith("/") else path)

    def check(self, label: str, direction: str = "ltr"):
        """axe, layout at 320 px, and a screenshot of the page as it is now."""
        self.n += 1
        page = self.page
        assert page.locator("html").get_attribute("dir") == direction, label
        assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, (
            f"{label}: scrolls sideways at {WIDTH}px")
        page.screenshot(path=str(ARTIFACTS / f"{self.name}-{self.n:02d}-{label}.png"),
                        full_page=True)
        self.checker.goto(self.base + "/static/capture/participant.css")
        self.checker.set_content(page.content())
        self.checker.wait_for_load_state()
        violations = self.axe(self.checker)
        assert violations == [], (label, violations)
        self.checked.append(label)

    def submit(self):
        # By keyboard: focus the button and press Enter (a click after a full-page
        # screenshot may land on stale coordinates).
        with self.page.expect_navigation():
            self.page.locator("main form button[type=submit]").last.press("Enter")

    def choose(self, name: str, value: str):
        self.page.check(f"input[name='{name}'][value='{value}']")

    def close(self):
        self.context.close()
        self.checker_context.close()


@pytest.fixture
def visit(chromium, axe, live_server):
    made = []

    def make(name):
        v = Visit(chromium, axe, live_server.url, name)
        made.append(v)
        return v

    yield make
    for v in made:
        v.close()


def register(v: Visit, pid: str, project, direction: str = "ltr") -> str:
    """Go through registration, checking each page; returns the personal link."""
    v.goto("/")
    v.check("home", direction)
    with v.page.expect_navigation():
        v.page.locator("main a.button").first.press("Enter")
    v.check("register-start", direction)
    with v.page.expect_navigation():
        v.page.locator("main a.button").first.press("Enter")
    v.submit()  # nothing chosen: a message at each consent
    assert v.page.locator(".error-summary").is_visible()
    v.check("consent-errors", direction)
    for code in ("consent_information", "consent_reminders", "consent_data_use"):
        v.choose(code, "yes")
    v.submit()
    i = next(i for i in range(len(pid) - 1) if pid[i] != pid[i + 1])
    typo = pid[:i] + pid[i + 1] + pid[i] + pid[i + 2:]  # two neighbouring digits swapped
    v.page.fill("#id_personal_id", typo)
    v.submit()
    assert v.page.locator("#id_personal_id-error").is_visible()
    v.check("id-typo", direction)
    v.page.fill("#id_personal_id", f"{pid[:3]} {pid[3:]}")
    v.submit()
    v.choose("contact_channels", "email")
    v.choose("contact_channels", "sms")
    v.page.fill("#id_contact_email", "peer@example.org")
    v.submit()  # text message chosen, no number: message at the field, email kept
    assert v.page.locator("#id_contact_phone-error").is_visible()
    assert v.page.input_value("#id_contact_email") == "peer@example.org"
    v.check("contact-errors", direction)
    v.page.fill("#id_contact_phone", "07700 900123")
    v.submit()
    v.check("region", direction)
    v.choose("region", project.region.code)
    v.submit()
    v.check("project", direction)
    v.choose("project", project.code)
    v.submit()
    v.check("about-you", direction)
    v.choose("age_band", "35-44")
    v.choose("ethnicity", "prefer_not_to_answer")
    v.choose("uses_mh_services", "yes")
    v.page.check("#id_mh_services_years_prefer_not")
    v.submit()
    v.check("interviews", direction)
    v.choose("interview_interest", "yes")
    v.submit()
    v.check("prize-draw", direction)
    v.choose("prize_draw", "enter")
    v.submit()
    v.check("registered", direction)
    link = v.page.input_value("#personal-link")
    assert v.page.locator("main figure.qr-code svg[role=img]").count() == 1
    assert re.search(r"/l/[A-Za-z0-9_-]{40,}/$", link)
    return link


def test_register_quarterly_then_monthly_and_resume(visit, issued_id, project_factory):
    project = project_factory(region="Leeds")
    pid = issued_id(project)
    v = visit("en")
    link = register(v, pid, project)
    participant = Participant.objects.get(personal_id__code=pid)
    assert participant.mh_services_years is None
    assert participant.registration_answers["mh_services_years"] == "prefer_not_to_answer"

    # First log: quarterly, every page checked.
    v.goto(link)
    v.check("link-first")
    v.submit()
    pages, seen = 0, []
    while "/log/" in v.page.url:
        pages += 1
        seen.append(v.page.url.rsplit("/", 2)[1])
        section = v.page.url.rstrip("/").rsplit("/", 1)[1]
        if section == "wellbeing":
            for i in range(1, 8):
                v.choose(f"swemwbs_{i}", "4")
        if section == "peer_support":
            v.page.fill("#id_ps_informal_given", "0")
            v.page.fill("#id_ps_groups_received", "2")
            v.page.fill("#id_ps_pairs_given", "-3")  # numbers from 0 up only
            v.submit()
            assert v.page.locator("#id_ps_pairs_given-error").is_visible()
            assert v.page.input_value("#id_ps_groups_received") == "2"
            v.check("quarterly-peer_support-errors")
            v.page.fill("#id_ps_pairs_given", "")
        v.check(f"quarterly-{section}")
        v.submit()
    assert pages == 13, seen
    v.check("thanks")
    first = Log.objects.get(participant=participant)
    assert first.kind == "quarterly" and first.scores["wellbeing_raw"] == 28
    assert first.answers["ps_informal_given"] == 0 and first.answers["ps_groups_received"] == 2

    # Straight after: no new log until the next is due; the log just sent can be changed.
    v.goto(link)
    assert "Your log is up to date" in v.page.locator("h1").inner_text()
    v.check("link-up-to-date")
    with v.page.expect_navigation():
        v.page.locator("main a[href$='/change/']").press("Enter")
    v.check("change")
    with v.page.expect_navigation():
        v.page.locator("main a[href$='/change/wellbeing/']").press("Enter")
    assert v.page.locator("input[name='swemwbs_2'][value='4']").is_checked()
    v.choose("swemwbs_2", "5")
    v.check("change-wellbeing")
    v.submit()
    assert "Your changes are saved." in v.page.locator("main").inner_text()
    first.refresh_from_db()
    assert first.answers["swemwbs_2"] == 5 and first.scores["wellbeing_raw"] == 29
    assert Log.objects.filter(participant=participant).count() == 1
    Log.objects.filter(pk=first.pk).update(
        completed_on=first.completed_on - dt.timedelta(days=28),
        received_at=first.received_at - dt.timedelta(days=28))

    # A period later, back by the link: a monthly log; the page is closed after two pages.
    v.goto(link)
    v.submit()
    assert v.page.url.endswith("/log/log_on/")
    v.submit()
    v.page.fill("#id_ps_pairs_given", "5")
    v.submit()
    assert v.page.url.endswith("/log/wellbeing/")
    v.page.close()
    v.page = v.context.new_page()
    v.goto(link)
    assert v.page.locator("main button.primary").count() == 1
    v.check("link-resume")
    v.submit()
    assert v.page.url.endswith("/log/wellbeing/"), v.page.url
    with v.page.expect_navigation():
        v.page.locator("main .actions a").press("Enter")  # back: the earlier answer is there
    assert v.page.input_value("#id_ps_pairs_given") == "5"
    v.submit()
    while "/log/" in v.page.url:
        section = v.page.url.rstrip("/").rsplit("/", 1)[1]
        if section == "wellbeing":
            v.choose("swemwbs_1", "5")
        v.submit()
    second = Log.objects.exclude(pk=first.pk).get(participant=participant)
    assert second.kind == "monthly" and second.answers["ps_pairs_given"] == 5
    assert second.answers["swemwbs_1"] == 5
    v.page.go_back()  # the browser's back button and a resubmission: still two logs
    if v.page.locator("main form button[type=submit]").count():
        v.submit()
    else:  # the last page, fetched again, leads to the link: nothing more is due
        assert "Your log is up to date" in v.page.locator("h1").inner_text()
    assert Log.objects.filter(participant=participant).count() == 2
    v.goto(link.rstrip("/") + "/progress/")
    v.check("progress")


def test_registration_in_arabic_right_to_left(visit, issued_id, project_factory):
    project = project_factory(region="Leeds")
    pid = issued_id(project)
    v = visit("ar")
    v.goto("/")
    v.page.select_option("#language-choice", "ar")
    with v.page.expect_navigation():
        v.page.locator("header form.lang button").press("Enter")
    assert v.page.locator("html").get_attribute("lang") == "ar"
    assert "سجل دعم الأقران" in v.page.locator("header").inner_text()  # interface catalogue
    link = register(v, pid, project, direction="rtl")
    participant = Participant.objects.get(personal_id__code=pid)
    assert participant.language == "ar"
    v.goto("/register/")  # the form texts come from the Arabic definitions
    assert v.page.locator("h1").inner_text() != "Evaluating the Peer Support Programme"

    # The log pages, right to left: the first (quarterly) log, thank-you, my progress.
    v.goto(link)
    v.check("link-first", "rtl")
    v.submit()
    while "/log/" in v.page.url:
        section = v.page.url.rstrip("/").rsplit("/", 1)[1]
        if section == "wellbeing":
            for i in range(1, 8):
                v.choose(f"swemwbs_{i}", "3")
        v.check(f"quarterly-{section}", "rtl")
        v.submit()
    v.check("thanks", "rtl")
    log = Log.objects.get(participant=participant)
    assert log.language == "ar" and log.scores["wellbeing_raw"] == 21
    v.goto(link.rstrip("/") + "/progress/")
    v.check("progress", "rtl")
    v.goto(link)  # up to date: when the next log is due, and changing the one sent
    assert v.page.locator("main a[href$='/change/']").count() == 1
    v.check("link-up-to-date", "rtl")
    v.goto(link.rstrip("/") + "/change/wellbeing/")
    v.check("change-wellbeing", "rtl")
    participant.withdrawal = Participant.Withdrawal.NO_CONTACT
    participant.save()
    v.goto(link)
    v.check("withdrawn", "rtl")


# --- Error pages (issue 9 items 3 and 13, issue 10 item 1) ------------------------------------

@contextlib.contextmanager
def database_unavailable():
    """For this thread's connection: SQLite write-locked by another connection with a tiny
    busy timeout; PostgreSQL pointed at a closed port (as in tests/security)."""
    settings_dict = connection.settings_dict
    connection.close()
    key, value = (("OPTIONS", {**settings_dict["OPTIONS"], "timeout": 0.05})
                  if connection.vendor == "sqlite" else ("PORT", "1"))
    saved = settings_dict[key]
    settings_dict[key] = value
    holder = None
    if connection.vendor == "sqlite":
        holder = sqlite3.connect(settings_dict["NAME"], isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        if holder is not None:
            holder.execute("ROLLBACK")
            holder.close()
        connection.close()
        settings_dict[key] = saved


def show(v: Visit, html: str) -> None:
    """Put a page fetched outside the browser into it (same origin, so its style sheet loads)."""
    v.goto("/static/capture/participant.css")
    v.page.set_content(html)


@pytest.mark.parametrize("language,direction", [("en", "ltr"), ("ar", "rtl")])
def test_error_pages_are_kind_and_accessible(visit, participant_factory, issued_id,
                                            project_factory, language, direction):
    v = visit(f"errors-{language}")
    v.context.add_cookies([{"name": "django_language", "value": language, "url": v.base}])
    v.goto("/no-such-page/")
    assert v.page.locator("h1").inner_text() in ("Page not found", "الصفحة غير موجودة")
    v.check("404", direction)

    person = participant_factory(language=language)
    token = links.new_token(person, "test")
    v.goto(f"/l/{token[:-1]}/")
    assert v.page.locator("main a[href='/link/new/']").count() == 1
    v.check("link-unknown", direction)
    PersonalLink.objects.filter(participant=person).update(
        expires_at=timezone.now() - dt.timedelta(days=1))
    v.goto(f"/l/{token}/")
    v.check("link-expired", direction)
    with v.page.expect_navigation():
        v.page.locator("main a[href='/link/new/']").press("Enter")
    assert v.page.locator("#id_personal_id").is_visible()
    v.check("new-link", direction)
    v.submit()  # nothing typed: a message at the field
    assert v.page.locator("#id_personal_id-error").is_visible()
    v.check("new-link-error", direction)
    v.page.fill("#id_personal_id", person.personal_id.code)
    v.submit()
    assert v.page.url.endswith("/link/new/sent/")
    v.check("new-link-sent", direction)

    # The security cookie is gone (cleared, or a long pause): a kind 403, then carry on.
    v.goto("/register/consent/")
    v.context.clear_cookies()
    v.context.add_cookies([{"name": "django_language", "value": language, "url": v.base}])
    for code in ("consent_information", "consent_reminders", "consent_data_use"):
        v.choose(code, "yes")
    v.submit()
    assert v.page.locator("h1").inner_text() in ("Your page had expired", "انتهت صلاحية صفحتك")
    v.check("csrf", direction)
    with v.page.expect_navigation():
        v.page.locator("main a[href='/register/consent/']").press("Enter")
    for code in ("consent_information", "consent_reminders", "consent_data_use"):
        v.choose(code, "yes")
    v.submit()
    assert v.page.url.endswith("/register/id/")

    # The database is down: the page comes back with the answer; another page says sorry.
    client = Client(raise_request_exception=False)
    client.cookies["django_language"] = language
    PersonalLink.objects.filter(participant=person).update(
        expires_at=timezone.now() + dt.timedelta(days=1))
    client.post(f"/l/{token}/")
    page = client.get(f"/l/{token}/log/log_on/").content.decode()
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    other = links.new_token(participant_factory(language=language), "test")
    today = timezone.localdate().isoformat()
    with database_unavailable():
        kept = client.post(f"/l/{token}/log/log_on/", {**fields, "date_completed": today})
        sorry = client.post(f"/l/{other}/")  # "Start my log"
    assert kept.status_code == 503 and sorry.status_code == 503
    show(v, kept.content.decode())
    assert v.page.input_value("#id_date_completed") == today
    v.check("503-log-page", direction)
    show(v, sorry.content.decode())
    v.check("503", direction)


def test_a_lost_link_comes_back_by_email_and_opens_the_due_log(visit, participant_factory,
                                                              settings):
    """Home page -> "Get a new link" -> the personal ID -> the email at a real SMTP server ->
    its link opens the log that is due."""
    from tests.outreach.conftest import SmtpServer, smtp_mailer

    smtp = SmtpServer().start()
    try:
        settings.MAILERS = {**settings.MAILERS, "reminders": smtp_mailer(smtp.port)}
        person = participant_factory()
        ContactDetails.objects.create(participant=person, channels=["email"],
                                      email="lost@example.org")
        v = visit("new-link")
        v.goto("/")
        with v.page.expect_navigation():
            v.page.locator("#lost-link a").press("Enter")
        v.page.fill("#id_personal_id", person.personal_id.code)
        v.submit()
        assert "Check your messages" in v.page.locator("h1").inner_text()
        assert "/l/" not in v.page.content()
        assert len(smtp.messages) == 1 and smtp.messages[0]["to"] == ["lost@example.org"]
        link = re.search(r"https?://\S+/l/([A-Za-z0-9_-]+)/", smtp.messages[0]["body"])
        v.goto(f"/l/{link.group(1)}/")
        v.check("link-from-email")
        v.submit()
        assert v.page.url.endswith("/log/log_on/")
        assert v.page.locator("main h1").count() == 1
    finally:
        smtp.stop()


@pytest.mark.parametrize("language,direction", [("en", "ltr"), ("ar", "rtl")])
def test_help_in_a_crisis_is_one_tap_away(visit, participant_factory, language, direction):
    """The header link to the contacts, the signpost after distressing answers (on the next
    page, and on the thank-you page after the last one), in both directions."""
    import secrets

    from peerlog.capture.models import Draft

    person = participant_factory(language=language)
    token = links.new_token(person, "test")
    Draft.objects.create(
        participant=person, instrument="monthly", submission_key=secrets.token_hex(32),
        done_sections=["log_on", "peer_support", "wellbeing"],
        answers={"date_completed": timezone.localdate().isoformat(),
                 **{f"swemwbs_{i}": 1 for i in range(1, 8)}},
    )
    v = visit(f"crisis-{language}")
    v.goto(f"/l/{token}/log/hope/")
    signpost = v.page.locator("main section.signpost")
    assert signpost.is_visible() and "116 123" in signpost.inner_text()
    v.check("signpost", direction)
    with v.page.expect_navigation():
        v.page.locator("header a[href^='/help/']").press("Enter")
    assert v.page.locator("main a[href='tel:116123']").is_visible()
    v.check("help", direction)
    # Through the remaining pages; the last one says "extremely anxious or depressed".
    v.goto(f"/l/{token}/log/hope/")
    while "/log/" in v.page.url:
        assert v.page.locator("main section.signpost").count() == (
            1 if v.page.url.endswith("/log/hope/") else 0), v.page.url
        if v.page.url.endswith("/log/quality_of_life/"):
            v.choose("eq5d_anxiety", "3")
        v.submit()
    assert v.page.url.endswith("/thanks/")
    assert v.page.locator("main section.signpost").is_visible()
    v.check("thanks-signpost", direction)
    assert Log.objects.get(participant=person).answers["eq5d_anxiety"] == 3
