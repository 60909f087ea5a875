"""The permission matrix: every staff URL and every export against every role.

"Allowed" is a page (200) or, for a POST that acts, a redirect after acting; "refused" is
403 for a role that may never use the page, and 404 for an object outside the staff
member's projects (the same answer whether or not it exists, so nothing leaks). Anonymous
visitors are sent to sign in.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

ROLES = ["coordinator", "other_coordinator", "regional_researcher",
         "other_regional_researcher", "central_researcher", "commissioner", "administrator"]
ROW = {"coordinator", "other_coordinator", "regional_researcher",
       "other_regional_researcher", "central_researcher"}
ROW_A = {"coordinator", "regional_researcher", "central_researcher"}  # who sees project A
FIGURES = ROW | {"commissioner"}
CENTRAL = {"central_researcher"}
COORDS = {"coordinator", "other_coordinator"}
ADMIN = {"administrator"}
EVERYONE = set(ROLES)


def matrix(w):
    """(label, method, url, data, roles allowed, roles refused with 404 rather than 403)."""
    pa, a = w.pa, w.a
    return [
        ("home", "get", "/staff/", None, EVERYONE, set()),
        ("monitoring", "get", "/staff/monitoring/", None, FIGURES, set()),
        *[(f"monitoring csv {n}", "get", f"/staff/monitoring/{n}.csv", None, FIGURES, set())
          for n in ("registrations", "logs", "since_first", "since_first_by_region",
                    "projects")],
        ("participants", "get", "/staff/participants/", None, ROW, set()),
        ("participant A by URL", "get", f"/staff/participants/{pa.pk}/", None, ROW_A,
         ROW - ROW_A),
        ("withdraw A", "post", f"/staff/participants/{pa.pk}/withdraw/",
         {"withdrawal": "no_contact"}, ROW_A, ROW - ROW_A),
        ("revoke A's links", "post", f"/staff/participants/{pa.pk}/links/revoke/", {},
         ROW_A, ROW - ROW_A),
        ("contact details of A", "post", f"/staff/participants/{pa.pk}/contact/",
         {"reason": "returning a lost form"}, CENTRAL, set()),
        ("id batches", "get", "/staff/ids/", None, ROW, set()),
        # Another project is not among the choices: the form refuses it (400).
        ("issue ids to A", "post", "/staff/ids/", {"project": a.pk, "count": 2}, ROW_A,
         ROW - ROW_A),
        ("slips of A's batch", "get", f"/staff/ids/{pa.personal_id.batch_id}/slips.pdf", None,
         ROW_A, ROW - ROW_A),
        ("paper forms", "get", "/staff/paper/", None, ROW, set()),
        ("paper form pdf", "get", "/staff/paper/monthly/en.pdf", None, ROW, set()),
        ("paper form pdf with A's ID", "get",
         f"/staff/paper/monthly/en.pdf?personal_id={pa.personal_id.code}", None, ROW_A,
         ROW - ROW_A),
        ("entry start", "get", "/staff/entry/", None, ROW, set()),
        ("entry screen for A", "get", f"/staff/entry/{a.pk}/monthly/en/", None, ROW_A,
         ROW - ROW_A),
        ("second entry of A's log", "get", f"/staff/entry/log/{w.held.pk}/second/", None,
         ROW_A, ROW - ROW_A),
        ("resolve A's log", "get", f"/staff/entry/log/{w.differing.pk}/resolve/", None,
         ROW_A, ROW - ROW_A),
        ("quality queue", "get", "/staff/quality/", None, ROW, set()),
        ("quality counts csv", "get", "/staff/quality/usable.csv", None, ROW, set()),
        ("quality problem of A's log", "get",
         f"/staff/quality/log/{w.unregistered.pk}/unregistered_id/", None, ROW_A, ROW - ROW_A),
        ("audit trail", "get", "/staff/audit/", None, CENTRAL, set()),
        ("audit trail csv", "get", "/staff/audit/?format=csv", None, CENTRAL, set()),
        ("exports", "get", "/staff/exports/", None, CENTRAL, set()),
        ("export participants.csv", "get", "/staff/exports/participants.csv", None, CENTRAL,
         set()),
        ("export logs.csv", "get", "/staff/exports/logs.csv", None, CENTRAL, set()),
        ("accounts", "get", "/staff/accounts/", None, ADMIN, set()),
        # Issue 13: a person's record, their logs, who is due
        ("find A by personal ID", "get",
         f"/staff/participants/?personal_id={pa.personal_id.code}", None, ROW, set()),
        ("log of A", "get", f"/staff/logs/{w.log.pk}/", None, ROW_A, ROW - ROW_A),
        ("correct A's log", "post", f"/staff/logs/{w.log.pk}/",
         {"a-ps_informal_given": "3", "reason": "typing slip"}, ROW_A, ROW - ROW_A),
        ("due list", "get", "/staff/due/", None, ROW, set()),
        ("due list csv", "get", "/staff/due/?format=csv", None, ROW, set()),
        # Issue 13 items 3b, 7-9 (staffa): post mailing, ID batch page, reminders, backup codes
        ("post mailing page", "get", "/staff/post/", None, COORDS, set()),
        ("make A's post mailing", "post", "/staff/post/", {"project": a.pk}, {"coordinator"},
         {"other_coordinator"}),
        ("IDs of A's batch", "get", f"/staff/ids/{pa.personal_id.batch_id}/", None, ROW_A,
         ROW - ROW_A),
        ("reminders page", "get", "/staff/reminders/", None, ROW, set()),
        ("run a prize draw", "post", "/staff/reminders/draw/", {"month": "2026-01"}, CENTRAL,
         set()),
        ("backup codes", "get", "/staff/backup-codes/", None, EVERYONE, set()),
        # Issue 13 items 4 and 10: bulk decisions (outside scope the POST finds nothing to
        # decide: 400, and tests/staff/test_quality_queue.py checks the database), dates
        ("bulk set aside A's log", "post", "/staff/quality/bulk/",
         {"action": "set_aside", "problem": f"{w.unregistered.pk}:unregistered_id"}, ROW_A,
         ROW - ROW_A),
        ("monitoring with dates", "get", "/staff/monitoring/?start=2016-01-01&end=2016-12-31",
         None, FIGURES, set()),
    ]


def _labels():
    """The matrix's row labels (computed from a stand-in world; the objects come later)."""
    obj = SimpleNamespace(pk=0, personal_id=SimpleNamespace(code="", batch_id=0))
    w = SimpleNamespace(pa=obj, a=obj, held=obj, differing=obj, unregistered=obj, log=obj)
    return [row[0] for row in matrix(w)]


CASES = [(label, role) for label in _labels() for role in [*ROLES, "anonymous"]]


@pytest.mark.parametrize(("label", "role"), CASES)
def test_permission_matrix(client, world, label, role):
    _label, method, url, data, allowed, not_found = next(m for m in matrix(world)
                                                         if m[0] == label)
    if role != "anonymous":
        client.force_login(world.staff[role])
    response = getattr(client, method)(url, data or {})
    if role == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/staff/login/")
    elif role in allowed:
        assert response.status_code in (200, 302), (label, role, response.status_code)
        if response.status_code == 302:
            assert not response["Location"].startswith("/staff/login/")
    elif role in not_found:
        expected = 400 if method == "post" and label.startswith(("issue", "bulk")) else 404
        assert response.status_code == expected, (label, role, response.status_code)
    else:
        assert response.status_code == 403, (label, role, response.status_code)


def test_a_coordinator_cannot_open_another_projects_participant(client, world):
    client.force_login(world.staff["other_coordinator"])
    assert client.get(f"/staff/participants/{world.pa.pk}/").status_code == 404
    assert client.get(f"/staff/participants/{world.pb.pk}/").status_code == 200
    listing = client.get("/staff/participants/").content.decode()
    assert world.pb.personal_id.code in listing and world.pa.personal_id.code not in listing


def test_commissioners_never_see_a_row_about_one_person(client, world):
    client.force_login(world.staff["commissioner"])
    page = client.get("/staff/monitoring/").content.decode()
    for code in (world.pa.personal_id.code, world.pb.personal_id.code):
        assert code not in page
    projects_csv = client.get("/staff/monitoring/projects.csv").content.decode()
    # One registered person per project: figures are suppressed (fewer than five).
    assert projects_csv.splitlines()[1].endswith(",,,,,,,")
