"""Issue 9, item 11: a withdrawal does what the form promises, checked table by table.

A person with online and paper logs (double-entered, with differing entries), a quality
review, a log in progress, reminders (one sent, one queued), live personal links, audit
history with before/after answers, and an unregistered paper log carrying their ID, asks
staff to remove their data. Afterwards every table, the contract export, the monitoring
figures and their progress page are inspected.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.db import connection
from tests.conftest import DAY, monthly_answers

from peerlog.capture import links
from peerlog.capture.models import (
    AuditEvent,
    ContactDetails,
    Draft,
    Log,
    Participant,
    PersonalLink,
)
from peerlog.capture.withdrawal import REMOVED
from peerlog.outreach.models import Message
from peerlog.staff.models import PaperEntry, QualityReview
from peerlog.staff.services import change_log

SECRET_ANSWER = 987  # a count no other log holds
MARKER = "Zq9-answer-marker"  # a typed text only this person's data holds


@pytest.fixture
def person(world):
    """World's participant A, given every kind of data PeerLog can hold about someone."""
    pa, coordinator = world.pa, world.staff["coordinator"]
    Participant.objects.filter(pk=pa.pk).update(
        age_band="25-34", gender="woman", ethnicity="white_british", area="urban",
        uses_mh_services="yes", mh_services_years=7, prize_draw=True,
        registration_answers={"age_band": "25-34", "gender": "woman", "note": MARKER})
    ContactDetails.objects.filter(participant=pa).update(channels=["email", "sms"])
    contact = ContactDetails.objects.get(participant=pa)
    contact.phone, contact.postal = "+447700900555", "1 Test Street, Leeds"
    contact.save()
    # Answers changed by staff: the audit event keeps before and after.
    change_log(world.log, coordinator, "typo on the form",
               answers={**world.log.answers, "ps_groups_given": SECRET_ANSWER})
    AuditEvent.objects.create(actor_label="clerk2", action="log.double_entry_differs",
                              target_type="capture.log", target_id=str(world.differing.pk),
                              detail={"fields": {"swemwbs_1": [4, 5]}})
    QualityReview.objects.create(log=world.log, reason="ticks", outcome="accepted",
                                 note=f"she wrote {MARKER} in the margin")
    # An unregistered paper log typed with this person's ID (e.g. entered before they
    # registered), with its paper entry.
    unregistered = Log.objects.create(
        participant=None, typed_personal_id=pa.personal_id.code, instrument="monthly",
        kind="monthly", version="full", mode="paper", completed_on=DAY,
        answers=monthly_answers(ps_groups_given=SECRET_ANSWER), submission_key="typed-theirs",
        flags=["unregistered_id"])
    PaperEntry.objects.create(log=unregistered, project=world.a, kind="first",
                              values={"personal_id": pa.personal_id.code,
                                      "ps_groups_given": MARKER})
    Draft.objects.create(participant=pa, instrument="monthly", submission_key="draft-open",
                         answers={"ps_groups_given": MARKER})
    tokens = [links.new_token(pa, "registration"), links.new_token(pa, "reminder")]
    sent = Message.objects.create(participant=pa, month="2026-10", channel="email",
                                  body=f"Your link: /l/{tokens[1]}/", state="sent")
    queued = Message.objects.create(participant=pa, month="2026-11", channel="email",
                                    body=f"Your link: /l/{tokens[1]}/")
    failed = Message.objects.create(participant=pa, month="2026-11", channel="sms",
                                    body=f"Your link: /l/{tokens[1]}/", state="failed")
    return {"pa": pa, "tokens": tokens, "messages": (sent, queued, failed),
            "unregistered": unregistered,
            "logs": [world.log.pk, world.held.pk, world.differing.pk, unregistered.pk]}


def monitoring_total(client, name="logs") -> int:
    rows = list(csv.reader(io.StringIO(client.get(f"/staff/monitoring/{name}.csv")
                                       .content.decode())))
    return sum(int(r[-1] or 0) for r in rows[1:])


def export_text(tmp_path) -> str:
    from peerlog.export.contract import export

    export(tmp_path, labelled=False)
    return "\n".join((tmp_path / n).read_text() for n in ("participants.csv", "logs.csv"))


def all_rows_text() -> str:
    """Every row of every table, as text (the database read in clear)."""
    out = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            out += [" ".join(str(v) for v in row) for row in cursor.fetchall()]
    return "\n".join(out)


def test_remove_my_data_removes_the_answers_everywhere(client, world, person, tmp_path):
    pa, code = person["pa"], person["pa"].personal_id.code
    central = world.staff["central_researcher"]
    client.force_login(central)
    logs_before = monitoring_total(client)
    assert code in export_text(tmp_path / "before")
    assert MARKER in all_rows_text()
    client.force_login(world.staff["coordinator"])
    response = client.post(f"/staff/participants/{pa.pk}/withdraw/",
                           {"withdrawal": "remove_data", "note": "asked by phone"})
    assert response.status_code == 302

    # Answers: gone from every table (logs, paper entries, drafts, reviews, audit details).
    assert MARKER not in all_rows_text()
    assert not Log.objects.filter(pk__in=person["logs"]).exists()
    assert not Log.objects.filter(typed_personal_id=code).exists()
    assert Log.objects.filter(pk=world.unregistered.pk).exists(), "someone else's stays"
    assert not PaperEntry.objects.filter(log_id__in=person["logs"]).exists()
    assert PaperEntry.objects.filter(log=world.unregistered).exists()
    assert not QualityReview.objects.filter(log_id__in=person["logs"]).exists()
    assert not Draft.objects.filter(participant=pa).exists()
    pa.refresh_from_db()
    assert (pa.age_band, pa.gender, pa.ethnicity, pa.area, pa.uses_mh_services,
            pa.mh_services_years, pa.prize_draw, pa.registration_answers) == (
        "", "", "", "", "", None, False, {})
    # Kept: the bare fact of registration and withdrawal, so the ID is never reissued.
    assert (pa.personal_id.code, pa.withdrawal, pa.consent_data_use) == (
        code, "remove_data", True)
    assert pa.withdrawn_at is not None

    # Contact: erased, links dead, messages cancelled and their texts dropped.
    contact = ContactDetails.objects.get(participant=pa)
    assert (contact.email, contact.phone, contact.postal, contact.channels) == ("", "", "", [])
    with connection.cursor() as cursor:
        cursor.execute("SELECT email, phone, postal FROM capture_contactdetails "
                       "WHERE participant_id = %s", [pa.pk])
        assert cursor.fetchone() == ("", "", "")
    assert not PersonalLink.objects.filter(participant=pa, revoked_at__isnull=True).exists()
    sent, queued, failed = (Message.objects.get(pk=m.pk) for m in person["messages"])
    assert (sent.state, queued.state, failed.state) == ("sent", "cancelled", "cancelled")
    assert (sent.body, queued.body, failed.body) == ("", "", "")
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM outreach_message WHERE participant_id = %s", [pa.pk])
        assert {row[0] for row in cursor.fetchall()} == {""}
    for token in person["tokens"]:
        assert links.participant_for_token(token) is None
        for path in (f"/l/{token}/", f"/l/{token}/progress/"):
            page = client.get(path)
            assert page.status_code in (200, 404, 410)
            assert "wellbeing" not in page.content.decode().lower() or page.status_code != 200

    # Audit trail: the withdrawal is recorded with counts; the changes keep no values.
    withdraw = AuditEvent.objects.get(action="participant.withdraw", target_id=str(pa.pk))
    assert withdraw.detail["withdrawal"] == "remove_data"
    assert withdraw.detail["done"]["logs_deleted"] == 4
    assert withdraw.detail["done"]["unregistered_logs_deleted"] == 1
    assert withdraw.detail["done"]["links_revoked"] == 2
    change = AuditEvent.objects.get(action="log.change", target_id=str(world.log.pk))
    assert change.detail["changed"]["answers"] == {"ps_groups_given": REMOVED}
    differs = AuditEvent.objects.get(action="log.double_entry_differs")
    assert differs.detail["fields"] == {"swemwbs_1": REMOVED}
    redact = AuditEvent.objects.get(action="audit.redact")
    assert redact.detail["events"] >= 2 and redact.actor_label == "coord-a"
    assert AuditEvent.objects.filter(action="log.create", target_id=str(world.log.pk)).exists()

    # Outputs: the export, monitoring figures and the staff pages leave the person out.
    text = export_text(tmp_path / "after")
    assert code not in text
    client.force_login(central)
    assert monitoring_total(client) == logs_before - 1  # their one complete log
    page = client.get(f"/staff/participants/{pa.pk}/").content.decode()
    assert not _holds_secret(page)
    assert not _holds_secret(client.get("/staff/audit/?format=csv").content.decode())
    assert not _holds_secret(json.dumps(
        list(AuditEvent.objects.values_list("detail", flat=True))))


def _holds_secret(text: str) -> bool:
    """The secret answer as a value, not as digits inside another number (a timestamp's
    microseconds, "15:43:49.987190", once matched a plain substring test)."""
    return re.search(rf"(?<![\d.]){SECRET_ANSWER}(?![\d])", text) is not None


def test_a_later_log_with_their_id_is_never_exported(world, person, tmp_path):
    from peerlog.capture.withdrawal import withdraw
    from peerlog.export.contract import exported_logs

    pa = person["pa"]
    withdraw(pa, world.staff["central_researcher"], "remove_data")
    late = Log.objects.create(
        participant=None, typed_personal_id=pa.personal_id.code, instrument="monthly",
        kind="monthly", version="full", mode="paper", completed_on=DAY,
        answers=monthly_answers(), submission_key="late-typed")
    assert late not in exported_logs()
    assert pa.personal_id.code not in export_text(tmp_path)


def test_no_more_contact_stops_contact_and_keeps_the_data(client, world, person, tmp_path):
    pa = person["pa"]
    client.force_login(world.staff["regional_researcher"])
    client.post(f"/staff/participants/{pa.pk}/withdraw/", {"withdrawal": "no_contact"})
    contact = ContactDetails.objects.get(participant=pa)
    assert (contact.email, contact.phone, contact.postal, contact.channels) == ("", "", "", [])
    assert not PersonalLink.objects.filter(participant=pa, revoked_at__isnull=True).exists()
    states = sorted(Message.objects.filter(participant=pa).values_list("state", "body"))
    assert states == [("cancelled", ""), ("cancelled", ""), ("sent", "")]
    assert not Draft.objects.filter(participant=pa, log__isnull=True).exists()
    # The research data stays: logs, paper entries, demographics, audit values.
    assert Log.objects.filter(pk__in=person["logs"]).count() == 4
    pa.refresh_from_db()
    assert pa.withdrawal == "no_contact" and pa.age_band == "25-34"
    assert pa.personal_id.code in export_text(tmp_path)
    # A milder choice later never brings removed data back, and removal still works after.
    from peerlog.capture.withdrawal import withdraw

    withdraw(pa, None, "remove_data")
    withdraw(pa, None, "no_contact")
    pa.refresh_from_db()
    assert pa.withdrawal == "remove_data"
    assert not Log.objects.filter(pk__in=person["logs"]).exists()
