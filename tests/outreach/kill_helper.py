"""Run in a subprocess by test_remind_killed.py, against the same database `peerlog remind` uses.

``python kill_helper.py prepare N``: migrate, then N participants due a reminder (email and
SMS each). ``python kill_helper.py dump``: the outbox as JSON on stdout.
"""

from __future__ import annotations

import datetime as dt
import json
import sys

from peerlog.web import setup


def prepare(n: int) -> None:
    from django.core.management import call_command
    from django.utils import timezone

    from peerlog.capture.models import (
        ContactDetails,
        Participant,
        PersonalId,
        PersonalIdBatch,
        Project,
        Region,
    )

    call_command("migrate", interactive=False, verbosity=0)
    region = Region.objects.create(code="leeds", name="Leeds")
    project = Project.objects.create(region=region, code="leeds-1", name="Leeds 1",
                                     approach="group", funding="grant_funded")
    batch = PersonalIdBatch.objects.create(project=project)
    then = timezone.now() - dt.timedelta(days=40)
    for i in range(n):
        pid = PersonalId.objects.create(code=f"9{i:05d}", batch=batch)
        participant = Participant.objects.create(
            personal_id=pid, project=project, registered_at=then, consent_information=True,
            consent_reminders=True, consent_data_use=True, consent_form_version="test",
            consented_at=then,
        )
        ContactDetails.objects.create(participant=participant, channels=["email", "sms"],
                                      email=f"p{i}@example.org", phone=f"+44770090{i:04d}")


def dump() -> None:
    from peerlog.outreach.models import Message

    rows = [
        {"key": m.key, "channel": m.channel, "state": m.state, "attempts": m.attempts,
         "events": [h["event"] for h in m.history]}
        for m in Message.objects.order_by("id")
    ]
    json.dump(rows, sys.stdout)


if __name__ == "__main__":
    setup()
    if sys.argv[1] == "prepare":
        prepare(int(sys.argv[2]))
    else:
        dump()
