"""Log pages behind the personal link: which log is due, page-by-page saving and resuming,
one log per served form, the thank-you page and my progress."""


import pytest
from django.utils import timezone

from peerlog.capture import links, schedule
from peerlog.capture.models import Draft, Log
from peerlog.capture.services import store_log
from peerlog.instruments import load_instrument


def with_link(participant):
    return links.new_token(participant, "test")


SCALE_ANSWERS = {"swemwbs": 4, "hhi": 3, "lsns": 2, "mhses": 7, "eq5d": 1}


def page_data(instrument_code, section_code):
    """A complete, valid page of answers."""
    inst = load_instrument(instrument_code)
    section = next(s for s in inst.sections if s.code == section_code)
    data = {}
    for item in section.items:
        if item.type == "personal_id":
            continue
        if item.type == "count":
            data[item.code] = "1"
        elif item.type == "integer":
            data[item.code] = str(item.min or 0)
        elif item.type == "single":
            prefix = next((p for p in SCALE_ANSWERS if item.code.startswith(p)), None)
            data[item.code] = str(SCALE_ANSWERS[prefix] if prefix else item.options[0].value)
        elif item.type == "multi":
            data[item.code] = [str(item.options[0].value)]
        elif item.type == "text":
            data[item.code] = "Some words"
    return data


def a_period_later(participant, days=28):
    """As if the person's logs were sent ``days`` ago: the next one is due (one log per
    due period)."""
    import datetime as dt

    for log in Log.objects.filter(participant=participant):
        Log.objects.filter(pk=log.pk).update(
            completed_on=log.completed_on - dt.timedelta(days=days),
            received_at=log.received_at - dt.timedelta(days=days))


def complete_log(client, token, expected_instrument=None):
    response = client.post(f"/l/{token}/")
    assert response.status_code == 302
    draft = Draft.objects.get(participant=links.participant_for_token(token),
                              log__isnull=True)
    if expected_instrument:
        assert draft.instrument == expected_instrument
    inst = load_instrument(draft.instrument)
    for section in inst.sections:
        assert response["Location"].endswith(f"/log/{section.code}/"), response["Location"]
        assert client.get(response["Location"]).status_code == 200
        data = {**page_data(draft.instrument, section.code), "key": draft.submission_key}
        response = client.post(response["Location"], data)
        assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == f"/l/{token}/thanks/"
    return Log.objects.get(submission_key=draft.submission_key)


def test_schedule_first_log_quarterly_then_every_third():
    kinds = [schedule.kind_of_log(n) for n in range(1, 11)]
    assert kinds == ["quarterly", "monthly", "monthly"] * 3 + ["quarterly"]
    assert schedule.kind_of_log(5, last=True) == "quarterly"
    assert schedule.instrument_code("monthly", True) == "monthly_short"


@pytest.mark.django_db
def test_due_instrument_follows_logs_and_short_setting(participant_factory, project_factory):
    p = participant_factory()
    assert schedule.due_instrument(p) == "quarterly"
    store_log(scope=None, instrument="quarterly", answers={}, typed_personal_id=p.personal_id.code,
              completed_on=timezone.localdate(), mode="online", submission_key="a")
    assert schedule.due_instrument(p) == "monthly"
    short = participant_factory(project=project_factory(short_version=True))
    assert schedule.due_instrument(short) == "quarterly_short"
    short.short_version = False
    assert schedule.due_instrument(short) == "quarterly"


@pytest.mark.django_db
def test_quarterly_then_monthly_through_the_link(client, participant_factory):
    p = participant_factory()
    token = with_link(p)
    first = complete_log(client, token, "quarterly")
    assert first.participant == p and first.mode == "online" and first.flags == []
    assert first.completed_on == timezone.localdate()
    assert first.answers["date_completed"] == timezone.localdate().isoformat()
    assert "personal_id" not in first.answers
    assert first.scores["wellbeing_raw"] == 28 and "hope" in first.scores
    a_period_later(p)
    second = complete_log(client, token, "monthly")
    assert second.kind == "monthly"
    thanks = client.get(f"/l/{token}/thanks/")
    assert thanks.status_code == 200
    assert Draft.objects.get(log=second).answers == {}


@pytest.mark.django_db
def test_resume_at_first_unfinished_page_with_answers_kept(client, participant_factory):
    p = participant_factory(short_version=True)
    token = with_link(p)
    client.post(f"/l/{token}/")
    draft = Draft.objects.get(participant=p)
    client.post(f"/l/{token}/log/log_on/", {"key": draft.submission_key,
                                            "date_completed": timezone.localdate().isoformat()})
    client.post(f"/l/{token}/log/peer_support/", {"key": draft.submission_key,
                                                  "ps_informal_given": "4"})
    # the tab is closed; later the link is opened again
    start = client.get(f"/l/{token}/")
    assert "Continue where I left off" in start.content.decode()
    response = client.post(f"/l/{token}/")
    assert response["Location"] == f"/l/{token}/log/wellbeing/"
    back = client.get(f"/l/{token}/log/peer_support/").content.decode()
    assert 'name="ps_informal_given" value="4"' in back
    # a later page cannot be skipped to
    skipped = client.get(f"/l/{token}/log/quality_of_life/")
    assert skipped["Location"] == f"/l/{token}/log/wellbeing/"


@pytest.mark.django_db
def test_a_resubmitted_last_page_never_makes_two_logs(client, participant_factory):
    p = participant_factory(short_version=True)
    token = with_link(p)
    client.post(f"/l/{token}/")
    client.post(f"/l/{token}/")  # double click on start: still one open log
    assert Draft.objects.filter(participant=p).count() == 1
    draft = Draft.objects.get(participant=p)
    inst = load_instrument(draft.instrument)
    for section in inst.sections:
        data = {**page_data(draft.instrument, section.code), "key": draft.submission_key}
        client.post(f"/l/{token}/log/{section.code}/", data)
    again = client.post(f"/l/{token}/log/{inst.sections[-1].code}/", data)
    assert again["Location"] == f"/l/{token}/thanks/"
    assert Log.objects.filter(participant=p).count() == 1


@pytest.mark.django_db
def test_field_messages_keep_other_answers(client, participant_factory):
    p = participant_factory(short_version=True)
    token = with_link(p)
    client.post(f"/l/{token}/")
    client.post(f"/l/{token}/log/log_on/", {"date_completed": ""})
    response = client.post(f"/l/{token}/log/peer_support/", {
        "ps_informal_given": "t", "ps_informal_received": "3", "ps_groups_given": "-1"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_ps_informal_given-error"' in page and 'id="id_ps_groups_given-error"' in page
    assert 'name="ps_informal_received" value="3"' in page
    assert 'aria-invalid="true"' in page and 'href="#id_ps_informal_given"' in page
    assert Draft.objects.get(participant=p).done_sections == ["log_on"]


@pytest.mark.django_db
def test_dates_in_the_future_are_refused(client, participant_factory):
    p = participant_factory()
    token = with_link(p)
    client.post(f"/l/{token}/")
    response = client.post(f"/l/{token}/log/log_on/", {"date_completed": "2999-01-01"})
    assert response.status_code == 200 and "in the future" in response.content.decode()


@pytest.mark.django_db
def test_wrong_tokens_and_personal_ids_open_nothing(client, participant_factory):
    p = participant_factory()
    with_link(p)
    code = p.personal_id.code
    for path in (f"/l/{code}/", f"/l/{code}/progress/", "/l/x/", f"/l/{'a' * 43}/thanks/",
                 f"/l/{code}/log/log_on/"):
        assert client.get(path).status_code == 404, path
    assert code not in client.get("/").content.decode()


@pytest.mark.django_db
def test_my_progress_shows_only_my_scores(client, participant_factory):
    me, other = participant_factory(), participant_factory()
    token = with_link(me)
    complete_log(client, token)
    a_period_later(me)
    complete_log(client, token)
    store_log(scope=None, instrument="monthly", answers={f"swemwbs_{i}": 1 for i in range(1, 8)},
              typed_personal_id=other.personal_id.code, completed_on=timezone.localdate(),
              mode="paper", submission_key="other")
    page = client.get(f"/l/{token}/progress/").content.decode()
    assert "<svg" in page and page.count("<tr>") == 3  # header + my two logs
    assert "7.0" not in page and other.personal_id.code not in page  # other's wellbeing 7.00


@pytest.mark.django_db
def test_withdrawn_participants_see_no_log(client, participant_factory):
    p = participant_factory(withdrawal="no_contact")
    token = with_link(p)
    assert "stopped taking part" in client.get(f"/l/{token}/").content.decode()
    client.post(f"/l/{token}/")
    assert not Draft.objects.exists()
