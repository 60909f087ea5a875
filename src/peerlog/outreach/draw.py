"""Monthly prize draws (`peerlog draw --month YYYY-MM`).

Appendix 3.1 of the evaluation: each month, £25 for an individual and £50 for a project (the
amounts are programme settings, :func:`peerlog.capture.programme.current`, recorded with each draw),
among the people who completed a log that month and chose to enter the draw. The project
prize goes, as in the evaluation (section 3), to the project of "one other individual
randomly selected", so a project's chance grows with its members' logs.

Eligible: participants who opted in (``prize_draw``), have not withdrawn (either kind), and
have a *complete* log submitted in the month (``received_at``; held or set-aside logs and
logs with an unregistered ID do not count). A draw is reproducible: the seed comes from
``secrets`` and is recorded with the eligible list (sorted by personal ID), so
:func:`pick` on the record gives the same winners (:func:`verify`). Drawing a month again
shows the recorded draw; only ``force`` (with a reason) makes a new one, and the old one is
kept, marked not current.

The end-of-evaluation draw (`peerlog draw --final --until YYYY-MM-DD`, :func:`draw_final`):
the form promised "£50 prizes at the end of the evaluation for individuals who complete the
Log most often". Eligible: the same people as a monthly draw (opted in, not withdrawn),
ranked by their complete logs submitted up to and including ``until`` (held, set-aside and
unattached logs do not count). The ``prizes`` places go down the ranking; where a tie
straddles the last places, the places left are drawn among the tied people with a recorded
seed, so the result is reproducible like a monthly draw. Recorded as month ``"final"``.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from peerlog.capture import audit, programme
from peerlog.capture.models import Log, Participant
from peerlog.outreach.models import PrizeDraw
from peerlog.outreach.schedule import month_bounds

ALGORITHM = "v1"  # random.Random(int(seed, 16)); choice; second choice among the others
FINAL = "final"  # the month of the end-of-evaluation draw
FINAL_ALGORITHM = "final-v1"  # ranking by logs; random.Random(seed).sample in a boundary tie
FINAL_PRIZES = 3  # how many, unless told (the evaluation did not say)


def prizes() -> dict[str, str]:
    """The month's prizes as the programme settings say now (kept with the draw)."""
    now = programme.current()
    return {"individual_prize": f"{now.prize_individual} vouchers",
            "project_prize": f"{now.prize_project} vouchers"}


class DrawError(ValueError):
    pass


def check_month(month: str) -> str:
    try:
        month_bounds(month)
    except ValueError as exc:
        raise DrawError(f"month must be YYYY-MM, not {month!r}") from exc
    if len(month) != 7:
        raise DrawError(f"month must be YYYY-MM, not {month!r}")
    return month


def eligible(month: str) -> list[dict]:
    """Who may win ``month``: a complete log *submitted* in the month (``received_at``, the
    server's clock, UK time), whatever date it carries, so a backdated log cannot enter a
    draw that has closed."""
    start, end = month_bounds(month)
    tz = timezone.get_default_timezone()
    opens = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    closes = dt.datetime.combine(end, dt.time.min, tzinfo=tz)
    rows = (
        Participant.objects.filter(
            prize_draw=True, withdrawal="",
            logs__status=Log.Status.COMPLETE,
            logs__received_at__gte=opens, logs__received_at__lt=closes,
        )
        .values_list("personal_id__code", "project__code")
        .distinct()
    )
    return [{"personal_id": code, "project": project} for code, project in sorted(set(rows))]


def pick(seed: str, entries: list[dict], algorithm: str = ALGORITHM) -> dict:
    """The winners for ``entries`` under ``seed``: a pure function of its arguments."""
    if algorithm != ALGORITHM:
        raise DrawError(f"unknown draw algorithm {algorithm!r}")
    empty = {"individual_winner": "", "individual_winner_project": "",
             "project_drawn_person": "", "project_winner": ""}
    if not entries:
        return empty
    rng = random.Random(int(seed, 16))
    first = rng.choice(entries)
    others = [e for e in entries if e["personal_id"] != first["personal_id"]] or entries
    second = rng.choice(others)
    return {
        "individual_winner": first["personal_id"], "individual_winner_project": first["project"],
        "project_drawn_person": second["personal_id"], "project_winner": second["project"],
    }


def final_eligible(until: dt.date) -> list[dict]:
    """Who may win the final prizes, with their complete logs submitted up to the end of
    ``until`` (UK time), sorted by personal ID."""
    tz = timezone.get_default_timezone()
    closes = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    counted = Q(logs__status=Log.Status.COMPLETE, logs__received_at__lt=closes)
    rows = (Participant.objects.filter(prize_draw=True, withdrawal="")
            .annotate(n=Count("logs", filter=counted)).filter(n__gt=0)
            .values_list("personal_id__code", "project__code", "n"))
    return [{"personal_id": code, "project": project, "logs": n}
            for code, project, n in sorted(rows)]


def pick_final(seed: str, entries: list[dict], prizes: int) -> list[dict]:
    """The final winners, in prize order: most logs first; a tie for the last places is
    settled by ``seed``. A pure function of its arguments."""
    rng = random.Random(int(seed, 16))
    winners: list[dict] = []
    for count in sorted({e["logs"] for e in entries}, reverse=True):
        room = prizes - len(winners)
        if room <= 0:
            break
        tied = [e for e in entries if e["logs"] == count]
        winners += tied if len(tied) <= room else rng.sample(tied, room)
    return winners


def verify(draw: PrizeDraw) -> bool:
    """Does the recorded seed and list give the recorded winners?"""
    if draw.algorithm == FINAL_ALGORITHM:
        return pick_final(draw.seed, draw.eligible, len(draw.winners)) == draw.winners
    again = pick(draw.seed, draw.eligible, draw.algorithm)
    return all(getattr(draw, field) == value for field, value in again.items())


def draw(month: str, *, actor=None, force: bool = False, reason: str = "",
         today: dt.date | None = None) -> tuple[PrizeDraw, bool]:
    """The month's draw: the recorded one, or a new one. Returns ``(draw, created)``."""
    check_month(month)
    current = PrizeDraw.objects.filter(month=month, current=True).first()
    if current is not None and not force:
        return current, False
    if force and current is not None and not reason.strip():
        raise DrawError("a new draw for a month already drawn needs a reason")
    _, end = month_bounds(month)
    if (today or timezone.localdate()) < end:
        raise DrawError(f"{month} is not over yet: logs may still come in")
    entries = eligible(month)
    seed = secrets.token_hex(16)
    with transaction.atomic():
        if current is not None:
            PrizeDraw.objects.filter(pk=current.pk).update(current=False)
        record = PrizeDraw.objects.create(
            month=month, seed=seed, algorithm=ALGORITHM, eligible=entries,
            **prizes(),
            drawn_by=audit.actor_label(actor), reason=reason, current=True,
            **pick(seed, entries),
        )
        audit.record(actor, "outreach.draw", record, month=month, eligible=len(entries),
                     seed=seed, replaces=current.pk if current else None)
    return record, True


def draw_final(until: dt.date, *, prizes: int = FINAL_PRIZES, actor=None, force: bool = False,
               reason: str = "", today: dt.date | None = None) -> tuple[PrizeDraw, bool]:
    """The end-of-evaluation draw: the recorded one, or a new one. ``(draw, created)``."""
    if prizes < 1:
        raise DrawError("there must be at least one prize")
    current = PrizeDraw.objects.filter(month=FINAL, current=True).first()
    if current is not None and not force:
        return current, False
    if force and current is not None and not reason.strip():
        raise DrawError("a new final draw needs a reason")
    if (today or timezone.localdate()) <= until:
        raise DrawError(f"{until} is not over yet: logs may still come in")
    entries = final_eligible(until)
    seed = secrets.token_hex(16)
    winners = pick_final(seed, entries, prizes)
    with transaction.atomic():
        if current is not None:
            PrizeDraw.objects.filter(pk=current.pk).update(current=False)
        record = PrizeDraw.objects.create(
            month=FINAL, seed=seed, algorithm=FINAL_ALGORITHM, eligible=entries,
            winners=winners, until=until, individual_prize=f"{programme.current().prize_final} vouchers", project_prize="",
            drawn_by=audit.actor_label(actor), reason=reason, current=True,
            individual_winner=winners[0]["personal_id"] if winners else "",
            individual_winner_project=winners[0]["project"] if winners else "",
        )
        audit.record(actor, "outreach.draw", record, month=FINAL, until=until.isoformat(),
                     prizes=prizes, eligible=len(entries), seed=seed,
                     replaces=current.pk if current else None)
    return record, True
