"""Data-quality queue and its resolutions; monitoring figures; withdrawal; contact audit."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.conftest import DAY, monthly_answers

from peerlog.capture.models import AuditEvent, Log, Participant
from peerlog.capture.services import store_log
from peerlog.staff import monitoring, quality


def _log(pid, key, day=DAY, **extra):
    return store_log(scope=None, instrument="monthly", answers=monthly_answers(**extra),
                     typed_personal_id=pid, completed_on=day, mode="online",
                     submission_key=key,
                     received_at=dt.datetime.combine(day, dt.time(12), dt.UTC))[0]


def test_queue_shows_each_problem_with_its_reason(world):
    central = world.staff["central_researcher"]
    dup = _log(world.pa.personal_id.code, "dup")  # same day as world.log
    big = _log(world.pb.personal_id.code, "big", ps_groups_given=400)
    reasons = {(p.reason, p.log.pk if p.log else None) for p in quality.queue(central)}
    assert (quality.UNREGISTERED_ID, world.unregistered.pk) in reasons
    assert ("ticks", world.unregistered.pk) in reasons
    assert ("same_day_duplicate", dup.pk) in reasons
    assert (quality.OUT_OF_RANGE, big.pk) in reasons
    # A coordinator of project B sees only B's problems.
    other = {p.log.pk for p in quality.queue(world.staff["other_coordinator"]) if p.log}
    assert other == {big.pk}


def test_matching_an_unregistered_log_rescores_audits_and_leaves_the_queue(client, world):
    user = world.staff["coordinator"]
    client.force_login(user)
    url = f"/staff/quality/log/{world.unregistered.pk}/unregistered_id/"
    refused = client.post(url, {"outcome": "match", "personal_id": world.pb.personal_id.code})
    assert refused.status_code == 400  # another project's participant
    response = client.post(url, {"outcome": "match", "personal_id": world.pa.personal_id.code})
    assert response.status_code == 302
    log = Log.objects.get(pk=world.unregistered.pk)
    assert log.participant == world.pa and "unregistered_id" not in log.flags
    assert "same_day_duplicate" in log.flags  # now one of two logs of pa on that day
    event = AuditEvent.objects.filter(action="log.change", target_id=str(log.pk)).get()
    assert event.detail["changed"]["participant"] == [None, world.pa.pk]
    assert not any(p.reason == "unregistered_id" for p in quality.queue(user))


def test_setting_aside_and_correcting(client, world):
    client.force_login(world.staff["central_researcher"])
    big = _log(world.pb.personal_id.code, "big", ps_groups_given=400)
    response = client.post(f"/staff/quality/log/{big.pk}/out_of_range/",
                           {"outcome": "correct", "a-ps_groups_given": "40"})
    assert response.status_code == 302
    big.refresh_from_db()
    assert big.answers["ps_groups_given"] == 40
    client.post(f"/staff/quality/log/{world.unregistered.pk}/unregistered_id/",
                {"outcome": "set_aside"})
    assert Log.objects.get(pk=world.unregistered.pk).status == Log.Status.SET_ASIDE
    counts = {r["project"]: r for r in quality.usable_counts(world.staff["central_researcher"])}
    classes = list(quality.CLASSES)
    assert counts["Alpha"]["counts"][classes.index("set_aside")] == 1
    assert counts["Alpha"]["counts"][classes.index("held")] == 2
    assert counts["Alpha"]["counts"][classes.index("usable")] == 1


def test_a_person_registering_again_is_routed_to_their_first_registration(
        client, world, participant_factory):
    fingerprint = dict(age_band="25_34", gender="female", transgender_history="no",
                       sexual_orientation="heterosexual", ethnicity="white_british",
                       area="urban", uses_mh_services="yes", physical_condition="no",
                       learning_disability="no")
    Participant.objects.filter(pk=world.pa.pk).update(**fingerprint)
    again = participant_factory(project=world.a, **fingerprint)
    later_log = _log(again.personal_id.code, "again", day=DAY + dt.timedelta(days=30))
    user = world.staff["coordinator"]
    problems = [p for p in quality.queue(user) if p.reason == "repeat_registration"]
    assert [(p.participant, p.same_as) for p in problems] == [(again, world.pa)]
    client.force_login(user)
    client.post(f"/staff/quality/registration/{again.pk}/",
                {"same_as": world.pa.pk, "outcome": "same_person"})
    later_log.refresh_from_db()
    assert later_log.participant == world.pa
    assert not [p for p in quality.queue(user) if p.reason == "repeat_registration"]
    header, rows = monitoring.project_table(monitoring.Project.objects.filter(pk=world.a.pk))
    assert rows[0][header.index("registered")] == 1  # the repeat is not counted twice


def test_monitoring_figures(world, participant_factory):
    from peerlog.capture.models import Project

    projects = Project.objects.all()
    Participant.objects.filter(pk=world.pb.pk).update(
        registered_at=dt.datetime(2016, 1, 4, 12, tzinfo=dt.UTC))
    _log(world.pa.personal_id.code, "m2", day=dt.date(2016, 4, 15))
    store_log(scope=None, instrument="quarterly", answers={}, typed_personal_id=world.pa.personal_id.code,
              completed_on=dt.date(2016, 6, 2), mode="online", submission_key="q",
              received_at=dt.datetime(2016, 6, 2, 12, tzinfo=dt.UTC))
    header, rows = monitoring.logs_by_month(projects)
    assert header == ["month", "Leeds", "Plymouth", "total"]
    assert rows == [["2016-03", 1, 0, 1], ["2016-04", 1, 0, 1], ["2016-05", 0, 0, 0],
                    ["2016-06", 1, 0, 1]]
    header, rows = monitoring.logs_since_first(projects)
    assert rows == [[1, 0, 2, 2], [2, 0, 1, 1], [3, 1, 0, 1]]  # k-th log; unregistered too
    header, rows = monitoring.project_table(projects, today=dt.date(2016, 7, 20))
    alpha = dict(zip(header, rows[0], strict=True))
    assert alpha["with_1plus_logs"] == 1 and alpha["with_2plus_logs"] == 1
    assert alpha["retention_pct"] == 100 and alpha["due_now"] == 1  # 48 days since 2 June
    assert header.index("retention_pct") < header.index("registered")  # retention first
    beta = dict(zip(header, rows[1], strict=True))
    assert beta["overdue_now"] == 1 and beta["with_1plus_logs"] == 0


def test_withdrawal_is_recorded_and_honoured_by_export(client, world):
    from peerlog.export.contract import exported_logs, included_participants

    client.force_login(world.staff["coordinator"])
    client.post(f"/staff/participants/{world.pa.pk}/withdraw/", {"withdrawal": "remove_data"})
    world.pa.refresh_from_db()
    assert world.pa.withdrawal == "remove_data" and world.pa.withdrawn_at
    assert not included_participants().filter(pk=world.pa.pk).exists()
    assert not exported_logs().filter(participant=world.pa).exists()
    assert AuditEvent.objects.filter(action="participant.withdraw").exists()


def test_staff_can_stop_every_personal_link_of_a_participant(client, world):
    from peerlog.capture import links

    old, newer = links.new_token(world.pa, "registration"), links.new_token(world.pa, "reminder")
    client.force_login(world.staff["coordinator"])
    page = client.get(f"/staff/participants/{world.pa.pk}/").content.decode()
    assert "2 personal links work now" in page
    client.post(f"/staff/participants/{world.pa.pk}/links/revoke/")
    assert links.participant_for_token(old) is None
    assert links.participant_for_token(newer) is None
    assert client.get(f"/l/{newer}/").status_code == 404
    event = AuditEvent.objects.get(action="participant.revoke_links")
    assert event.detail == {"revoked": 2} and event.actor == world.staff["coordinator"]


def test_contact_details_are_shown_only_with_a_reason_and_audited(client, world):
    client.force_login(world.staff["central_researcher"])
    url = f"/staff/participants/{world.pa.pk}/contact/"
    assert client.post(url, {"reason": ""}).status_code == 302
    assert not AuditEvent.objects.filter(action="contact.view").exists()
    page = client.post(url, {"reason": "posting a paper log"}).content.decode()
    assert "a@example.org" in page
    event = AuditEvent.objects.get(action="contact.view")
    assert event.detail == {"reason": "posting a paper log"}
    audit_page = client.get("/staff/audit/?action=contact.view").content.decode()
    assert "posting a paper log" in audit_page
    # No other page shows contact details, even to central researchers.
    assert "a@example.org" not in client.get(f"/staff/participants/{world.pa.pk}/").content.decode()


@pytest.mark.parametrize("name", ["registrations", "logs", "since_first", "projects"])
def test_every_chart_has_its_table_and_csv(client, world, name):
    client.force_login(world.staff["central_researcher"])
    page = client.get("/staff/monitoring/").content.decode()
    assert f'id="table-{name}"' in page and f"/staff/monitoring/{name}.csv" in page
    if name != "projects":
        assert f'id="chart-{name}"' in page and "<svg" in page
    csv_text = client.get(f"/staff/monitoring/{name}.csv").content.decode()
    assert csv_text.splitlines()[0].split(",")[0] in ("month", "month_since_first", "project")


def test_monitoring_tables_speak_words_and_csv_keeps_codes(client, world):
    client.force_login(world.staff["central_researcher"])
    page = client.get("/staff/monitoring/").content.decode()
    assert "Retention: % with 2+ logs" in page and ">retention_pct<" not in page
    assert page.index("Retention: % with 2+ logs") < page.index(">Registered<")
    header = client.get("/staff/monitoring/projects.csv").content.decode().splitlines()[0]
    assert header.startswith("project,region,retention_pct,")


def test_monitoring_narrows_to_a_region_but_never_beyond_what_the_user_may_see(client, world):
    client.force_login(world.staff["central_researcher"])
    text = client.get("/staff/monitoring/logs.csv?region=plymouth").content.decode()
    assert text.splitlines()[0] == "month,Plymouth,total"
    client.force_login(world.staff["other_coordinator"])  # project B, Plymouth
    text = client.get("/staff/monitoring/logs.csv?region=leeds").content.decode()
    assert text.splitlines() == ["month,total"]  # nothing of Leeds leaks
    text = client.get("/staff/monitoring/projects.csv").content.decode()
    assert "Alpha" not in text and "Beta" in text
