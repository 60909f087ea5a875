"""Service use per quarterly log on the staff participant page (issue 13)."""

from __future__ import annotations

import datetime as dt

from peerlog.capture.models import AuditEvent
from peerlog.capture.services import store_log


def _quarterly(person, key, day, **answers):
    return store_log(scope=None, instrument="quarterly", answers=answers, mode="online",
                     typed_personal_id=person.personal_id.code, completed_on=day,
                     submission_key=key)[0]


def test_service_use_is_shown_per_log_period_in_words_and_audited(client, world):
    first = _quarterly(world.pa, "q1", dt.date(2016, 6, 10), service_gp_contacts=3,
                       service_gp_minutes=15, inpatient_mental_health_nights=0,
                       visits_ae_mental_health=1, med_taken="yes")
    _quarterly(world.pa, "q2", dt.date(2016, 9, 10))
    client.force_login(world.staff["coordinator"])
    page = client.get(f"/staff/participants/{world.pa.pk}/").content.decode()
    section = page[page.index('id="service-use"'):]
    assert "10 March 2016 to 10 June 2016" in section  # the 3 months before the log
    assert "10 June 2016 to 10 September 2016" in section
    assert "GP (incl telephone consultations &amp; home visits) – Total number of contacts" \
        in section and "<td>3</td>" in section and "<td>15</td>" in section
    assert "Accident &amp; Emergency visit (A&amp;E) for mental health reasons" in section
    assert "Overnight stay for mental health problems" not in section  # 0 nights: not listed
    assert "No service use reported." in section  # the second, empty log
    event = AuditEvent.objects.get(action="participant.service_use_view")
    assert event.target_id == str(world.pa.pk) and first.pk in event.detail["logs"]


def test_service_use_of_another_projects_person_is_never_shown(client, world):
    _quarterly(world.pb, "qb", dt.date(2016, 6, 10), service_gp_contacts=7)
    client.force_login(world.staff["coordinator"])
    assert client.get(f"/staff/participants/{world.pb.pk}/").status_code == 404
    assert not AuditEvent.objects.filter(action="participant.service_use_view").exists()


def test_no_quarterly_log_says_so_and_audits_nothing(client, world):
    client.force_login(world.staff["coordinator"])
    page = client.get(f"/staff/participants/{world.pa.pk}/").content.decode()
    assert "No quarterly log yet" in page
    assert not AuditEvent.objects.filter(action="participant.service_use_view").exists()
