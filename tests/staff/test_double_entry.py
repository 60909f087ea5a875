"""Double entry: a second person types the same paper form blind; the log counts only when
both agree or a third person has resolved each difference."""

from __future__ import annotations

import re

import pytest

from peerlog.capture import personal_ids
from peerlog.capture.models import AuditEvent, Log
from peerlog.staff.layout import instrument_for
from peerlog.staff.models import PaperEntry


def form_data(pid, date="01/03/16", **answers):
    data = {"id-personal_id": pid, "id-date_completed": date, "id-confirm_old_date": "on"}
    base = {"peer_support-ps_informal_given": "3", "peer_support-ps_groups_given": "2",
            "peer_support-ps_groups_received": "t", "peer_support-projects_attended": "1"}
    base |= {f"wellbeing-swemwbs_{i}": "4" for i in range(1, 8)}
    base |= {f"hope-hhi_{i}": "3" for i in range(1, 13)}
    return data | base | answers


@pytest.fixture
def double_entry_project(project_factory, participant_factory, make_staff):
    project = project_factory(double_entry=True)
    person = participant_factory(project=project)
    clerks = [make_staff("coordinator", f"clerk{i}", projects=[project]) for i in (1, 2, 3)]
    return project, person, clerks


def _enter(client, user, url, data):
    client.force_login(user)
    return client.post(url, data)


def test_three_differences_hold_the_log_until_a_third_person_resolves_them(
        client, double_entry_project):
    project, person, (first, second, third) = double_entry_project
    pid = person.personal_id.code
    response = _enter(client, first, f"/staff/entry/{project.pk}/monthly/en/", form_data(pid))
    assert response.status_code == 302
    log = Log.objects.get()
    assert log.status == Log.Status.HELD and log.mode == "paper"
    assert log.answers["ps_groups_received"] == "ticked"  # a tick is stored as a tick

    # The first person may not do the second entry; the second page shows no answers.
    client.force_login(first)
    assert client.get(f"/staff/entry/log/{log.pk}/second/").status_code == 302
    client.force_login(second)
    blank = client.get(f"/staff/entry/log/{log.pk}/second/").content.decode()
    assert 'name="peer_support-ps_informal_given" value' not in blank and " checked" not in blank

    # Second entry: three fields differ (a count, a wellbeing answer and the date).
    response = _enter(client, second, f"/staff/entry/log/{log.pk}/second/", form_data(
        pid, date="2/3/2016", **{"peer_support-ps_informal_given": "8",
                                   "wellbeing-swemwbs_3": "2"}))
    assert response.status_code == 302
    log.refresh_from_db()
    assert log.status == Log.Status.HELD  # held: not exported, not counted
    event = AuditEvent.objects.get(action="log.double_entry_differs")
    assert sorted(event.detail["fields"]) == ["date_completed", "ps_informal_given",
                                              "swemwbs_3"]
    from peerlog.export.contract import exported_logs
    assert not exported_logs().filter(pk=log.pk).exists()

    # Neither typist may resolve; a third person must choose for every field.
    for typist in (first, second):
        client.force_login(typist)
        assert client.get(f"/staff/entry/log/{log.pk}/resolve/").status_code == 302
    client.force_login(third)
    page = client.get(f"/staff/entry/log/{log.pk}/resolve/").content.decode()
    assert page.count('class="diff"') == 3
    incomplete = client.post(f"/staff/entry/log/{log.pk}/resolve/",
                             {"pick_ps_informal_given": "second"})
    assert incomplete.status_code == 400
    log.refresh_from_db()
    assert log.status == Log.Status.HELD
    response = client.post(f"/staff/entry/log/{log.pk}/resolve/", {
        "pick_ps_informal_given": "second", "pick_swemwbs_3": "first",
        "pick_date_completed": "first"})
    assert response.status_code == 302
    log.refresh_from_db()
    assert log.status == Log.Status.COMPLETE
    assert log.answers["ps_informal_given"] == 8 and log.answers["swemwbs_3"] == 4
    assert log.completed_on.isoformat() == "2016-03-01"
    assert log.scores["wellbeing_raw"] == 28
    assert set(PaperEntry.objects.filter(log=log).values_list("kind", flat=True)) == {
        "first", "second", "resolution"}
    change = AuditEvent.objects.filter(action="log.change").latest("at")
    assert change.detail["reason"] == "double entry resolved"
    assert exported_logs().filter(pk=log.pk).exists()


def test_agreeing_entries_make_the_log_count(client, double_entry_project):
    project, person, (first, second, _third) = double_entry_project
    pid = person.personal_id.code
    _enter(client, first, f"/staff/entry/{project.pk}/monthly/en/", form_data(pid))
    log = Log.objects.get()
    _enter(client, second, f"/staff/entry/log/{log.pk}/second/", form_data(pid))
    log.refresh_from_db()
    assert log.status == Log.Status.COMPLETE


def test_without_double_entry_a_paper_log_counts_at_once(client, project_factory,
                                                         participant_factory, make_staff):
    project = project_factory()
    person = participant_factory(project=project)
    clerk = make_staff("coordinator", projects=[project])
    data = form_data(person.personal_id.code) | {"submission_key": "k1"}
    _enter(client, clerk, f"/staff/entry/{project.pk}/monthly/en/", data)
    _enter(client, clerk, f"/staff/entry/{project.pk}/monthly/en/", data)  # resubmitted
    log = Log.objects.get()
    assert log.status == Log.Status.COMPLETE and log.entered_by == clerk
    assert "ticks" in log.flags


def test_a_mistyped_id_is_kept_as_written_and_queued(client, project_factory, make_staff):
    project = project_factory()
    clerk = make_staff("coordinator", projects=[project])
    url = f"/staff/entry/{project.pk}/monthly/en/"
    _enter(client, clerk, url, form_data("123 456") | {"id-confirm_id": "on"})
    log = Log.objects.get()
    assert log.participant is None and log.typed_personal_id == "123456"
    assert "unregistered_id" in log.flags
    page = client.get("/staff/quality/").content.decode()
    assert f"Resolve log {log.pk}" in page


@pytest.mark.parametrize(("typed", "why"), [("130 046", "check digit"),
                                            (None, "was not issued to")])
def test_a_doubtful_id_asks_the_typist_to_confirm_and_keeps_everything_typed(
        client, project_factory, participant_factory, make_staff, typed, why):
    """ "130 046" was stored silently: now a wrong check digit, or an ID of another project
    (or of none), is confirmed or corrected first."""
    project = project_factory()
    clerk = make_staff("coordinator", projects=[project])
    elsewhere = participant_factory()  # a valid ID, issued to another project
    typed = typed or personal_ids.display(elsewhere.personal_id.code)
    url = f"/staff/entry/{project.pk}/monthly/en/"
    data = form_data(typed, **{"peer_support-ps_informal_given": "7"})
    asked = _enter(client, clerk, url, data)
    body = asked.content.decode()
    assert asked.status_code == 400 and why in body and not Log.objects.exists()
    assert 'name="id-confirm_id"' in body and 'type="checkbox"' in body
    assert 'value="7"' in body and f'value="{typed}"' in body  # what was typed is kept
    stored = client.post(url, data | {"id-confirm_id": "on"})
    assert stored.status_code == 302
    log = Log.objects.get()
    assert log.typed_personal_id == personal_ids.normalise(typed)
    assert log.participant is None and "unregistered_id" in log.flags
    assert log.answers["ps_informal_given"] == 7


def test_an_id_of_the_project_is_stored_without_a_question(client, double_entry_project):
    project, person, (clerk, *_rest) = double_entry_project
    response = _enter(client, clerk, f"/staff/entry/{project.pk}/monthly/en/",
                      form_data(personal_ids.display(person.personal_id.code)))
    assert response.status_code == 302 and Log.objects.get().participant == person


def test_resolution_shows_the_paper_to_find_and_takes_what_the_paper_shows(
        client, double_entry_project):
    project, person, (first, second, third) = double_entry_project
    pid = person.personal_id.code
    url = f"/staff/entry/{project.pk}/monthly/en/"
    _enter(client, first, url, form_data(pid))
    log = Log.objects.get()
    _enter(client, second, f"/staff/entry/log/{log.pk}/second/",
           form_data(pid, **{"peer_support-ps_informal_given": "8", "wellbeing-swemwbs_3": "2"}))
    # Neither typist is offered the link to resolve it (nor the first the second entry).
    for typist in (first, second):
        client.force_login(typist)
        assert f"/staff/entry/log/{log.pk}/resolve/" not in client.get("/staff/entry/").content.decode()
    client.force_login(third)
    start = client.get("/staff/entry/").content.decode()
    assert f"/staff/entry/log/{log.pk}/resolve/" in start
    page = client.get(f"/staff/entry/log/{log.pk}/resolve/").content.decode()
    assert personal_ids.display(pid) in page and "01/03/2016" in page
    # The answers are shown by their labels, not codes.
    swemwbs = instrument_for("monthly").items["swemwbs_3"]
    assert swemwbs.option(2).text in page and swemwbs.option(4).text in page
    # An unreadable typed value keeps every choice and everything typed.
    bad = client.post(f"/staff/entry/log/{log.pk}/resolve/", {
        "pick_ps_informal_given": "paper", "a-ps_informal_given": "five",
        "pick_swemwbs_3": "second"})
    body = bad.content.decode()
    assert bad.status_code == 400 and 'value="five"' in body
    assert 'value="second" id="p2-swemwbs_3" checked' in body
    assert Log.objects.get().status == Log.Status.HELD
    good = client.post(f"/staff/entry/log/{log.pk}/resolve/", {
        "pick_ps_informal_given": "paper", "a-ps_informal_given": "5",
        "pick_swemwbs_3": "second"})
    assert good.status_code == 302
    log.refresh_from_db()
    assert log.status == Log.Status.COMPLETE
    assert log.answers["ps_informal_given"] == 5 and log.answers["swemwbs_3"] == 2
    assert PaperEntry.objects.get(log=log, kind="resolution").values["ps_informal_given"] == 5


def test_the_question_about_another_projects_id_reveals_nothing(
        client, project_factory, participant_factory, make_staff):
    """An ID issued to another project gets the words an ID issued to no one gets."""
    project = project_factory()
    clerk = make_staff("coordinator", projects=[project])
    elsewhere = participant_factory().personal_id.code
    nobody = personal_ids.new_id(5, {elsewhere})
    url = f"/staff/entry/{project.pk}/monthly/en/"
    pages = [_enter(client, clerk, url, form_data(pid)).content.decode().replace(
        personal_ids.display(pid), "ID").replace(pid, "ID") for pid in (elsewhere, nobody)]
    assert "was not issued to" in pages[0]
    tokens = r'(name="submission_key"|name="csrfmiddlewaretoken") value="[^"]*"'
    assert re.sub(tokens, "", pages[0]) == re.sub(tokens, "", pages[1])
    assert not Log.objects.exists()
