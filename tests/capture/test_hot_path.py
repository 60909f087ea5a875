"""The participant pages' hot path stays cheap (issue 14; bench/README.md, "Capture hot path").

Pinned by what the pages do, never by timing: the database queries of each request of a
monthly log, no session written by link pages, and cached question markup that is exactly
what the template draws.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.http import QueryDict
from django.template.loader import get_template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from peerlog.capture import links, programme
from peerlog.capture.models import Draft, Log
from peerlog.capture.services import store_log
from peerlog.capture.views import pages
from peerlog.instruments import PREFER_NOT


def _drawn(q: pages.Question) -> str:
    return get_template("capture/_question.html").render({"q": q})


def _scenarios(section):
    """(data, stored answers) pairs: a fresh page, a page with answers, a page sent wrong."""
    chosen, wrong = {}, QueryDict(mutable=True)
    for n, item in enumerate(section.items):
        if item.type == "single":
            chosen[item.code] = item.options[n % len(item.options)].value
            wrong[item.code] = "not-an-option"
        elif item.type == "multi":
            chosen[item.code] = [o.value for o in item.options[:2]]
        elif item.type in ("integer", "count"):
            chosen[item.code] = 2
            wrong.setlist(item.code, ["many"] if n % 2 else [PREFER_NOT])
        elif item.type == "email":
            wrong[item.code] = "not an address"
    return [(None, {}), (None, chosen), (wrong, {}), (wrong, chosen)]


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize("code", ["monthly", "quarterly", "monthly_short", "quarterly_short",
                                  "registration"])
def test_cached_question_markup_is_what_the_template_draws(code, language):
    pages._QUESTION_HTML.clear()
    with translation.override(language):
        inst = pages.instrument(code)
        cached = 0
        for section in inst.sections:
            for _round in range(2):  # the second round draws from the cache
                for data, answers in _scenarios(section):
                    form = pages.section_form(inst, section, data=data, answers=answers)
                    form.is_valid() if data is not None else None
                    for block in pages.blocks(form, section):
                        for q in block.questions:
                            assert q.html == _drawn(q), (section.code, q.bf.name, data)
                            if q.kind not in ("choice", "multi"):
                                assert q.widget_html == str(q.bf)
        cached = len(pages._QUESTION_HTML)
    assert cached > 0
    # Nothing typed is kept: every cached key is texts and option values of the definitions.
    typed = {"many", "not an address", "not-an-option"}
    assert not any(typed & {str(part) for part in key} for key in pages._QUESTION_HTML)


def test_an_error_is_never_served_from_the_cache():
    inst = pages.instrument("monthly")
    section = next(s for s in inst.sections if s.code == "wellbeing")
    item = section.items[0]
    fresh = pages.section_form(inst, section)
    html = pages.blocks(fresh, section)[0].questions[0].html
    assert 'class="error"' not in html
    wrong = pages.section_form(inst, section, data=QueryDict(f"{item.code}=nonsense"))
    assert not wrong.is_valid()
    q = pages.blocks(wrong, section)[0].questions[0]
    assert 'class="error"' in q.html and "invalid" in q.html


def _answers(section) -> dict[str, str]:
    data = {}
    for item in section.items:
        if item.type == "single":
            data[item.code] = str(item.options[0].value)
        elif item.type in ("count", "integer"):
            data[item.code] = "1"
    data.pop("personal_id", None)
    return data


@pytest.mark.django_db
def test_a_monthly_log_makes_few_queries_and_no_session(client, participant_factory):
    p = participant_factory()
    store_log(scope=None, instrument="quarterly", answers={},
              typed_personal_id=p.personal_id.code,
              completed_on=timezone.localdate() - dt.timedelta(days=35), mode="online",
              submission_key="earlier", received_at=timezone.now() - dt.timedelta(days=35))
    token = links.new_token(p, "test")
    programme.current()  # the programme settings are cached, as on a running site
    counts = {}

    def send(name, method, path, data=None):
        with CaptureQueriesContext(connection) as queries:
            response = getattr(client, method)(path, data or {})
        assert response.status_code in (200, 302), (name, response.status_code)
        counts[name] = len([q for q in queries.captured_queries
                            if "SAVEPOINT" not in q["sql"]])
        return response

    send("link GET", "get", f"/l/{token}/")
    response = send("link POST", "post", f"/l/{token}/")
    draft = Draft.objects.get(participant=p, log__isnull=True)
    inst = pages.instrument("monthly")
    assert draft.instrument == "monthly"
    for section in inst.sections:
        path = f"/l/{token}/log/{section.code}/"
        assert send(f"GET {section.code}", "get", path).status_code == 200
        response = send(f"POST {section.code}", "post", path,
                        {"key": draft.submission_key, **_answers(section)})
    assert response["Location"].endswith(f"/l/{token}/thanks/")
    assert Log.objects.filter(participant=p, submission_key=draft.submission_key).count() == 1
    # One for the link with its participant and open log (peerlog.capture.linklookup); a page
    # sent adds the write (and, on the page with the date, the earliest date allowed).
    last = inst.sections[-1].code
    for section in inst.sections:
        assert counts[f"GET {section.code}"] == 1, counts
        if section.code != last:
            expected = 3 if section.code == "log_on" else 2
            assert counts[f"POST {section.code}"] == expected, counts
    # 38: the link page also asks whether a log is due yet (one log per due period).
    assert sum(counts.values()) <= 38, counts
    # Link pages never touch the session table, and set no session cookie.
    assert Session.objects.count() == 0
    assert "sessionid" not in client.cookies


@pytest.mark.django_db
def test_a_resent_last_page_is_recognised_in_the_same_query(client, participant_factory):
    """The stored-log check and the open log come from one query; a resent last page still
    lands on the thank-you page and stores nothing twice."""
    p = participant_factory()
    token = links.new_token(p, "test")
    client.post(f"/l/{token}/")
    draft = Draft.objects.get(participant=p, log__isnull=True)
    inst = pages.instrument(draft.instrument)
    for section in inst.sections:
        response = client.post(f"/l/{token}/log/{section.code}/",
                               {"key": draft.submission_key, **_answers(section)})
    assert response["Location"].endswith("/thanks/")
    last = inst.sections[-1].code
    with CaptureQueriesContext(connection) as queries:
        again = client.post(f"/l/{token}/log/{last}/",
                            {"key": draft.submission_key, **_answers(inst.sections[-1])})
    assert again.status_code == 302 and again["Location"].endswith("/thanks/")
    assert len(queries.captured_queries) == 1
    assert Log.objects.filter(participant=p).count() == 1


def _fields(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


@pytest.mark.django_db
def test_the_one_query_lookup_gives_what_the_orm_gives(participant_factory):
    """Every field of the link, participant, project, personal ID and drafts, converted as the
    ORM converts them (dates, JSON, booleans), and the related objects attached."""
    from peerlog.capture import linklookup
    from peerlog.capture.models import Participant, PersonalLink

    p = participant_factory()
    token = links.new_token(p, "test")
    token_hash = Participant.hash_token(token)
    store_log(scope=None, instrument="monthly", answers={}, typed_personal_id=p.personal_id.code,
              completed_on=timezone.localdate() - dt.timedelta(days=40), mode="online",
              submission_key="stored-key")
    sent = Draft.objects.create(participant=p, instrument="monthly", submission_key="stored-key",
                                log=Log.objects.get(participant=p))
    open_ = Draft.objects.create(participant=p, instrument="monthly", submission_key="open-key",
                                 answers={"wellbeing_1": "3", "nested": [1, {"a": None}]},
                                 done_sections=["about"])
    orm = PersonalLink.objects.select_related("participant__project",
                                              "participant__personal_id").get(token_hash=token_hash)
    open_fields = _fields(Draft.objects.get(pk=open_.pk))
    for key, finished in ((None, False), ("", False), ("stored-key", True), ("other", False)):
        with CaptureQueriesContext(connection) as queries:
            found = linklookup.find(token_hash, key)
            link = found.link
            assert _fields(link) == _fields(orm)
            assert _fields(link.participant) == _fields(orm.participant)
            assert _fields(link.participant.project) == _fields(orm.participant.project)
            assert _fields(link.participant.personal_id) == _fields(orm.participant.personal_id)
            assert link.participant.personal_id.participant is link.participant
            if key is None:
                assert found.open_draft is None and not found.finished
            else:
                assert _fields(found.open_draft) == open_fields
                assert found.open_draft.participant is link.participant
                assert found.finished is finished
        assert len(queries.captured_queries) == 1
    assert sent.pk != open_.pk
    assert linklookup.find("0" * 64).link is None
    assert linklookup.find("0" * 64, "stored-key").link is None
