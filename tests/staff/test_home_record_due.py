"""Issue 13, items 1-3 and 11: the home page per role, a person's record (search, log page,
correction with version history) and the due list."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest

from peerlog.capture import personal_ids
from peerlog.capture.models import AuditEvent, Log


def _text(response) -> str:
    return response.content.decode()


# --- Home -------------------------------------------------------------------------------------

def test_coordinator_home_says_what_needs_doing_with_links(client, world):
    client.force_login(world.staff["coordinator"])
    page = _text(client.get("/staff/"))
    # pa's last log is in 2016: overdue, and they chose email.
    assert "0 people due a log" in page and "1 overdue" in page
    assert 'href="/staff/due/?channel=email&amp;status=overdue">1</a>' in page
    assert "1 paper log waiting for its second entry" in page
    assert "1 double entry that differs, to resolve" in page
    assert "data-quality problem" in page and 'href="/staff/quality/"' in page
    assert "0 reminder messages need a person" in page
    assert "latest analysis report" not in page  # researchers only


def test_coordinator_home_links_the_post_mailing_when_someone_due_chose_post(client, world):
    from peerlog.capture.models import ContactDetails

    client.force_login(world.staff["coordinator"])
    assert "chose post" not in _text(client.get("/staff/"))  # pa chose email
    ContactDetails.objects.update_or_create(participant=world.pa,
                                            defaults={"channels": ["email", "post"]})
    page = _text(client.get("/staff/"))
    assert "1 person due a log chose post: make this month" in page
    assert '<li><a href="/staff/post/">1 person due a log chose post' in page
    client.force_login(world.staff["regional_researcher"])  # researchers make no mailing
    assert "chose post" not in _text(client.get("/staff/"))


def test_other_coordinator_home_counts_only_their_project(client, world):
    client.force_login(world.staff["other_coordinator"])
    page = _text(client.get("/staff/"))
    assert "0 overdue" in page and "0 paper logs waiting" in page


def test_researcher_home_links_the_report(client, world):
    client.force_login(world.staff["regional_researcher"])
    page = _text(client.get("/staff/"))
    assert 'href="/staff/reports/"' in page and "1 overdue" in page


def test_commissioner_home_shows_suppressed_headlines_only(client, world):
    client.force_login(world.staff["commissioner"])
    page = _text(client.get("/staff/"))
    assert "Headline figures" in page and "&lt;5" in page
    # Two registered, one with a log: "1 with logs" would tell the other one apart.
    assert "<dd>[c]</dd>" in page and "<dd>1</dd>" not in page and "<dd>2</dd>" not in page
    assert world.pa.personal_id.code not in page and "/staff/due/" not in page
    assert 'href="/staff/reports/"' in page


def test_administrator_home_lists_accounts_needing_attention(client, world):
    from peerlog.staff.models import StaffProfile

    StaffProfile.objects.filter(user=world.staff["coordinator"]).update(
        must_change_password=True)
    client.force_login(world.staff["administrator"])
    page = _text(client.get("/staff/"))
    assert "1 account waiting for its owner to choose a password" in page
    assert 'href="/staff/accounts/"' in page and "/staff/due/" not in page


# --- Finding a person ---------------------------------------------------------------------------

def test_search_by_personal_id_with_spaces_opens_the_record(client, world):
    client.force_login(world.staff["coordinator"])
    spaced = personal_ids.display(world.pa.personal_id.code)
    response = client.get("/staff/participants/", {"personal_id": spaced})
    assert response.status_code == 302
    assert response["Location"] == f"/staff/participants/{world.pa.pk}/"


def test_search_with_a_wrong_check_digit_says_so(client, world):
    client.force_login(world.staff["coordinator"])
    code = world.pa.personal_id.code
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    page = _text(client.get("/staff/participants/", {"personal_id": wrong}))
    assert "its last digit does not match" in page and f'value="{wrong}"' in page


def test_an_id_outside_scope_answers_like_one_no_one_has(client, world):
    client.force_login(world.staff["other_coordinator"])
    unknown = personal_ids.new_id(5, {world.pa.personal_id.code, world.pb.personal_id.code})
    outside = _text(client.get("/staff/participants/", {"personal_id": world.pa.personal_id.code}))
    nobody = _text(client.get("/staff/participants/", {"personal_id": unknown}))
    assert "No one found with personal ID" in outside

    def neutral(page, code):
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)
        return page.replace(personal_ids.display(code), "X").replace(code, "X")

    assert neutral(outside, world.pa.personal_id.code) == neutral(nobody, unknown)


def test_participant_page_shows_logs_as_links_due_status_and_next_form(client, world):
    client.force_login(world.staff["coordinator"])
    page = _text(client.get(f"/staff/participants/{world.pa.pk}/"))
    assert f'href="/staff/logs/{world.log.pk}/"' in page
    assert "Overdue (due since" in page and "Email" in page
    # pa has three logs that count (online, held, differing): the 4th is quarterly.
    assert "Quarterly" in page
    assert "same_day_duplicate" not in page and ">monthly<" not in page


# --- A log: answers with labels, correction, version history -----------------------------------

def test_log_page_shows_answers_by_label_and_is_audited(client, world):
    client.force_login(world.staff["coordinator"])
    page = _text(client.get(f"/staff/logs/{world.log.pk}/"))
    assert "Monthly" in page and "English" in page
    assert "Informal peer support" in page
    assert AuditEvent.objects.filter(action="log.view", target_id=str(world.log.pk)).count() == 1


def _swemwbs_option(world):
    from peerlog.instruments import load_instrument

    item = load_instrument("monthly").item("swemwbs_1")
    return item, [o for o in item.options if o.value != world.log.answers["swemwbs_1"]][0]


def test_correcting_several_answers_by_label_rescored_audited_with_history(client, world):
    client.force_login(world.staff["coordinator"])
    item, option = _swemwbs_option(world)
    before_score = Log.objects.get(pk=world.log.pk).scores
    response = client.post(f"/staff/logs/{world.log.pk}/", {
        "a-swemwbs_1": str(option.value), "a-ps_informal_given": "7",
        "reason": "typing slip against the paper"})
    assert response.status_code == 302
    log = Log.objects.get(pk=world.log.pk)
    assert log.answers["swemwbs_1"] == option.value and log.answers["ps_informal_given"] == 7
    assert log.scores != before_score
    event = AuditEvent.objects.get(action="log.change", target_id=str(log.pk))
    assert event.detail["changed"]["answers"]["ps_informal_given"] == [2, 7]
    assert "typing slip" in event.detail["reason"]
    page = _text(client.get(f"/staff/logs/{log.pk}/"))
    assert "Version history" in page and "typing slip against the paper" in page
    assert f"now “{option.text}”" in page


def test_a_correction_without_reason_keeps_what_was_typed_and_changes_nothing(client, world):
    client.force_login(world.staff["coordinator"])
    before = (Log.objects.get(pk=world.log.pk).answers, AuditEvent.objects.count())
    response = client.post(f"/staff/logs/{world.log.pk}/",
                           {"a-ps_informal_given": "9", "reason": ""})
    assert response.status_code == 400
    page = _text(response)
    assert "Say why the log is being corrected" in page and 'value="9"' in page
    assert (Log.objects.get(pk=world.log.pk).answers, AuditEvent.objects.count()) == before


def test_a_wrong_number_is_shown_at_its_field(client, world):
    client.force_login(world.staff["coordinator"])
    response = client.post(f"/staff/logs/{world.log.pk}/",
                           {"a-ps_informal_given": "seven", "reason": "typing slip"})
    assert response.status_code == 400
    page = _text(response)
    assert 'id="a-ps_informal_given-error"' in page and 'value="seven"' in page
    assert Log.objects.get(pk=world.log.pk).answers["ps_informal_given"] == 2


@pytest.mark.parametrize("role", ["other_coordinator", "other_regional_researcher"])
def test_correcting_another_projects_log_is_404_and_changes_nothing(client, world, role):
    client.force_login(world.staff[role])
    before = (dict(Log.objects.get(pk=world.log.pk).answers), AuditEvent.objects.count())
    response = client.post(f"/staff/logs/{world.log.pk}/",
                           {"a-ps_informal_given": "50", "reason": "not mine to change"})
    assert response.status_code == 404 and b"ps_informal_given" not in response.content
    assert (Log.objects.get(pk=world.log.pk).answers, AuditEvent.objects.count()) == before


@pytest.mark.parametrize("role", ["commissioner", "administrator"])
def test_commissioners_and_administrators_may_not_correct(client, world, role):
    client.force_login(world.staff[role])
    response = client.post(f"/staff/logs/{world.log.pk}/",
                           {"a-ps_informal_given": "50", "reason": "not mine to change"})
    assert response.status_code == 403
    assert Log.objects.get(pk=world.log.pk).answers["ps_informal_given"] == 2


def test_history_after_withdrawal_shows_no_old_answers(client, world):
    from peerlog.capture.withdrawal import REMOVED
    from peerlog.staff.services import change_log

    change_log(world.unregistered, world.staff["coordinator"], "correction: test",
               answers={**world.unregistered.answers, "ps_informal_given": 31})
    AuditEvent.objects.filter(action="log.change").update(
        detail={"reason": "correction: test",
                "changed": {"answers": {"ps_informal_given": [REMOVED, REMOVED]}}})
    client.force_login(world.staff["coordinator"])
    page = _text(client.get(f"/staff/logs/{world.unregistered.pk}/"))
    assert REMOVED in page and "“31”" not in page


# --- Due list -------------------------------------------------------------------------------

def test_due_list_filters_and_csv(client, world, participant_factory):
    from peerlog.capture.models import ContactDetails

    post = participant_factory(project=world.a)
    post.registered_at = post.registered_at - dt.timedelta(days=30)
    post.save()
    ContactDetails.objects.create(participant=post, channels=["post"], postal="x")
    client.force_login(world.staff["coordinator"])
    page = _text(client.get("/staff/due/"))
    assert personal_ids.display(world.pa.personal_id.code) in page
    assert personal_ids.display(post.personal_id.code) in page
    only_post = _text(client.get("/staff/due/", {"channel": "post"}))
    assert personal_ids.display(world.pa.personal_id.code) not in only_post
    assert personal_ids.display(post.personal_id.code) in only_post
    response = client.get("/staff/due/", {"channel": "email", "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["personal_id", "project", "next_form", "channels", "last_log",
                       "days_overdue", "status"]
    assert [r[0] for r in rows[1:]] == [world.pa.personal_id.code]
    assert rows[1][2] == "quarterly" and rows[1][6] == "overdue"
    assert AuditEvent.objects.filter(action="due.export").count() == 1


def test_due_list_never_shows_another_projects_people(client, world):
    client.force_login(world.staff["other_coordinator"])
    for query in ({}, {"project": str(world.a.pk)}, {"format": "csv",
                                                    "project": str(world.a.pk)}):
        body = _text(client.get("/staff/due/", query))
        assert world.pa.personal_id.code not in body
        assert personal_ids.display(world.pa.personal_id.code) not in body


# --- Plain wording (item 11) --------------------------------------------------------------------

def test_staff_pages_show_labels_not_codes(client, world):
    from peerlog.capture.services import store_log

    store_log(scope=None, instrument="monthly_short", answers={"ps_informal_given": 1},
              typed_personal_id=world.pa.personal_id.code, completed_on=world.log.completed_on,
              mode="online", submission_key="w13-dup")
    client.force_login(world.staff["coordinator"])
    pages = {url: _text(client.get(url)) for url in (
        f"/staff/participants/{world.pa.pk}/", "/staff/quality/", "/staff/entry/",
        f"/staff/entry/{world.a.pk}/monthly/en/", "/staff/paper/",
        f"/staff/quality/log/{world.unregistered.pk}/unregistered_id/")}
    for url, page in pages.items():
        page = re.sub(r'(href|value|action)="[^"]*"', "", page)  # codes in addresses are fine
        assert "same_day_duplicate" not in page, url
        assert "monthly_short" not in page, url
        assert "Language of the form: en" not in page, url
    assert "Two logs of one person on the same day" in pages[f"/staff/participants/{world.pa.pk}/"]
    assert "Monthly Peer Support Log (short version)" in pages["/staff/paper/"]
    assert "English" in pages[f"/staff/entry/{world.a.pk}/monthly/en/"]


def test_one_differing_field_is_singular(client, project_factory, participant_factory,
                                         make_staff):
    from tests.staff.test_double_entry import form_data

    project = project_factory(double_entry=True)
    person = participant_factory(project=project)
    first, second = (make_staff("coordinator", f"typist{i}", projects=[project]) for i in (1, 2))
    client.force_login(first)
    client.post(f"/staff/entry/{project.pk}/monthly/en/", form_data(person.personal_id.code))
    log = Log.objects.get()
    client.force_login(second)
    response = client.post(f"/staff/entry/log/{log.pk}/second/", form_data(
        person.personal_id.code, **{"peer_support-ps_informal_given": "8"}), follow=True)
    page = _text(response)
    assert "differ in 1 field;" in page and "1 fields" not in page


def test_batches_are_batches_in_the_admin():
    from peerlog.capture.models import PersonalIdBatch

    assert str(PersonalIdBatch._meta.verbose_name_plural) == "personal ID batches"
