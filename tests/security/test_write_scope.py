"""Issue 9, item 1: writes are scoped like reads.

Every POST that names a participant or a personal ID, for every role, with a target inside
and outside the role's scope. The attack from the report: a coordinator of project B types
the personal ID of a project-A participant on B's paper entry screen. The log must be stored
as unregistered (flagged for central staff only), never attached, and the typist's answer
must be the same as for an ID no one registered. Each case checks the rows written.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from tests.conftest import DAY, monthly_answers

from peerlog.capture import links
from peerlog.capture.models import AuditEvent, Log, Participant, PersonalIdBatch, PersonalLink
from peerlog.capture.services import OUT_OF_SCOPE_ID, UNREGISTERED_ID, store_log
from peerlog.outreach.models import Message
from peerlog.staff.models import PaperEntry, QualityReview, RepeatRegistration

IN_SCOPE = ["coordinator", "regional_researcher", "central_researcher"]  # project A's
OUT_OF_SCOPE = ["other_coordinator", "other_regional_researcher"]  # project B's only
ROW_ROLES = IN_SCOPE + OUT_OF_SCOPE
NO_ROWS = ["commissioner", "administrator"]
RECENT = timezone.localdate() - dt.timedelta(days=3)


def paper(pid: str, key: str) -> dict:
    data = {"id-personal_id": pid, "id-date_completed": RECENT.strftime("%d/%m/%Y"),
            "submission_key": key, "peer_support-ps_informal_given": "3",
            "id-confirm_id": "on"}  # IDs of other projects: the typist confirms them as written
    return data | {f"wellbeing-swemwbs_{i}": "4" for i in range(1, 8)}


def own_project(world, role):
    return world.b if role in OUT_OF_SCOPE else world.a


def _normalised(body: str) -> str:
    """A page with what differs between any two requests (tokens, numbers) blanked out."""
    body = re.sub(r'value="[0-9a-zA-Z_-]{20,}"', 'value=""', body)
    return re.sub(r"\d+", "N", body)


# --- Paper entry --------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROW_ROLES)
def test_paper_entry_attaches_only_inside_scope(client, world, role):
    user = world.staff[role]
    client.force_login(user)
    project = own_project(world, role)
    url = f"/staff/entry/{project.pk}/monthly/en/"
    attack = client.post(url, paper(world.pa.personal_id.code, "k-attack"), follow=True)
    log = Log.objects.get(entered_by=user, submission_key__endswith="k-attack")
    entry = PaperEntry.objects.get(log=log)
    assert entry.project == project and entry.kind == "first"
    assert AuditEvent.objects.filter(action="log.create", target_id=str(log.pk)).exists()
    if role in IN_SCOPE:
        assert log.participant == world.pa
        assert UNREGISTERED_ID not in log.flags and OUT_OF_SCOPE_ID not in log.flags
        return
    assert log.participant is None
    assert log.typed_personal_id == world.pa.personal_id.code
    assert UNREGISTERED_ID in log.flags and OUT_OF_SCOPE_ID in log.flags
    assert not world.pa.logs.filter(pk=log.pk).exists()
    # The same answer, word for word, as for an ID no one ever registered.
    unknown = client.post(url, paper("1234567", "k-unknown"), follow=True)
    other = Log.objects.get(entered_by=user, submission_key__endswith="k-unknown")
    assert other.participant is None and OUT_OF_SCOPE_ID not in other.flags
    assert attack.status_code == unknown.status_code == 200
    assert attack.redirect_chain == unknown.redirect_chain
    assert _normalised(attack.content.decode()) == _normalised(unknown.content.decode())
    assert f"Log {log.pk} stored." in attack.content.decode()
    assert world.pa.personal_id.code not in attack.content.decode()


@pytest.mark.parametrize("role", OUT_OF_SCOPE)
def test_paper_entry_on_another_projects_screen_is_not_found(client, world, role):
    client.force_login(world.staff[role])
    before = Log.objects.count()
    response = client.post(f"/staff/entry/{world.a.pk}/monthly/en/",
                           paper(world.pa.personal_id.code, "k-a"))
    assert response.status_code == 404
    assert Log.objects.count() == before and not PaperEntry.objects.filter(
        log__submission_key__endswith="k-a").exists()


def test_the_out_of_scope_flag_is_shown_to_central_researchers_only(client, world):
    typist = world.staff["other_coordinator"]
    client.force_login(typist)
    client.post(f"/staff/entry/{world.b.pk}/monthly/en/", paper(world.pa.personal_id.code, "q"))
    log = Log.objects.get(entered_by=typist)
    label = "outside the typist"
    for role, sees in (("other_coordinator", False), ("central_researcher", True)):
        client.force_login(world.staff[role])
        queue = client.get("/staff/quality/").content.decode()
        problem = client.get(f"/staff/quality/log/{log.pk}/unregistered_id/").content.decode()
        assert f"Resolve log {log.pk}" in queue
        assert (label in queue, label in problem) == (sees, sees), role
    # Central staff match it to the person; the flags go with the match.
    client.post(f"/staff/quality/log/{log.pk}/unregistered_id/",
                {"outcome": "match", "personal_id": world.pa.personal_id.code})
    log.refresh_from_db()
    assert log.participant == world.pa and log.flags == []


def test_a_submission_key_of_someone_else_never_returns_their_log(client, world):
    client.force_login(world.staff["coordinator"])
    client.post(f"/staff/entry/{world.a.pk}/monthly/en/", paper(world.pa.personal_id.code,
                                                                 "shared-key"), follow=True)
    mine = Log.objects.get(entered_by=world.staff["coordinator"])
    client.force_login(world.staff["other_coordinator"])
    response = client.post(f"/staff/entry/{world.b.pk}/monthly/en/",
                           paper("1234567", "shared-key"), follow=True)
    theirs = Log.objects.get(entered_by=world.staff["other_coordinator"])
    assert theirs.pk != mine.pk and theirs.participant is None
    assert f"Log {mine.pk} stored" not in response.content.decode()


@pytest.mark.parametrize("role", OUT_OF_SCOPE)
def test_paper_registration_of_another_projects_id_is_refused_like_an_unknown_one(
        client, world, issued_id, role):
    client.force_login(world.staff[role])
    url = f"/staff/entry/{world.b.pk}/registration/en/"
    base = {"id-date_completed": RECENT.strftime("%d/%m/%Y"),
            "consent-consent_information": "yes", "consent-consent_data_use": "yes",
            "consent-consent_reminders": "yes"}
    a_id = issued_id(world.a)
    before = Participant.objects.count()
    attack = client.post(url, base | {"id-personal_id": a_id})
    unknown = client.post(url, base | {"id-personal_id": "1234567"})
    assert attack.status_code == unknown.status_code == 400
    assert Participant.objects.count() == before
    assert "not issued to this project" in attack.content.decode()
    assert _normalised(attack.content.decode().replace(a_id, "")) == _normalised(
        unknown.content.decode().replace("1234567", ""))


# --- Double entry ---------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROW_ROLES)
def test_second_entry_only_inside_scope(client, world, role):
    client.force_login(world.staff[role])
    response = client.post(f"/staff/entry/log/{world.held.pk}/second/",
                           paper(world.pa.personal_id.code, "s") | {"id-date_completed":
                                                                     DAY.strftime("%d/%m/%Y"),
                                                                     "id-confirm_old_date": "on"})
    second = PaperEntry.objects.filter(log=world.held, kind="second")
    if role in IN_SCOPE:
        assert response.status_code == 302 and second.get().entered_by == world.staff[role]
    else:
        assert response.status_code == 404 and not second.exists()


@pytest.mark.parametrize("role", ROW_ROLES)
def test_resolving_differences_only_inside_scope(client, world, role):
    client.force_login(world.staff[role])
    response = client.post(f"/staff/entry/log/{world.differing.pk}/resolve/",
                           {"pick_swemwbs_1": "second"})
    world.differing.refresh_from_db()
    resolution = PaperEntry.objects.filter(log=world.differing, kind="resolution")
    if role in IN_SCOPE:
        assert response.status_code == 302 and resolution.exists()
        assert world.differing.status == Log.Status.COMPLETE
        assert world.differing.participant == world.pa
    else:
        assert response.status_code == 404 and not resolution.exists()
        assert world.differing.status == Log.Status.HELD


def test_resolution_looks_the_id_up_in_the_resolvers_scope(client, world, make_staff):
    """Project B's held log typed with A's ID: resolved by B's coordinator it stays
    unattached (even when an earlier system import had attached it)."""
    log, _ = store_log(instrument="monthly", answers=monthly_answers(), scope=None,
                       typed_personal_id=world.pa.personal_id.code, completed_on=RECENT,
                       mode="paper", submission_key="b-held", status=Log.Status.HELD)
    assert log.participant == world.pa
    c1, c2 = (make_staff("coordinator", projects=[world.b]) for _ in range(2))
    pid = world.pa.personal_id.code
    PaperEntry.objects.create(log=log, project=world.b, kind="first", entered_by=c1,
                              values={"personal_id": pid, "date_completed": RECENT.isoformat(),
                                      "swemwbs_1": 4})
    PaperEntry.objects.create(log=log, project=world.b, kind="second", entered_by=c2,
                              values={"personal_id": pid, "date_completed": RECENT.isoformat(),
                                      "swemwbs_1": 5})
    client.force_login(world.staff["other_coordinator"])
    response = client.post(f"/staff/entry/log/{log.pk}/resolve/", {"pick_swemwbs_1": "second"})
    assert response.status_code == 302
    log.refresh_from_db()
    assert log.participant is None and log.status == Log.Status.COMPLETE
    assert UNREGISTERED_ID in log.flags and OUT_OF_SCOPE_ID in log.flags
    assert log.answers["swemwbs_1"] == 5


# --- Data quality ---------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROW_ROLES)
def test_matching_an_unregistered_log_only_inside_scope(client, world, role):
    client.force_login(world.staff[role])
    response = client.post(f"/staff/quality/log/{world.unregistered.pk}/unregistered_id/",
                           {"outcome": "match", "personal_id": world.pa.personal_id.code})
    world.unregistered.refresh_from_db()
    reviews = QualityReview.objects.filter(log=world.unregistered)
    if role in IN_SCOPE:
        assert response.status_code == 302 and world.unregistered.participant == world.pa
        assert reviews.get().outcome == "match"
    else:
        assert response.status_code == 404
        assert world.unregistered.participant is None and not reviews.exists()


@pytest.mark.parametrize("role", OUT_OF_SCOPE)
def test_matching_own_log_to_another_projects_participant_is_refused(client, world, role):
    log, _ = store_log(instrument="monthly", answers=monthly_answers(), scope=None,
                       typed_personal_id="7654321", completed_on=RECENT, mode="paper",
                       submission_key="b-unreg")
    PaperEntry.objects.create(log=log, project=world.b, kind="first",
                              entered_by=world.staff["other_coordinator"], values={})
    client.force_login(world.staff[role])
    url = f"/staff/quality/log/{log.pk}/unregistered_id/"
    attack = client.post(url, {"outcome": "match", "personal_id": world.pa.personal_id.code})
    unknown = client.post(url, {"outcome": "match", "personal_id": "1234567"})
    log.refresh_from_db()
    assert log.participant is None and not QualityReview.objects.filter(log=log).exists()
    assert attack.status_code == unknown.status_code == 400
    assert "No participant of your projects has that personal ID." in attack.content.decode()
    code = world.pa.personal_id.code
    assert _normalised(attack.content.decode().replace(code, "")) == _normalised(
        unknown.content.decode().replace("1234567", ""))


@pytest.mark.parametrize("role", ROW_ROLES)
def test_corrections_only_inside_scope(client, world, role):
    client.force_login(world.staff[role])
    response = client.post(f"/staff/quality/log/{world.unregistered.pk}/ticks/",
                           {"outcome": "correct", "a-ps_groups_given": "2"})
    world.unregistered.refresh_from_db()
    if role in IN_SCOPE:
        assert response.status_code == 302
        assert world.unregistered.answers["ps_groups_given"] == 2
    else:
        assert response.status_code == 404
        assert world.unregistered.answers["ps_groups_given"] == "ticked"
        assert not AuditEvent.objects.filter(action="log.change").exists()


@pytest.mark.parametrize("role", ROW_ROLES)
def test_repeat_registration_only_inside_scope(client, world, participant_factory, role):
    later = participant_factory(project=world.a)
    store_log(instrument="monthly", answers=monthly_answers(), scope=None,
              typed_personal_id=later.personal_id.code, completed_on=RECENT, mode="online",
              submission_key="later")
    client.force_login(world.staff[role])
    response = client.post(f"/staff/quality/registration/{later.pk}/",
                           {"same_as": world.pa.pk, "outcome": "same_person"})
    if role in IN_SCOPE:
        assert response.status_code == 302
        assert RepeatRegistration.objects.get(participant=later).same_as == world.pa
        assert later.logs.count() == 0
    else:
        assert response.status_code == 404
        assert not RepeatRegistration.objects.exists() and later.logs.count() == 1


@pytest.mark.parametrize("role", OUT_OF_SCOPE)
def test_own_participant_cannot_be_routed_to_another_projects_person(client, world, role):
    client.force_login(world.staff[role])
    response = client.post(f"/staff/quality/registration/{world.pb.pk}/",
                           {"same_as": world.pa.pk, "outcome": "same_person"})
    assert response.status_code == 404 and not RepeatRegistration.objects.exists()


# --- Participants: withdrawal, links, contact details -------------------------------------

@pytest.mark.parametrize("role", ROW_ROLES)
def test_withdrawal_only_inside_scope(client, world, role):
    client.force_login(world.staff[role])
    response = client.post(f"/staff/participants/{world.pa.pk}/withdraw/",
                           {"withdrawal": "no_contact"})
    world.pa.refresh_from_db()
    events = AuditEvent.objects.filter(action="participant.withdraw")
    if role in IN_SCOPE:
        assert response.status_code == 302 and world.pa.withdrawal == "no_contact"
        assert events.get().actor == world.staff[role]
    else:
        assert response.status_code == 404
        assert world.pa.withdrawal in ("", None) and world.pa.withdrawn_at is None
        assert not events.exists()


@pytest.mark.parametrize("role", ROW_ROLES)
def test_revoking_links_only_inside_scope(client, world, role):
    links.issue_link(world.pa, "reminder")
    client.force_login(world.staff[role])
    response = client.post(f"/staff/participants/{world.pa.pk}/links/revoke/")
    link = PersonalLink.objects.get(participant=world.pa)
    if role in IN_SCOPE:
        assert response.status_code == 302 and link.revoked_at is not None
    else:
        assert response.status_code == 404 and link.revoked_at is None
        assert not AuditEvent.objects.filter(action="participant.revoke_links").exists()


@pytest.mark.parametrize("role", ROW_ROLES + NO_ROWS)
def test_contact_details_only_for_central_researchers(client, world, role):
    client.force_login(world.staff[role])
    response = client.post(f"/staff/participants/{world.pa.pk}/contact/",
                           {"reason": "returning a lost form"})
    body = response.content.decode()
    if role == "central_researcher":
        assert response.status_code == 200 and "a@example.org" in body
        assert AuditEvent.objects.get(action="contact.view").actor == world.staff[role]
    else:
        assert response.status_code == 403 and "a@example.org" not in body
        assert not AuditEvent.objects.filter(action="contact.view").exists()


# --- Personal IDs and printed forms --------------------------------------------------------

@pytest.mark.parametrize("role", ROW_ROLES)
def test_issuing_ids_only_inside_scope(client, world, role):
    client.force_login(world.staff[role])
    before = PersonalIdBatch.objects.filter(project=world.a).count()
    response = client.post("/staff/ids/", {"project": world.a.pk, "count": 3})
    after = PersonalIdBatch.objects.filter(project=world.a).count()
    if role in IN_SCOPE:
        assert response.status_code == 302 and after == before + 1
    else:
        assert response.status_code == 400 and after == before
        assert "Select a valid choice" in response.content.decode()


@pytest.mark.parametrize("role", ROW_ROLES)
def test_printing_a_form_with_an_id_only_inside_scope(client, world, role):
    client.force_login(world.staff[role])
    code = world.pa.personal_id.code
    response = client.get(f"/staff/paper/monthly/en.pdf?personal_id={code}")
    if role in IN_SCOPE:
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    else:
        assert response.status_code == 404 and b"%PDF" not in response.content


# --- Outreach decisions (views owned elsewhere; checked here) -----------------------------

@pytest.mark.parametrize("role", ROW_ROLES)
def test_outreach_decisions_only_inside_scope(client, world, role):
    msg = Message.objects.create(participant=world.pa, month="2026-01", channel="email",
                                 state=Message.State.FAILED)
    client.force_login(world.staff[role])
    response = client.post(f"/staff/outreach/messages/{msg.pk}/decide/", {"action": "cancel"})
    msg.refresh_from_db()
    if role in IN_SCOPE:
        assert response.status_code == 302 and msg.state == Message.State.CANCELLED
    else:
        assert response.status_code == 404 and msg.state == Message.State.FAILED
        assert not AuditEvent.objects.filter(action="outreach.cancel").exists()


# --- Roles with no rows write nothing ------------------------------------------------------

@pytest.mark.parametrize("role", NO_ROWS)
def test_roles_without_rows_write_nothing(client, world, role):
    client.force_login(world.staff[role])
    logs, entries = Log.objects.count(), PaperEntry.objects.count()
    pid = world.pa.personal_id.code
    posts = [
        (f"/staff/entry/{world.a.pk}/monthly/en/", paper(pid, "nr")),
        (f"/staff/entry/log/{world.held.pk}/second/", paper(pid, "nr2")),
        (f"/staff/entry/log/{world.differing.pk}/resolve/", {"pick_swemwbs_1": "first"}),
        (f"/staff/quality/log/{world.unregistered.pk}/unregistered_id/",
         {"outcome": "match", "personal_id": pid}),
        (f"/staff/quality/registration/{world.pb.pk}/", {"same_as": world.pa.pk,
                                                           "outcome": "same_person"}),
        (f"/staff/participants/{world.pa.pk}/withdraw/", {"withdrawal": "remove_data"}),
        (f"/staff/participants/{world.pa.pk}/links/revoke/", {}),
        ("/staff/ids/", {"project": world.a.pk, "count": 3}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    world.pa.refresh_from_db()
    world.unregistered.refresh_from_db()
    assert (Log.objects.count(), PaperEntry.objects.count()) == (logs, entries)
    assert world.pa.withdrawal in ("", None) and world.unregistered.participant is None
    assert not RepeatRegistration.objects.exists() and not QualityReview.objects.exists()
    assert PersonalIdBatch.objects.filter(project=world.a).count() == 1


# --- The scope parameter itself --------------------------------------------------------------

def test_store_log_scopes(world):
    """None is the system's scope; a participant's own pages attach only to them; a
    queryset of projects attaches only inside it. Every caller must say which."""
    from peerlog.capture.models import Project
    from peerlog.capture.services import find_participant

    code = world.pa.personal_id.code
    assert find_participant(code, scope=None) == world.pa
    assert find_participant(code, scope=world.pa) == world.pa
    assert find_participant(code, scope=world.pb) is None
    assert find_participant(code, scope=Project.objects.filter(pk=world.b.pk)) is None
    assert find_participant("", scope=None) is None
    with pytest.raises(TypeError):
        find_participant(code)  # no default: forgetting the scope is an error
    with pytest.raises(TypeError):
        store_log(instrument="monthly", answers=monthly_answers(), typed_personal_id=code,
                  completed_on=RECENT, mode="online", submission_key="no-scope")
    log, _ = store_log(instrument="monthly", answers=monthly_answers(), scope=world.pb,
                       typed_personal_id=code, completed_on=RECENT, mode="online",
                       submission_key="other-person")
    assert log.participant is None and OUT_OF_SCOPE_ID in log.flags
    assert not Log.objects.filter(submission_key="no-scope").exists()
