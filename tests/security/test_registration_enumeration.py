"""Issue 9 item 6 (registration): no ID enumeration, no squatting, bounded drafts.

Each test performs the attack through the real pages and checks the response body and the
rows stored: one neutral answer for "not issued" and "already registered"; lookups limited
per client address and per ID with counters in the database (atomic, across processes);
registration bound to the project that was issued the ID; drafts bounded per client.
"""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection
from django.test import Client

from peerlog.capture import personal_ids, ratelimit
from peerlog.capture.models import AuditEvent, Participant, RateLimit, RegistrationDraft

pytestmark = pytest.mark.django_db


def id_error(response) -> str:
    match = re.search(r'id="id_personal_id-error">(.*?)</p>', response.content.decode(), re.S)
    return match.group(1) if match else ""


def unissued_id() -> str:
    body = "12345"
    return body + personal_ids.check_digit(body)


def to_step(client, posts, step: str) -> None:
    for name, data in posts:
        if name == step:
            return
        assert client.post(f"/register/{name}/", data).status_code == 302, name
    raise AssertionError(step)


@pytest.fixture
def limits(settings):
    def set_limits(**values):
        settings.PEERLOG = {**settings.PEERLOG, **values}
    return set_limits


def test_not_issued_and_already_registered_get_the_same_answer(client, issued_id,
                                                               participant_factory,
                                                               project_factory,
                                                               registration_posts):
    project = project_factory()
    to_step(client, registration_posts(issued_id(project), project), "id")
    taken = participant_factory(project=project).personal_id.code
    never = unissued_id()
    answers = {code: id_error(client.post("/register/id/", {"personal_id": code}))
               for code in (never, taken)}
    assert answers[never] and answers[never] == answers[taken]
    assert "We cannot register this personal ID" in answers[never]
    assert "already" not in answers[taken] and "cannot find" not in answers[taken]
    draft = RegistrationDraft.objects.get()
    assert "id" not in draft.done_sections and "personal_id" not in draft.answers
    # A typo (check digit) still says so: it tells a stranger nothing.
    typo = never[:-1] + str((int(never[-1]) + 1) % 10)
    assert "does not look right" in id_error(client.post("/register/id/",
                                                         {"personal_id": typo}))


def test_id_lookups_are_limited_per_client(client, issued_id, project_factory,
                                           registration_posts, limits):
    limits(REGISTER_ID_LIMIT_PER_CLIENT=3)
    project = project_factory()
    real = issued_id(project)
    to_step(client, registration_posts(real, project), "id")
    guesses = [str(10000 + n) for n in range(3)]
    for body in guesses:
        response = client.post("/register/id/", {"personal_id": body + personal_ids.check_digit(body)})
        assert response.status_code == 200 and "We cannot register" in id_error(response)
    # The fourth lookup is refused, even for an ID that would have worked.
    response = client.post("/register/id/", {"personal_id": real})
    assert response.status_code == 429
    assert "try again in an hour" in id_error(response)
    assert 'value="' + real + '"' in response.content.decode()  # what was typed is kept
    draft = RegistrationDraft.objects.get()
    assert "id" not in draft.done_sections
    row = RateLimit.objects.get(scope="register-id-client")
    assert row.count == 4
    # Counters hold no address or ID in clear.
    stored = " ".join(f"{r.key} {r.scope}" for r in RateLimit.objects.all())
    assert "127.0.0.1" not in stored and real not in stored
    # Another client address is not held back.
    other = Client(REMOTE_ADDR="192.0.2.7")
    to_step(other, registration_posts(real, project), "id")
    assert other.post("/register/id/", {"personal_id": real})["Location"] == "/register/contact/"


def test_id_lookups_are_limited_per_id_across_addresses(issued_id, project_factory,
                                                        registration_posts, limits):
    limits(REGISTER_ID_LIMIT_PER_ID=2)
    project = project_factory()
    target = issued_id(project)
    results = []
    for n in range(4):  # four addresses try the same ID
        client = Client(REMOTE_ADDR=f"198.51.100.{n + 1}")
        to_step(client, registration_posts(target, project), "id")
        results.append(client.post("/register/id/", {"personal_id": target}).status_code)
    assert results == [302, 302, 429, 429]
    assert RateLimit.objects.get(scope="register-id").count == 4
    with_id = [d for d in RegistrationDraft.objects.all() if "id" in d.done_sections]
    assert len(with_id) == 2


@pytest.mark.django_db(transaction=True)
def test_the_counter_is_atomic_under_concurrent_attempts():
    counts = []

    def attempt():
        try:
            for _ in range(5):
                counts.append(ratelimit.hit("test-scope", "203.0.113.9", limit=12))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert RateLimit.objects.get(scope="test-scope").count == 30
    assert counts.count(True) == 12 and counts.count(False) == 18


def test_registration_starts_are_limited_per_client(registration_posts, limits):
    limits(REGISTER_START_LIMIT_PER_CLIENT=3)
    consent = {"consent_information": "yes", "consent_reminders": "yes",
               "consent_data_use": "yes"}
    # A refused consent makes no draft at all.
    assert Client().post("/register/consent/", {**consent, "consent_data_use": "no"}) \
        .status_code == 200
    assert not RegistrationDraft.objects.exists()
    statuses = [Client(REMOTE_ADDR="203.0.113.5").post("/register/consent/", consent)
                for _ in range(5)]
    assert [r.status_code for r in statuses] == [302, 302, 302, 429, 429]
    assert "cannot start another one just now" in statuses[-1].content.decode()
    assert RegistrationDraft.objects.count() == 3
    assert Client(REMOTE_ADDR="203.0.113.6").post("/register/consent/", consent) \
        .status_code == 302
    assert RegistrationDraft.objects.count() == 4


def test_an_id_issued_to_one_project_registers_there_unless_explicitly_moved(
        client, issued_id, project_factory, registration_posts):
    suffolk = project_factory(region="Suffolk", name="Suffolk Peers")
    leeds = project_factory(region="Leeds", name="Leeds Hearing Voices")
    pid = issued_id(suffolk)
    posts = registration_posts(pid, leeds)
    to_step(client, posts, "region")
    region_page = client.get("/register/region/").content.decode()
    assert re.search(r'value="suffolk"[^>]*checked', region_page)
    # Leeds instead: the project page asks for an explicit choice.
    assert client.post("/register/region/", {"region": "leeds"}).status_code == 302
    response = client.post("/register/project/", {"project": leeds.code})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Your personal ID was given out by Suffolk Peers" in page
    assert 'name="confirm_other" value="' + leeds.code + '"' in page
    # Finishing anyway does not register into Leeds behind anyone's back.
    for name, data in posts[5:]:
        client.post(f"/register/{name}/", data)
    assert not Participant.objects.exists()
    # Ticked: registered with Leeds, flagged for staff, audited.
    assert client.post("/register/project/", {"project": leeds.code,
                                              "confirm_other": leeds.code}).status_code == 302
    for name, data in posts[5:]:
        response = client.post(f"/register/{name}/", data)
    assert response.status_code == 200
    person = Participant.objects.get(personal_id__code=pid)
    assert person.project == leeds and person.other_project_chosen is True
    event = AuditEvent.objects.get(action="participant.other_project")
    assert event.detail == {"issuing_project": suffolk.code, "chosen_project": leeds.code}


def test_the_issuing_project_is_preselected_and_not_flagged(client, issued_id, project_factory,
                                                            registration_posts):
    suffolk = project_factory(region="Suffolk", name="Suffolk Peers")
    project_factory(region="Suffolk", name="Another Suffolk group")
    pid = issued_id(suffolk)
    posts = registration_posts(pid, suffolk)
    to_step(client, posts, "project")
    page = client.get("/register/project/").content.decode()
    assert re.search(r'value="' + suffolk.code + '"[^>]*checked', page)
    for name, data in posts[4:]:
        client.post(f"/register/{name}/", data)
    person = Participant.objects.get(personal_id__code=pid)
    assert person.project == suffolk and person.other_project_chosen is False
    assert not AuditEvent.objects.filter(action="participant.other_project").exists()
