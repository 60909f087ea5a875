"""Hostile and random input on every participant form: never a server error, never an invalid
value stored, always a message at the field (property-based, hypothesis)."""

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peerlog.capture import links
from peerlog.capture.forms import E164, TEXT_MAX
from peerlog.capture.models import Draft, Log, Participant, RegistrationDraft
from peerlog.capture.views.registration import SESSION_KEY, STEP_NAMES, STEPS
from peerlog.instruments import PREFER_NOT, TICKED, load_instrument, score

HOSTILE = [
    "", " ", "0", "-1", "1e9", "999999999999999999999", "3.5", "NaN", "٣", "²", "t", TICKED,
    PREFER_NOT, "<script>alert(1)</script>", "' OR 1=1 --", "\x00", "a\x00b", "🙂" * 3,
    "x" * 5000, "2999-01-01", "0001-01-01", "31/02/2020", "+447700900123", "07700 900123",
    "a@b", "a@example.org", "yes", "no", "enter", "leeds", "__proto__", "%s%s%n", "../../etc",
]


def values_for(item):
    options = [str(o.value) for o in item.options]
    base = st.sampled_from(HOSTILE + options) if options else st.sampled_from(HOSTILE)
    single = st.one_of(base, st.text(max_size=40), st.integers(-10**6, 10**6).map(str))
    if item.type == "multi":
        return st.lists(single, max_size=4)
    return single


def page_strategy(items):
    return st.fixed_dictionaries({}, optional={i.code: values_for(i) for i in items})


def is_stored_value_valid(item, value):
    if value in (None, "", []):
        return False  # unanswered questions are left out
    if item.type in ("text", "postal"):  # free text: any words, even a reserved one
        return isinstance(value, str) and len(value) <= TEXT_MAX and "\x00" not in value
    if value == PREFER_NOT:
        return item.prefer_not
    if item.type == "single":
        return item.option(value) is not None
    if item.type == "multi":
        return isinstance(value, list) and all(
            item.option(v) is not None or (v == PREFER_NOT and item.prefer_not) for v in value)
    if item.type in ("integer", "count"):
        return (isinstance(value, int) and not isinstance(value, bool)
                and (item.min is None or value >= item.min)
                and (item.max is None or value <= item.max))
    if item.type == "phone":
        return bool(E164.match(value))
    if item.type == "email":
        return "@" in value and len(value) <= 254
    if item.type == "date":
        return bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", value))
    if item.type == "personal_id":
        return isinstance(value, str) and len(value) <= TEXT_MAX and "\x00" not in value
    return False


def assert_messages_at_fields(response, posted):
    page = response.content.decode()
    assert 'class="error-summary"' in page
    ids = re.findall(r'id="id_([a-z0-9_]+)-error"', page)
    assert ids, "an error with no message at any field"
    for code in ids:
        assert code in posted or code in {"contact_phone", "contact_email", "contact_postal",
                                          "contact_channels", "consent_information",
                                          "consent_reminders", "consent_data_use",
                                          "region", "project", "personal_id"}
    assert "Traceback" not in page


HYPO = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

LOG_SECTIONS = [(code, s.code) for code in ("quarterly", "monthly_short")
                for s in load_instrument(code).sections]


@pytest.mark.django_db
@pytest.mark.parametrize("instrument,section", LOG_SECTIONS)
def test_log_pages_take_any_input(client, participant_factory, instrument, section):
    import secrets

    p = participant_factory(short_version=instrument.endswith("_short"))
    token = links.new_token(p, "test")
    inst = load_instrument(instrument)
    codes = [s.code for s in inst.sections]
    items = next(s for s in inst.sections if s.code == section).items

    @HYPO
    @given(data=page_strategy([i for i in items if i.type != "personal_id"]))
    def run(data):
        Draft.objects.filter(participant=p, log__isnull=True).delete()
        draft = Draft.objects.create(participant=p, instrument=instrument,
                                     submission_key=secrets.token_hex(16),
                                     done_sections=codes[:-1])
        response = client.post(f"/l/{token}/log/{section}/", data)
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert_messages_at_fields(response, data)
            return
        draft.refresh_from_db()
        stored = Log.objects.get(submission_key=draft.submission_key).answers \
            if draft.log_id else draft.answers
        for code, value in stored.items():
            assert is_stored_value_valid(inst.items[code], value), (code, value)
        score(inst, stored)  # raises on anything that cannot be scored

    run()


@pytest.mark.django_db
@pytest.mark.parametrize("step", STEP_NAMES)
def test_registration_pages_take_any_input(client, issued_id, project_factory, step):
    project = project_factory(region="Leeds")
    issued_id(project)
    registration = load_instrument("registration")
    section_code = dict((s, sec) for s, sec, _ in STEPS)[step]
    items = next(s for s in registration.sections if s.code == section_code).items

    @HYPO
    @given(data=page_strategy(items))
    def run(data):
        if step == "project" and "project" in data and data["project"] == "leeds":
            data["project"] = project.code
        RegistrationDraft.objects.all().delete()
        session = client.session
        session[SESSION_KEY] = "k"
        session.save()
        RegistrationDraft.objects.create(
            session_key="k", answers=json.dumps({"region": project.region.code}),
            done_sections=STEP_NAMES[:-1])
        response = client.post(f"/register/{step}/", data)
        assert response.status_code in (200, 302)
        if response.status_code == 200:
            assert_messages_at_fields(response, data)
            return
        draft = RegistrationDraft.objects.filter(session_key="k").first()
        if draft is None:  # the last page: a participant was stored
            participant = Participant.objects.get()
            stored = participant.registration_answers
            Participant.objects.all().delete()
        else:
            stored = json.loads(draft.answers)
        for code, value in stored.items():
            if code.startswith("_") or code == "project":
                continue
            assert is_stored_value_valid(registration.items[code], value), (code, value)

    run()
