"""Storing a log: once, scored, flagged, audited; never a wrong score."""

import datetime as dt
import threading

import pytest
from django.db import connection

from peerlog.capture.models import AuditEvent, Log
from peerlog.capture.services import SAME_DAY_DUPLICATE, TICKS, UNREGISTERED_ID, store_log
from peerlog.instruments import ScoringError

DAY = dt.date(2016, 3, 1)


def answers(**extra):
    base = {f"swemwbs_{i}": 5 for i in range(1, 8)} | {"ps_informal_given": 2}
    return base | extra


@pytest.mark.django_db
def test_the_same_submission_twice_stores_one_log(participant_factory):
    p = participant_factory()
    kwargs = dict(instrument="monthly", answers=answers(), typed_personal_id=p.personal_id.code,
                  scope=None,
                  completed_on=DAY, mode="online", submission_key="form-1")
    first, created = store_log(**kwargs)
    again, created_again = store_log(**kwargs)
    assert (created, created_again) == (True, False)
    assert first.pk == again.pk and Log.objects.count() == 1
    assert first.scores["wellbeing"] == 35.0 and first.scores["wellbeing_raw"] == 35
    assert first.missing_scores["hope"].startswith("missing_item")
    assert AuditEvent.objects.filter(action="log.create").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submission_stores_one_log(participant_factory):
    p = participant_factory()
    barrier = threading.Barrier(4)
    results, errors = [], []

    def submit():
        try:
            barrier.wait()
            results.append(store_log(scope=None,
                instrument="monthly", answers=answers(), typed_personal_id=p.personal_id.code,
                completed_on=DAY, mode="online", submission_key="double-click"))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Log.objects.filter(submission_key="double-click").count() == 1
    assert sorted(created for _, created in results) == [False, False, False, True]
    assert len({log.pk for log, _ in results}) == 1


@pytest.mark.django_db
def test_flags_unregistered_ticks_and_same_day_duplicates(participant_factory):
    p = participant_factory()
    log, _ = store_log(scope=None, instrument="monthly", answers=answers(ps_pairs_received="ticked"),
                       typed_personal_id="123456", completed_on=DAY, mode="paper",
                       submission_key="k1")
    assert log.participant is None and log.flags == [UNREGISTERED_ID, TICKS]
    assert log.answers["ps_pairs_received"] == "ticked"  # a tick stays a tick
    assert "types_received" in log.scores and log.scores["types_received"] == 1
    assert log.missing_scores["one_to_one_pairs_received"] == "ticked"
    store_log(scope=None, instrument="monthly", answers=answers(), typed_personal_id=p.personal_id.code,
              completed_on=DAY, mode="online", submission_key="k2")
    dup, _ = store_log(scope=None, instrument="monthly", answers=answers(),
                       typed_personal_id=p.personal_id.code[:3] + " " + p.personal_id.code[3:],
                       completed_on=DAY, mode="online", submission_key="k3")
    assert dup.participant == p and dup.flags == [SAME_DAY_DUPLICATE]


@pytest.mark.django_db
def test_out_of_range_answers_are_refused_and_nothing_is_stored(participant_factory):
    p = participant_factory()
    with pytest.raises(ScoringError, match="swemwbs_1"):
        store_log(scope=None, instrument="monthly", answers=answers(swemwbs_1=6),
                  typed_personal_id=p.personal_id.code, completed_on=DAY, mode="online",
                  submission_key="bad")
    assert not Log.objects.exists() and not AuditEvent.objects.exists()
