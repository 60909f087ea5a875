"""Programme settings on participant pages and paper forms (issue 10, item 4), the
information page, the last log quarterly at a leaving date or the programme's end (item 6),
and online logs counted by their day of receipt (the backdating loophole)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from tests.capture.test_pages_logs import complete_log, page_data
from tests.staff.test_pdfs import pdf_text

from peerlog.capture import links, programme, schedule
from peerlog.capture.models import AuditEvent, Draft, Log, Participant, ProgrammeSettings
from peerlog.capture.services import store_log
from peerlog.staff.pdf import paper_form_pdf

pytestmark = pytest.mark.django_db

DAYS = 28


@pytest.fixture(autouse=True)
def _fresh_programme_cache():
    """Settings saved in a test are rolled back; their cached copy must go too (also used by
    tests/staff/test_settings_console.py and tests/browser/test_programme_settings.py)."""
    programme.forget()
    yield
    programme.forget()


def _settings(**values) -> ProgrammeSettings:
    row = ProgrammeSettings.objects.filter(pk=1).first() or ProgrammeSettings()
    for name, value in values.items():
        setattr(row, name, value)
    row.save()
    return row


def _log(person, days_ago: int, *, kind="quarterly", mode="online", received_days_ago=None):
    today = timezone.localdate()
    received = timezone.now() - dt.timedelta(
        days=days_ago if received_days_ago is None else received_days_ago)
    log, _ = store_log(scope=None, instrument=kind, answers={},
                       typed_personal_id=person.personal_id.code,
                       completed_on=today - dt.timedelta(days=days_ago), mode=mode,
                       submission_key=f"k{Log.objects.count()}", received_at=received)
    return log


# --- settings shown where participants and paper read them ----------------------------------

def test_an_empty_database_keeps_todays_values():
    now = programme.current()
    assert now.partners == "Mind, Bipolar UK and Depression Alliance"
    assert (now.prize_individual, now.prize_project, now.prize_final) == ("£25", "£50", "£50")
    assert now.start == dt.date(2015, 9, 1) and now.end is None
    assert [c["phone"] for c in programme.crisis_contacts()] == ["999", "116 123", "111"]


def test_changed_settings_show_on_registration_pages_and_paper_forms(client, tmp_path):
    before = client.get("/register/").content.decode()
    assert "Mind, Bipolar UK and Depression Alliance" in before
    _settings(partners="Leeds Mind and Touchstone", prize_individual="£40",
              prize_project="£80")
    page = client.get("/register/").content.decode()
    assert "Leeds Mind and Touchstone" in page and "£40" in page and "£80" in page
    assert "Mind, Bipolar UK and Depression Alliance" not in page
    paper = pdf_text(paper_form_pdf("registration", "en"), tmp_path)
    assert "Leeds Mind and Touchstone" in " ".join(paper.split())
    assert "Depression Alliance" not in paper


def test_the_settings_are_read_from_the_cache_not_the_database(django_assert_num_queries):
    programme.current()
    with django_assert_num_queries(0):
        programme.instrument_settings()
        programme.current()
    _settings(support_name="Leeds peer support team")  # saving forgets the cached copy
    assert programme.current().support_name == "Leeds peer support team"


def test_programme_crisis_contacts_replace_the_national_ones(client):
    _settings(crisis_contacts=[{"name": "Leeds crisis line", "phone": "0113 000 0000",
                                "when": "6pm to 2am", "text": ""}])
    page = client.get("/help/").content.decode()
    assert "Leeds crisis line" in page and "6pm to 2am" in page and "Samaritans" not in page


def test_information_page_default_and_programme_text(client):
    page = client.get("/information/").content.decode()
    for words in ("What the log is", "What we keep", "Who sees it", "How to stop taking part",
                  "Who to contact", "peerlog-support@example.org",
                  "Mind, Bipolar UK and Depression Alliance"):
        assert words in page, words
    assert len(page.encode()) < 100_000
    assert 'href="/information/"' in client.get("/").content.decode()
    arabic = client.get("/information/", headers={"accept-language": "ar"}).content.decode()
    assert 'dir="rtl"' in arabic and "What we keep" not in arabic
    _settings(information_text="Our own sheet.\n\nSecond <b>paragraph</b>.",
              support_email="help@leeds.example")
    page = client.get("/information/").content.decode()
    assert "<p>Our own sheet.</p>" in page and "Second &lt;b&gt;paragraph" in page
    assert "What we keep" not in page and "help@leeds.example" in page


def test_the_consent_step_links_the_information_sheet(client, issued_id, project_factory,
                                                      registration_posts):
    project = project_factory()
    for step, data in registration_posts(issued_id(project), project):
        if step == "consent":
            page = client.get(f"/register/{step}/").content.decode()
            assert 'href="/information/"' in page and "Read the information sheet" in page
            return
        client.post(f"/register/{step}/" if step else "/register/", data)
    pytest.fail("no consent step")


# --- the last log is quarterly ---------------------------------------------------------------

def test_a_leaving_date_makes_the_log_due_then_quarterly(participant_factory):
    person = participant_factory()
    _log(person, 40)  # log 1 (quarterly); log 2 would be monthly
    assert schedule.due_instrument(person) == "monthly"
    person.leaving_on = timezone.localdate() + dt.timedelta(days=DAYS + 5)
    assert schedule.due_instrument(person) == "monthly"  # another log falls due before
    person.leaving_on = timezone.localdate() + dt.timedelta(days=10)
    assert schedule.due_instrument(person) == "quarterly"
    assert schedule.is_due(person)
    _log(person, 0)  # the last log, sent
    assert schedule.finished(person) and not schedule.is_due(person)
    assert not schedule.is_due(person, timezone.localdate() + dt.timedelta(days=90))
    assert schedule.next_due_on(person) is None


def test_the_programme_end_makes_the_last_log_quarterly(participant_factory):
    person = participant_factory()
    _log(person, 40)
    _settings(programme_end=timezone.localdate() + dt.timedelta(days=3))
    assert schedule.due_instrument(person) == "quarterly"
    # A leaving date after the programme's end changes nothing: the earlier end counts.
    person.leaving_on = timezone.localdate() + dt.timedelta(days=300)
    assert schedule.due_instrument(person) == "quarterly"


def test_a_monthly_log_sent_before_the_end_was_known_brings_the_last_one_forward(
        participant_factory):
    person = participant_factory()
    _log(person, 60)
    _log(person, 2, kind="monthly")
    end = timezone.localdate() + dt.timedelta(days=10)
    person.leaving_on = end
    assert not schedule.finished(person)
    assert schedule.next_due_on(person) == end  # not 26 days from now: at the leaving date
    assert not schedule.is_due(person) and schedule.is_due(person, end)
    assert schedule.due_instrument(person) == "quarterly"


def test_the_participant_says_they_are_leaving_and_gets_the_quarterly_log(client,
                                                                          participant_factory):
    person = participant_factory()
    _log(person, 30)
    token = links.new_token(person, "test")
    assert f'href="/l/{token}/leaving/"' in client.get(f"/l/{token}/").content.decode()
    wrong = client.post(f"/l/{token}/leaving/", {"leaving_on": "31/02/2027"})
    assert "Enter the date as day/month/year" in wrong.content.decode()
    assert 'value="31/02/2027"' in wrong.content.decode()
    past = client.post(f"/l/{token}/leaving/", {"leaving_on": "01/01/2020"})
    assert "This date has passed" in past.content.decode()
    assert Participant.objects.get(pk=person.pk).leaving_on is None
    leaving = timezone.localdate() + dt.timedelta(days=7)
    response = client.post(f"/l/{token}/leaving/", {"leaving_on": leaving.strftime("%d/%m/%Y")})
    assert response["Location"] == f"/l/{token}/"
    client.post(f"/l/{token}/leaving/", {"leaving_on": leaving.strftime("%d/%m/%Y")})
    assert Participant.objects.get(pk=person.pk).leaving_on == leaving
    assert AuditEvent.objects.filter(action="participant.leaving",
                                     target_id=str(person.pk)).count() == 1
    complete_log(client, token, "quarterly")
    page = client.get(f"/l/{token}/").content.decode()
    assert "That was your last log" in page and "Start my log" not in page


# --- backdating ------------------------------------------------------------------------------

def test_an_online_log_dated_back_does_not_make_the_next_one_due_at_once(client,
                                                                         participant_factory):
    today = timezone.localdate()
    person = participant_factory(registered_at=timezone.now() - dt.timedelta(days=100))
    first = _log(person, 30)
    token = links.new_token(person, "test")
    # The attack: the second log is dated the day of the first (the earliest date allowed).
    assert client.post(f"/l/{token}/").status_code == 302
    draft = Draft.objects.get(participant=person, log__isnull=True)
    response = client.post(f"/l/{token}/log/log_on/", {
        **page_data(draft.instrument, "log_on"), "key": draft.submission_key,
        "date_completed": first.completed_on.isoformat()})
    assert response.status_code == 302
    location = response["Location"]
    while not location.endswith("/thanks/"):
        section = location.rstrip("/").rsplit("/", 1)[1]
        location = client.post(location, {**page_data(draft.instrument, section),
                                           "key": draft.submission_key})["Location"]
    second = Log.objects.get(submission_key=draft.submission_key)
    assert second.completed_on == first.completed_on  # the answer is kept as given
    assert schedule.next_due_on(person) == today + dt.timedelta(days=DAYS)
    assert not schedule.is_due(person)
    assert client.post(f"/l/{token}/").status_code == 302
    assert not Draft.objects.filter(participant=person, log__isnull=True).exists()
    assert Log.objects.filter(participant=person).count() == 2


def test_a_paper_log_keeps_its_paper_date(participant_factory):
    person = participant_factory()
    _log(person, 30, mode="paper", received_days_ago=0)  # typed in today
    assert schedule.next_due_on(person) == timezone.localdate() - dt.timedelta(days=2)
    assert schedule.is_due(person)


# --- the reminders follow the same rule ------------------------------------------------------

def _reminded(person) -> list[str]:
    from peerlog.outreach import schedule as outreach_schedule

    return [d.kind for d in outreach_schedule.due() if d.participant.pk == person.pk]


def test_reminders_count_online_logs_by_receipt_and_end_with_the_quarterly_log(
        participant_factory):
    from peerlog.capture.models import ContactDetails

    backdated = participant_factory()
    ContactDetails.objects.create(participant=backdated, channels=["email"], email="b@x.org")
    _log(backdated, 40, received_days_ago=0)  # typed as 40 days ago, sent today
    assert _reminded(backdated) == []
    _log(backdated, 40, mode="paper", received_days_ago=0)  # paper keeps its date...
    assert _reminded(backdated) == []  # ...but the online one sent today is the latest

    leaving = participant_factory()
    ContactDetails.objects.create(participant=leaving, channels=["email"], email="l@x.org")
    _log(leaving, 30)
    assert _reminded(leaving) == ["monthly"]
    Participant.objects.filter(pk=leaving.pk).update(
        leaving_on=timezone.localdate() + dt.timedelta(days=5))
    assert _reminded(leaving) == ["quarterly"]
    _log(leaving, 0)  # the last log
    assert _reminded(leaving) == []
    from peerlog.outreach import schedule as outreach_schedule

    later = timezone.localdate() + dt.timedelta(days=60)
    assert leaving.pk not in [d.participant.pk for d in outreach_schedule.due(today=later)]
    assert backdated.pk in [d.participant.pk for d in outreach_schedule.due(today=later)]


def test_the_monthly_draw_records_the_configured_prizes(participant_factory):
    from peerlog.outreach import draw

    person = participant_factory(prize_draw=True)
    day = dt.date(2026, 3, 10)
    Log.objects.create(
        participant=person, typed_personal_id=person.personal_id.code, instrument="monthly",
        kind="monthly", version="full", mode="online", completed_on=day, submission_key="d",
        received_at=dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_default_timezone()))
    _settings(prize_individual="£30", prize_project="£75")
    record, created = draw.draw("2026-03", actor="cli", today=dt.date(2026, 4, 2))
    assert created and (record.individual_prize, record.project_prize) == (
        "£30 vouchers", "£75 vouchers")
