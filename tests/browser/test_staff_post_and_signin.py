"""Issue 13 items 3b, 7-9 in a real browser at 360 px: the coordinator's post mailing, a new
staff member's authenticator enrolment by QR code with backup codes, and the ID, reminder
and backup-code pages; every page axe-clean and without sideways scrolling."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from tests.browser.test_staff_console import SECRET, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def post_world(django_user_model, project_factory, participant_factory, settings):
    from django.utils import timezone

    from peerlog.capture.models import ContactDetails
    from peerlog.staff.models import StaffProfile, TotpDevice

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    project = project_factory(region="Leeds", name="Harbour Peers")
    person = participant_factory(project=project,
                                 registered_at=timezone.now() - dt.timedelta(days=45))
    ContactDetails.objects.create(participant=person, channels=["post"],
                                  postal="Kim Doe\n1 High Street\nLeeds LS1 1AA")

    def make(role, name, projects=(), device=True):
        user = django_user_model.objects.create_user(name, password="correct horse battery")
        profile = StaffProfile.objects.create(user=user, role=role)
        profile.projects.set(projects)
        if device:
            TotpDevice.objects.create(user=user, secret=SECRET, confirmed=True)
        return user

    return {"project": project, "person": person,
            "coordinator": make("coordinator", "coord", [project]),
            "central": make("central_researcher", "central"),
            "newcomer": make("coordinator", "newcomer", [project], device=False)}


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_coordinators_post_mailing(chromium, axe, live_server, post_world):
    from peerlog.capture.personal_ids import display
    from peerlog.outreach.models import Message

    base = live_server.url
    page = chromium.new_page(viewport={"width": 360, "height": 740})
    sign_in(page, base, "coord")
    page.get_by_role("link", name="Post mailing", exact=True).click()
    page.wait_for_url(f"{base}/staff/post/")
    assert display(post_world["person"].personal_id.code) in page.content()
    assert "High Street" not in page.content()
    assert axe(page) == [] and _fits(page)
    page.get_by_role("button", name=re.compile("Make the mailing")).click()
    page.wait_for_selector(".message.success")
    assert axe(page) == [] and _fits(page)
    assert Message.objects.get(channel="post").state == "sent"
    letters = page.get_by_role("link", name=re.compile("Letters and forms of mailing"))
    labels = page.get_by_role("link", name=re.compile("Address labels of mailing"))
    for link in (letters, labels):
        response = page.request.get(base + link.get_attribute("href"))
        assert response.status == 200 and response.body()[:5] == b"%PDF-"
    # Made again: no new letter.
    page.get_by_role("button", name=re.compile("Make the mailing")).click()
    page.wait_for_selector(".message.info")
    assert Message.objects.filter(channel="post").count() == 1
    page.close()


def test_enrolment_by_qr_code_then_backup_codes(chromium, axe, live_server, post_world):
    from peerlog.staff import totp

    base = live_server.url
    page = chromium.new_page(viewport={"width": 360, "height": 740})
    page.goto(f"{base}/staff/login/")
    page.get_by_label("User name").fill("newcomer")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{base}/staff/login/code/")
    assert page.get_by_role("img", name="QR code of your authenticator key").is_visible()
    assert axe(page) == [] and _fits(page)
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Six-digit code from your authenticator app").fill(totp.totp(secret))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/staff/backup-codes/?first=1")
    assert "Your authenticator is set up" in page.content()
    assert axe(page) == [] and _fits(page)
    page.get_by_role("button", name="Make new backup codes").click()
    codes = page.locator("#backup-codes code").all_inner_texts()
    assert len(codes) == 10
    assert axe(page) == [] and _fits(page)
    # Signed out, then in again with a backup code in place of the authenticator.
    page.context.clear_cookies()
    page.goto(f"{base}/staff/login/")
    page.get_by_label("User name").fill("newcomer")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Six-digit code from your authenticator app").fill(codes[0])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/staff/")
    page.close()


def test_id_reminder_and_backup_code_pages_are_axe_clean_at_360_px(chromium, axe, live_server,
                                                                   post_world):
    base = live_server.url
    batch = post_world["person"].personal_id.batch_id
    for user in ("coord", "central"):
        page = chromium.new_page(viewport={"width": 360, "height": 740})
        sign_in(page, base, user)
        for path in ("/staff/ids/", f"/staff/ids/{batch}/", "/staff/reminders/",
                     "/staff/backup-codes/"):
            page.goto(base + path)
            assert (user, path, axe(page), _fits(page)) == (user, path, [], True)
        page.close()
