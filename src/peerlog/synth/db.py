"""Load a generated cohort into the database, exactly as captured data would be stored.

Regions come from the registration definition (:func:`peerlog.capture.reference.load_reference`);
projects, personal-ID batches, participants (with their registration answers) and, for some,
obviously fake contact details are created; every log goes through
:func:`peerlog.capture.services.store_log` (scored from its raw answers, flagged, audited) in
the order the logs arrived, with a deterministic submission key, so loading the same cohort
twice stores nothing new. Callers set Django up first (``peerlog.web.setup()``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction

from . import calibration as cal
from .cohort import Cohort, region_profile

PAPER_ENTRY_LABEL = "synthetic cohort (paper entry)"
BATCH_NOTE = "synthetic cohort"
CONSENT_FORM_VERSION = "synthetic"


def is_loaded(cohort: Cohort) -> bool:
    """True when every log of this cohort is already stored."""
    from peerlog.capture.models import Log

    stored = Log.objects.filter(submission_key__startswith=cohort.key_prefix).count()
    return stored >= len(cohort.logs)


def _aware(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value).astimezone(dt.UTC)


def _fake_contact(n: int, channels: list[str], name: str) -> dict[str, str]:
    """Contact details nobody can receive: example.org, Ofcom's drama range, a fictional
    street."""
    return {
        "email": f"participant{n:05d}@example.org" if "email" in channels else "",
        "phone": f"+4477009{n % 100000:05d}" if "sms" in channels else "",
        "postal": (f"{name}\n{n % 200 + 1} Example Street\nNowhere Town\nZZ99 9ZZ"
                   if "post" in channels else ""),
    }


def load(cohort: Cohort, progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Store the cohort (idempotent); returns counts of what was created this time."""
    from peerlog.capture import audit
    from peerlog.capture.models import (
        AuditEvent,
        ContactDetails,
        Participant,
        PersonalId,
        PersonalIdBatch,
        Project,
        Region,
    )
    from peerlog.capture.reference import load_reference
    from peerlog.capture.services import store_log

    load_reference()
    created = {"projects": 0, "personal_ids": 0, "participants": 0, "logs": 0}
    people = cohort.people
    with transaction.atomic():
        regions = {r.code: r for r in Region.objects.all()}
        for code, region in regions.items():
            if code in cal.REGION_PROFILES and not region.rural_urban and not region.hub:
                Region.objects.filter(pk=region.pk).update(**region_profile(code))
        projects = {}
        for row in cohort.projects.itertuples():
            project, new = Project.objects.get_or_create(code=row.code, defaults={
                "region": regions[row.region], "name": row.name, "approach": row.approach,
                "funding": row.funding, "diagnosis_specific": bool(row.diagnosis_specific),
                "bame_specific": bool(row.bame_specific), "short_version": bool(row.short_version),
                "languages": ["en"], **cal.PROJECT_PROFILES[row.code],
            })
            if not new and not project.facilitation:  # a demo made before profiles existed
                Project.objects.filter(pk=project.pk).update(**cal.PROJECT_PROFILES[row.code])
            projects[row.code] = project
            created["projects"] += new
        batches = {}
        for code, project in projects.items():
            batches[code], _ = PersonalIdBatch.objects.get_or_create(
                project=project, note=BATCH_NOTE)
        first_project = {r: cal.PROJECTS[r][0][0] for r in cal.REGIONS}

        # Personal IDs: handed out to everyone, registered or not (an issued slip that was
        # never registered is where an unregistered log's ID comes from).
        codes = people["personal_id"].tolist()
        existing = set(PersonalId.objects.filter(code__in=codes).values_list("code", flat=True))
        new_ids = [
            PersonalId(code=row.personal_id,
                       batch=batches[row.project or first_project[row.region]])
            for row in people.itertuples() if row.personal_id not in existing
        ]
        PersonalId.objects.bulk_create(new_ids, batch_size=2000)
        created["personal_ids"] = len(new_ids)
        id_objs = {p.code: p for p in PersonalId.objects.filter(code__in=codes)}

        registered = people[people["registered"]]
        done = set(Participant.objects.filter(
            personal_id__code__in=registered["personal_id"].tolist()
        ).values_list("personal_id__code", flat=True))
        new_people = []
        for row in registered.itertuples():
            if row.personal_id in done:
                continue
            at = dt.datetime.combine(dt.date.fromisoformat(row.registered_on),
                                     dt.time(10 + row.Index % 8, (row.Index * 7) % 60),
                                     tzinfo=dt.UTC)
            project = projects[row.project]
            short = bool(row.short)
            about = {c: getattr(row, c) for c in (
                "age_band", "gender", "transgender_history", "sexual_orientation", "ethnicity",
                "area", "uses_mh_services", "physical_condition", "learning_disability")}
            answers = {
                "consent_information": "yes", "consent_reminders": "yes",
                "consent_data_use": "yes", "personal_id": row.personal_id,
                "date_completed": row.registered_on, "region": row.region,
                "project": row.project,
                **{k: v for k, v in about.items() if v},
            }
            years = row.mh_services_years
            if years is not None:
                answers["mh_services_years"] = int(years)
            new_people.append(Participant(
                personal_id=id_objs[row.personal_id], project=project, registered_at=at,
                language="en", consent_information=True, consent_reminders=True,
                consent_data_use=True, consent_form_version=CONSENT_FORM_VERSION,
                consented_at=at, mh_services_years=None if years is None else int(years),
                prize_draw=row.Index % 3 != 0,
                short_version=None if short == project.short_version else short,
                registration_answers=answers, **about,
            ))
        Participant.objects.bulk_create(new_people, batch_size=1000)
        created["participants"] = len(new_people)
        if new_people:
            stored = Participant.objects.filter(
                personal_id__code__in=[p.personal_id.code for p in new_people]
            ).select_related("personal_id")
            contacts, events = [], []
            for n, participant in enumerate(stored.order_by("personal_id__code")):
                pick = n % 10
                channels = (["email"] if pick < 4 else ["sms"] if pick < 6 else
                            ["email", "sms"] if pick < 7 else ["post"] if pick < 8 else [])
                fake = _fake_contact(n, channels, f"Test Person {n:05d}")
                contacts.append(ContactDetails(participant=participant, channels=channels,
                                               **fake))
                events.append(AuditEvent(
                    at=participant.registered_at, actor_label="participant",
                    action="participant.register", target_type="capture.participant",
                    target_id=str(participant.pk),
                    detail={"consent_form_version": CONSENT_FORM_VERSION}))
            ContactDetails.objects.bulk_create(contacts, batch_size=1000)
            AuditEvent.objects.bulk_create(events, batch_size=1000)

        # Logs, in the order they reached the system, through store_log.
        order = cohort.logs.sort_values("submitted_at", kind="stable").index
        total = len(order)
        meta = cohort.log_meta
        for n, i in enumerate(order):
            row = cohort.logs.loc[i]
            paper = row["mode"] == "paper"
            _, new = store_log(scope=None,
                instrument=row["instrument"], answers=cohort.answers[i],
                typed_personal_id=row["personal_id"],
                completed_on=dt.date.fromisoformat(row["completed_on"]),
                mode=row["mode"], submission_key=meta.at[i, "submission_key"],
                language=row["language"], entered_by=PAPER_ENTRY_LABEL if paper else None,
                received_at=_aware(row["submitted_at"]),
            )
            created["logs"] += new
            if progress and (n % 500 == 0 or n == total - 1):
                progress(n + 1, total)
        audit.record("cli", "synth.load", "synthetic cohort", seed=cohort.seed,
                     scale=cohort.scale, **created)
    return created
