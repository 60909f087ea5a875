"""Staff console at programme scale: monitoring figures, the data-quality queue and counts.

    .venv/bin/python bench/staff_bench.py [participants] [logs_per_participant]

Builds a fresh SQLite database in a temporary PEERLOG_HOME (bulk inserts, not timed), then
times each monitoring function, the queue and the usable-log counts for a central
researcher (who sees everything), and the monitoring page through Django's test client.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import tempfile
import time


def main() -> None:
    people = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    per_person = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    home = tempfile.mkdtemp(prefix="peerlog-staff-bench-")
    os.environ["PEERLOG_HOME"] = home
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerlog.web.settings")
    from cryptography.fernet import Fernet

    os.environ.setdefault("PEERLOG_CONTACT_KEYS", Fernet.generate_key().decode())
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from peerlog.capture.models import (
        Log,
        Participant,
        PersonalId,
        PersonalIdBatch,
        Project,
        Region,
    )
    from peerlog.staff import monitoring, quality
    from peerlog.staff.models import StaffProfile

    call_command("migrate", verbosity=0)
    rng = random.Random(5)
    t0 = time.perf_counter()
    regions = [Region.objects.create(code=f"r{i}", name=f"Region {i}") for i in range(9)]
    projects = [Project.objects.create(region=regions[i % 9], code=f"p{i}", name=f"Project {i}",
                                       approach="group", funding="grant_funded")
                for i in range(46)]
    batches = [PersonalIdBatch.objects.create(project=p) for p in projects]
    ids = PersonalId.objects.bulk_create(
        [PersonalId(code=f"{100000 + n}", batch=batches[n % 46]) for n in range(people)])
    start = timezone.make_aware(dt.datetime(2015, 9, 25, 12))
    parts = Participant.objects.bulk_create([
        Participant(personal_id=pid, project=projects[n % 46],
                    registered_at=start + dt.timedelta(days=rng.randrange(370)),
                    consent_information=True, consent_reminders=True, consent_data_use=True,
                    consent_form_version="b", consented_at=start)
        for n, pid in enumerate(ids)], batch_size=2000)
    logs = []
    for n, p in enumerate(parts):
        for k in range(rng.randrange(per_person * 2 + 1)):
            on = p.registered_at.date() + dt.timedelta(days=30 * k + rng.randrange(5))
            ticked = rng.random() < 0.1
            logs.append(Log(participant=p, typed_personal_id=p.personal_id.code,
                            instrument="monthly" if k % 3 else "quarterly",
                            kind="monthly" if k % 3 else "quarterly", version="full",
                            mode="paper" if ticked else "online", completed_on=on,
                            answers={"ps_groups_given": "ticked" if ticked else rng.randrange(9)},
                            flags=["ticks"] if ticked else [], submission_key=f"{n}-{k}"))
    Log.objects.bulk_create(logs, batch_size=5000)
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("central", password="x" * 12)
    StaffProfile.objects.create(user=user, role="central_researcher")
    build = time.perf_counter() - t0
    print(f"built {len(parts):,} participants, {len(logs):,} logs in {build:.1f} s ({home})")

    all_projects = Project.objects.all()
    timings = {}
    for name, fn in [
        ("registrations_by_month", lambda: monitoring.registrations_by_month(all_projects)),
        ("logs_by_month", lambda: monitoring.logs_by_month(all_projects)),
        ("logs_since_first", lambda: monitoring.logs_since_first(all_projects)),
        ("logs_since_first by region",
         lambda: monitoring.logs_since_first(all_projects, by_region=True)),
        ("project_table", lambda: monitoring.project_table(all_projects)),
        ("quality.queue", lambda: quality.queue(user)),
        ("quality.usable_counts", lambda: quality.usable_counts(user)),
    ]:
        t = time.perf_counter()
        fn()
        timings[name] = time.perf_counter() - t
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    t = time.perf_counter()
    assert client.get("/staff/monitoring/").status_code == 200
    timings["GET /staff/monitoring/"] = time.perf_counter() - t
    t = time.perf_counter()
    assert client.get("/staff/quality/").status_code == 200
    timings["GET /staff/quality/"] = time.perf_counter() - t
    if os.environ.get("PROFILE"):
        import cProfile

        cProfile.runctx("quality.queue(user)", globals(), locals(), sort="cumtime")
    for name, seconds in timings.items():
        print(f"{name:32s} {seconds:7.2f} s")


if __name__ == "__main__":
    main()
