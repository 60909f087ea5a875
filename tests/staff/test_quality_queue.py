"""Quality queue (issue 13 item 4): corrections by label, several answers at once, errors keep
what was typed; bulk set-aside and bulk match, never outside the user's projects."""

from __future__ import annotations

import re

from tests.conftest import monthly_answers

from peerlog.capture.models import AuditEvent, Log
from peerlog.capture.services import store_log
from peerlog.staff.models import PaperEntry, QualityReview


def _paper_unregistered(world, typed, key, clerk_project=None):
    """An unregistered paper log entered for project A (or ``clerk_project``)."""
    log, _ = store_log(scope=None, instrument="monthly", answers=monthly_answers(),
                       typed_personal_id=typed, completed_on=world.log.completed_on,
                       mode="paper", submission_key=key)
    PaperEntry.objects.create(log=log, project=clerk_project or world.a, kind="first",
                              entered_by=world.staff["coordinator"], values={})
    return log


def test_a_correction_chooses_answers_by_label_and_corrects_several_at_once(client, world):
    client.force_login(world.staff["coordinator"])
    url = f"/staff/quality/log/{world.unregistered.pk}/ticks/"
    page = client.get(url).content.decode()
    assert ">Agree<" in page or ">Often<" in page  # options by their labels, never "= 3"
    assert "swemwbs_1 =" not in page
    response = client.post(url, {"outcome": "correct", "a-ps_groups_given": "3",
                                 "a-swemwbs_1": "2", "note": "paper checked"})
    assert response.status_code == 302
    log = Log.objects.get(pk=world.unregistered.pk)
    assert log.answers["ps_groups_given"] == 3 and log.answers["swemwbs_1"] == 2
    event = AuditEvent.objects.get(action="log.change", target_id=str(log.pk))
    assert set(event.detail["changed"]["answers"]) == {"ps_groups_given", "swemwbs_1"}
    assert QualityReview.objects.get(log=log, reason="ticks").outcome == "correct"


def test_a_correction_error_keeps_everything_typed_and_stores_nothing(client, world):
    client.force_login(world.staff["coordinator"])
    url = f"/staff/quality/log/{world.unregistered.pk}/ticks/"
    response = client.post(url, {"outcome": "correct", "a-ps_groups_given": "lots",
                                 "a-swemwbs_1": "2", "note": "kept note"})
    body = response.content.decode()
    assert response.status_code == 400 and "in the digits 0-9" in body
    assert 'value="lots"' in body and 'value="kept note"' in body
    assert '<option value="2" selected>' in body  # the other answer typed stays chosen
    log = Log.objects.get(pk=world.unregistered.pk)
    assert log.answers["ps_groups_given"] == "ticked" and log.answers["swemwbs_1"] == 4
    assert not QualityReview.objects.exists()
    assert not AuditEvent.objects.filter(action__in=("log.change", "quality.resolve")).exists()


def test_bulk_set_aside_changes_only_logs_in_scope(client, world):
    """The attack: coordinator A posts a log of project B among their own."""
    mine = _paper_unregistered(world, "123455", "mine")
    theirs = _paper_unregistered(world, "123456", "theirs", clerk_project=world.b)
    client.force_login(world.staff["coordinator"])
    page = client.get("/staff/quality/").content.decode()
    assert f'value="{mine.pk}:unregistered_id"' in page
    assert f'value="{theirs.pk}:unregistered_id"' not in page
    response = client.post("/staff/quality/bulk/", {
        "action": "set_aside",
        "problem": [f"{mine.pk}:unregistered_id", f"{world.unregistered.pk}:unregistered_id",
                    f"{theirs.pk}:unregistered_id", f"{theirs.pk}:ticks", "x:y", "1:bogus"]})
    assert response.status_code == 302
    assert Log.objects.get(pk=mine.pk).status == Log.Status.SET_ASIDE
    assert Log.objects.get(pk=world.unregistered.pk).status == Log.Status.SET_ASIDE
    assert Log.objects.get(pk=theirs.pk).status == Log.Status.COMPLETE
    assert not QualityReview.objects.filter(log=theirs).exists()
    assert not AuditEvent.objects.filter(target_type="capture.log", target_id=str(theirs.pk),
                                         action__in=("quality.resolve", "log.change")).exists()
    assert AuditEvent.objects.filter(action="quality.resolve").count() == 2
    # A double submit decides nothing twice.
    client.post("/staff/quality/bulk/", {"action": "set_aside",
                                         "problem": [f"{mine.pk}:unregistered_id"]})
    assert AuditEvent.objects.filter(action="quality.resolve").count() == 2


def test_bulk_match_to_one_id_or_to_each_written_id(client, world, participant_factory):
    later = participant_factory(project=world.a)  # registered after the paper log was typed
    by_written = _paper_unregistered(world, later.personal_id.code, "written")
    to_pa = _paper_unregistered(world, "123455", "to-pa")
    theirs = _paper_unregistered(world, "123457", "b", clerk_project=world.b)
    client.force_login(world.staff["coordinator"])
    client.post("/staff/quality/bulk/", {"action": "match",
                                         "problem": [f"{by_written.pk}:unregistered_id",
                                                     f"{theirs.pk}:unregistered_id"]})
    assert Log.objects.get(pk=by_written.pk).participant == later
    assert Log.objects.get(pk=theirs.pk).participant is None
    # A personal ID of another project is refused and what was typed and ticked is kept.
    refused = client.post("/staff/quality/bulk/", {
        "action": "match", "personal_id": world.pb.personal_id.code, "note": "n1",
        "problem": [f"{to_pa.pk}:unregistered_id"]})
    body = refused.content.decode()
    assert refused.status_code == 400 and "No participant of your projects" in body
    assert f'value="{world.pb.personal_id.code}"' in body and 'value="n1"' in body
    assert re.search(f'value="{to_pa.pk}:unregistered_id" id="t-[0-9]+" checked', body)
    assert Log.objects.get(pk=to_pa.pk).participant is None
    client.post("/staff/quality/bulk/", {"action": "match",
                                         "personal_id": world.pa.personal_id.code,
                                         "problem": [f"{to_pa.pk}:unregistered_id"]})
    assert Log.objects.get(pk=to_pa.pk).participant == world.pa


def test_bulk_without_a_choice_or_a_tick_says_so(client, world):
    client.force_login(world.staff["coordinator"])
    none = client.post("/staff/quality/bulk/", {"action": "set_aside"})
    assert none.status_code == 400 and "Tick at least one log" in none.content.decode()
    what = client.post("/staff/quality/bulk/",
                       {"problem": [f"{world.unregistered.pk}:unregistered_id"]})
    assert what.status_code == 400 and "Choose what to do" in what.content.decode()
    assert Log.objects.get(pk=world.unregistered.pk).status == Log.Status.COMPLETE


def test_the_queue_says_what_is_implausible_in_words_and_groups_ids(client, world):
    big, _ = store_log(scope=None, instrument="monthly",
                       answers=monthly_answers(ps_groups_given=400),
                       typed_personal_id=world.pa.personal_id.code,
                       completed_on=world.log.completed_on, mode="online", submission_key="big")
    client.force_login(world.staff["coordinator"])
    for url in ("/staff/quality/", f"/staff/quality/log/{big.pk}/out_of_range/"):
        page = client.get(url).content.decode()
        assert "ps_groups_given=" not in page and ": 400" in page, url
    queue = client.get("/staff/quality/").content.decode()
    code = world.pa.personal_id.code
    assert f"{code[:3]} {code[3:6]}" in queue
