"""The staff console in a real browser: signing in with a code, the paper entry screen by
keyboard, and the monitoring pages; every page axe-clean (WCAG 2.2 A/AA)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def staff(django_user_model, project_factory, participant_factory, settings):
    from peerlog.capture.services import store_log
    from peerlog.staff.models import StaffProfile, TotpDevice

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    project = project_factory(region="Leeds", name="Harbour Peers")
    other = project_factory(region="Plymouth", name="Moor Group")
    people = [participant_factory(project=p) for p in (project, project, other)]
    for n, person in enumerate(people):
        for month in range(1, 4 - n):
            store_log(scope=None, instrument="monthly" if month % 3 else "quarterly",
                      answers={"ps_informal_given": month}, mode="online",
                      typed_personal_id=person.personal_id.code,
                      completed_on=dt.date(2016, month + n, 10), submission_key=f"b{n}{month}",
                      received_at=dt.datetime(2016, month + n, 10, 12, tzinfo=dt.UTC))

    def make(role, name, projects=()):
        user = django_user_model.objects.create_user(name, password="correct horse battery")
        profile = StaffProfile.objects.create(user=user, role=role)
        profile.projects.set(projects)
        TotpDevice.objects.create(user=user, secret=SECRET, confirmed=True)
        return user

    return {"project": project, "person": people[0],
            "coordinator": make("coordinator", "coord", [project]),
            "central": make("central_researcher", "central"),
            "commissioner": make("commissioner", "commissioner")}


def sign_in(page, base, name, axe=None):
    from peerlog.staff import totp

    page.goto(f"{base}/staff/login/")
    if axe:
        assert axe(page) == []
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Six-digit code from your authenticator app").fill(totp.totp(SECRET))
    if axe:
        assert axe(page) == []
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/staff/")


def test_paper_entry_by_keyboard_stores_ticks_as_ticks(chromium, axe, live_server, staff):
    from peerlog.capture.models import Log

    page = chromium.new_page()
    sign_in(page, live_server.url, "coord", axe)
    assert axe(page) == []
    page.goto(f"{live_server.url}/staff/entry/")
    assert axe(page) == []
    page.get_by_label("Form", exact=True).select_option("monthly")
    page.get_by_role("button", name="Open the entry screen").click()
    page.wait_for_url("**/monthly/en/")
    assert "Paper entry: Monthly Peer Support Log" in page.content()
    assert axe(page) == []
    # Keyboard only, in the order of the paper: ID, date, then the grid row by row.
    page.get_by_label("Personal ID").focus()
    page.keyboard.type(staff["person"].personal_id.code)
    page.keyboard.press("Tab")
    page.keyboard.type("01/03/16")  # the date, typed as written on the paper
    page.keyboard.press("Tab")
    for value in ["2", "3", "t", "0", "1"]:  # informal given/received, one-to-one, pairs...
        page.keyboard.type(value)
        page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.name")
    assert focused == "peer_support-ps_pairs_received"  # tab order follows the paper grid
    page.get_by_role("radio", name="I've been feeling useful: Often").check()
    page.get_by_role("button", name="Store this log").click()
    # A date more than three months back: the page comes back with everything typed kept
    # and a box to confirm the date against the paper.
    confirm = page.get_by_label("I have checked the paper: the date is more than three "
                                "months ago")
    assert axe(page) == [] and Log.objects.filter(mode="paper").count() == 0
    assert page.get_by_label("Personal ID").input_value() == staff["person"].personal_id.code
    confirm.check()
    page.get_by_role("button", name="Store this log").click()
    page.wait_for_selector(".message.success")
    assert axe(page) == []
    log = Log.objects.get(mode="paper")
    assert log.answers["ps_one_to_one_given"] == "ticked" and "ticks" in log.flags
    assert log.answers["ps_informal_received"] == 3 and log.answers["swemwbs_2"] == 4
    assert log.completed_on == dt.date(2016, 3, 1) and log.status == "complete"
    # A value that cannot be right is shown at its box, and nothing is stored.
    page.get_by_label("Personal ID").fill("1")
    page.get_by_label("Informal peer support – Giving support").fill("many")
    page.get_by_role("button", name="Store this log").click()
    assert "Enter the number written on the form" in page.content()
    assert axe(page) == []
    assert Log.objects.filter(mode="paper").count() == 1
    page.close()


@pytest.mark.parametrize("role", ["central", "commissioner", "coord"])
def test_monitoring_pages_are_axe_clean_with_charts_tables_and_csv(
        chromium, axe, live_server, staff, role):
    page = chromium.new_page()
    sign_in(page, live_server.url, role)
    page.goto(f"{live_server.url}/staff/monitoring/")
    assert axe(page) == []
    headings = page.locator("h2").all_inner_texts()
    assert headings[0] == "Totals"
    assert headings[1].startswith("Projects: retention")  # retention before recruitment
    assert page.locator("svg[role=img]").count() == 3
    for name in ("registrations", "logs", "since_first"):
        assert page.locator(f"#table-{name}").is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download “Logs completed per month by region” as CSV"
                         ).click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.startswith("month,")
    page.close()


def test_other_staff_pages_are_axe_clean(chromium, axe, live_server, staff):
    page = chromium.new_page()
    sign_in(page, live_server.url, "central")
    for path in ("/staff/", "/staff/quality/", "/staff/participants/", "/staff/due/",
                 f"/staff/participants/{staff['person'].pk}/", "/staff/ids/", "/staff/paper/",
                 "/staff/audit/", "/staff/exports/"):
        page.goto(live_server.url + path)
        assert (path, axe(page)) == (path, [])
    page.close()


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_coordinators_month_home_due_list_record_and_correction(chromium, axe, live_server,
                                                                staff):
    """Issue 13 items 1-2-3: from the home page to the due list, the person's record, one of
    their logs, and a correction by label with a reason; every page axe-clean at 360 px."""
    from peerlog.capture.models import AuditEvent, Log
    from peerlog.capture.personal_ids import display
    from peerlog.instruments import load_instrument

    person = staff["person"]
    log = Log.objects.filter(participant=person).order_by("completed_on").first()
    page = chromium.new_page(viewport={"width": 360, "height": 740})
    base = live_server.url
    sign_in(page, base, "coord")
    assert axe(page) == [] and _no_sideways_scroll(page)
    page.locator('a[href="/staff/due/?status=overdue"]').click()
    page.wait_for_url(f"{base}/staff/due/?status=overdue")
    assert axe(page) == [] and _no_sideways_scroll(page)
    page.get_by_role("link", name=display(person.personal_id.code)).click()
    page.wait_for_url(f"{base}/staff/participants/{person.pk}/")
    assert axe(page) == [] and _no_sideways_scroll(page)
    assert "Overdue" in page.locator("#due-status").inner_text()
    page.get_by_role("link", name=f"Open log {log.pk}").click()
    page.wait_for_url(f"{base}/staff/logs/{log.pk}/")
    assert axe(page) == [] and _no_sideways_scroll(page)
    item = load_instrument(log.instrument).item("swemwbs_1")
    page.locator("#a-swemwbs_1").select_option(label=item.options[0].text)
    page.get_by_role("button", name="Save the correction").click()  # no reason yet
    assert "Say why" in page.locator("#correction-error").inner_text()
    assert axe(page) == []
    assert page.locator("#a-swemwbs_1").input_value() == str(item.options[0].value)
    page.get_by_label("Why is this log being corrected? (required)").fill("typing slip")
    page.get_by_role("button", name="Save the correction").click()
    page.wait_for_url(f"{base}/staff/logs/{log.pk}/")
    assert "typing slip" in page.locator(".history").inner_text()
    assert axe(page) == []
    assert Log.objects.get(pk=log.pk).answers["swemwbs_1"] == item.options[0].value
    assert AuditEvent.objects.filter(action="log.change", target_id=str(log.pk)).exists()
    page.goto(f"{base}/staff/participants/")
    page.get_by_label("Find a person by personal ID").fill(display(person.personal_id.code))
    page.get_by_role("button", name="Find").click()
    page.wait_for_url(f"{base}/staff/participants/{person.pk}/")
    page.close()


@pytest.mark.parametrize("who", ["central", "commissioner"])
def test_home_pages_of_other_roles_are_axe_clean_at_360_px(chromium, axe, live_server, staff,
                                                           who):
    page = chromium.new_page(viewport={"width": 360, "height": 740})
    sign_in(page, live_server.url, who)
    assert axe(page) == [] and _no_sideways_scroll(page)
    page.close()


def post_mailing_step(page, base, check) -> None:
    """The monthly post mailing (issue 13 item 3), between the due list and paper entry: the
    coordinator reaches it from the navigation and it names the project preselected. Making
    the mailing and its PDFs is walked through in test_staff_post_and_signin.py."""
    page.get_by_role("link", name="Post mailing", exact=True).click()
    page.wait_for_url(f"{base}/staff/post/**")
    assert page.get_by_role("heading", level=1).inner_text() == "Post mailing"
    assert page.get_by_role("heading", name=re.compile("Due by post in")).count() == 1
    check(page)


def test_coordinators_month_due_list_paper_entry_queue_double_entry_monitoring(
        chromium, axe, live_server, staff, django_user_model):
    """Issue 13 'done means': home -> due list -> (post mailing) -> paper entry with the
    check-digit question -> correction in the quality queue -> double-entry resolution ->
    monitoring; every page axe-clean and without sideways scroll at 360 px."""
    from django.utils import timezone

    from peerlog.capture import personal_ids
    from peerlog.capture.models import Log
    from peerlog.capture.services import store_log
    from peerlog.instruments import load_instrument
    from peerlog.staff.models import PaperEntry, StaffProfile

    project, person = staff["project"], staff["person"]
    clerks = []
    for name in ("clerk1", "clerk2"):
        clerk = django_user_model.objects.create_user(name, password="x")
        StaffProfile.objects.create(user=clerk, role="coordinator").projects.set([project])
        clerks.append(clerk)
    pid = person.personal_id.code
    held, _ = store_log(scope=None, instrument="monthly", answers={"swemwbs_1": 4},
                        typed_personal_id=pid, completed_on=dt.date(2016, 5, 2), mode="paper",
                        submission_key="held", status=Log.Status.HELD)
    for kind, clerk, values in (("first", clerks[0], {"swemwbs_1": 4, "ps_informal_given": 8}),
                                ("second", clerks[1], {"swemwbs_1": 2, "ps_informal_given": 3})):
        PaperEntry.objects.create(log=held, project=project, kind=kind, entered_by=clerk,
                                  values={"personal_id": pid, "date_completed": "2016-05-02",
                                          **values})
    wellbeing = load_instrument("monthly").item("swemwbs_1")

    def check(page):
        assert axe(page) == [] and _no_sideways_scroll(page), page.url

    base = live_server.url
    page = chromium.new_page(viewport={"width": 360, "height": 740})
    sign_in(page, base, "coord")
    check(page)
    # 1. Who is due: from the home page to the overdue people.
    page.locator('a[href="/staff/due/?status=overdue"]').first.click()
    page.wait_for_url(f"{base}/staff/due/?status=overdue")
    check(page)
    post_mailing_step(page, base, check)
    # 2. Paper entry: "130 046" has a wrong check digit; the typist is asked, and keeps
    # everything typed.
    assert not personal_ids.is_valid("130046")
    page.goto(f"{base}/staff/entry/")
    check(page)
    page.get_by_label("Form", exact=True).select_option("monthly")
    page.get_by_role("button", name="Open the entry screen").click()
    page.wait_for_url("**/monthly/en/")
    check(page)
    page.get_by_label("Personal ID", exact=True).fill("130 046")
    page.get_by_label("Date on the form (dd/mm/yy)").fill(
        (timezone.localdate() - dt.timedelta(days=3)).strftime("%d/%m/%y"))
    page.locator('[name="peer_support-ps_informal_given"]').fill("t")
    page.get_by_role("button", name="Store this log").click()
    confirm = page.get_by_label("I have checked the paper: store the personal ID as written")
    assert "check digit" in page.content() and not Log.objects.filter(
        typed_personal_id="130046").exists()
    assert page.get_by_label("Personal ID", exact=True).input_value() == "130 046"
    assert page.locator('[name="peer_support-ps_informal_given"]').input_value() == "t"
    check(page)
    confirm.check()
    page.get_by_role("button", name="Store this log").click()
    page.wait_for_selector(".message.success")
    typed = Log.objects.get(typed_personal_id="130046")
    assert typed.answers["ps_informal_given"] == "ticked" and "unregistered_id" in typed.flags
    # 3. The quality queue: correct the tick and a wellbeing answer, chosen by label.
    page.goto(f"{base}/staff/quality/")
    check(page)
    page.locator(f'a[href="/staff/quality/log/{typed.pk}/ticks/"]').click()
    page.wait_for_url(f"**/quality/log/{typed.pk}/ticks/")
    check(page)
    page.get_by_label("Correct answers (as on the paper)").check()
    page.locator("#a-ps_informal_given").fill("2")
    page.locator("#a-swemwbs_1").select_option(label=wellbeing.options[1].text)
    page.get_by_role("button", name="Resolve").click()
    page.wait_for_url(f"{base}/staff/quality/")
    typed.refresh_from_db()
    assert typed.answers["ps_informal_given"] == 2
    assert typed.answers["swemwbs_1"] == wellbeing.options[1].value
    # 4. Double entry: the third person finds the paper by ID and date, and types what the
    # paper shows where neither entry is right.
    page.goto(f"{base}/staff/entry/")
    page.get_by_role("link", name=f"Resolve log {held.pk}").click()
    page.wait_for_url(f"**/entry/log/{held.pk}/resolve/")
    check(page)
    assert personal_ids.display(pid) in page.locator("#paper-to-find").inner_text()
    assert "02/05/2016" in page.locator("#paper-to-find").inner_text()
    page.locator("#p3-ps_informal_given").check()
    page.locator("#a-ps_informal_given").fill("5")
    page.locator("#p2-swemwbs_1").check()
    page.get_by_role("button", name="Resolve and count this log").click()
    page.wait_for_selector(".message.success")
    held.refresh_from_db()
    assert held.status == Log.Status.COMPLETE and held.answers["ps_informal_given"] == 5
    # 5. Monitoring: totals first; the overdue figure leads back to the due list.
    page.goto(f"{base}/staff/monitoring/")
    check(page)
    page.locator("#overdue-link").click()
    page.wait_for_url(f"{base}/staff/due/?status=overdue")
    page.close()
