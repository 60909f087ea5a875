"""``peerlog remind`` and ``peerlog draw``."""

from __future__ import annotations

import argparse
import datetime as dt
import sys


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def run_remind(args: argparse.Namespace) -> int:
    from peerlog.web import setup

    setup()
    from collections import Counter

    from peerlog.outreach import remind

    def out(line: str) -> None:
        print(line, flush=True)

    if args.dry_run:
        counts: Counter = Counter()
        from django.utils import timezone

        remind.plan(args.today or timezone.localdate(), counts, out, dry_run=True)
        print(f"{counts['due']} participant(s) due a reminder (nothing recorded or sent)")
        return 0
    try:
        counts = remind.run(today=args.today, out=out)
    except remind.AlreadyRunning as exc:
        print(exc, file=sys.stderr)
        return 3
    order = ("recovered_retry", "recovered_in_doubt", "planned", "sent", "failed", "gave_up",
             "in_doubt", "cancelled")
    print("reminders: " + ", ".join(f"{name} {counts.get(name, 0)}" for name in order))
    return 0


def run_draw(args: argparse.Namespace) -> int:
    from peerlog.web import setup

    setup()
    from peerlog.capture import programme
    from peerlog.outreach import draw

    try:
        if args.final:
            if args.until is None:
                args.until = programme.current().end
            if args.until is None:
                raise draw.DrawError("--final needs --until YYYY-MM-DD (the evaluation's last day)"
                                     " or a programme end date in the settings")
            record, created = draw.draw_final(args.until, prizes=args.prizes, actor="cli",
                                              force=args.force, reason=args.reason,
                                              today=args.today)
        else:
            record, created = draw.draw(args.month, actor="cli", force=args.force,
                                        reason=args.reason, today=args.today)
    except draw.DrawError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.final:
        return _print_final(record, created, draw.verify(record))
    status = "new draw" if created else "recorded draw (use --force --reason ... to redraw)"
    print(f"Prize draw {record.month}: {status}")
    print(f"  drawn {record.drawn_at:%Y-%m-%d %H:%M} by {record.drawn_by}; seed {record.seed}")
    print(f"  eligible: {len(record.eligible)}")
    if record.eligible:
        print(f"  individual prize ({record.individual_prize}): {record.individual_winner}")
        print(f"  project prize ({record.project_prize}): {record.project_winner} "
              f"(drawn through {record.project_drawn_person})")
    else:
        print("  nobody eligible: no winners")
    print(f"  reproduces from seed: {'yes' if draw.verify(record) else 'NO'}")
    return 0


def _print_final(record, created: bool, verified: bool) -> int:
    status = "new draw" if created else "recorded draw (use --force --reason ... to redraw)"
    print(f"Final prize draw (logs up to {record.until}): {status}")
    print(f"  drawn {record.drawn_at:%Y-%m-%d %H:%M} by {record.drawn_by}; seed {record.seed}")
    print(f"  eligible: {len(record.eligible)}")
    for place, winner in enumerate(record.winners, 1):
        print(f"  prize {place} ({record.individual_prize}): {winner['personal_id']} "
              f"({winner['project']}, {winner['logs']} logs)")
    if not record.winners:
        print("  nobody eligible: no winners")
    print(f"  reproduces from seed: {'yes' if verified else 'NO'}")
    return 0


FINAL_HELP = """\
--final: the end-of-evaluation prizes for the people who completed the log most often.
Eligible: opted in to the prize draws, not withdrawn, at least one complete log submitted
up to the end of --until (held, set-aside and unattached logs do not count). Places go to
the most logs first; if people are tied for the last places, those places are drawn among
them with a recorded seed (reproducible, like the monthly draw). Recorded once, as "final";
--force --reason draws again and keeps the earlier draw.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "remind", help="send this month's reminders through the outbox (run daily)"
    )
    p.add_argument("--dry-run", action="store_true", help="list who is due; record nothing")
    p.add_argument("--today", type=_date, default=None, help=argparse.SUPPRESS)
    p.set_defaults(func=run_remind)

    p = subparsers.add_parser("draw", help="the monthly prize draw (recorded, reproducible)",
                              epilog=FINAL_HELP,
                              formatter_class=argparse.RawDescriptionHelpFormatter)
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--month", help="YYYY-MM, a month that is over")
    which.add_argument("--final", action="store_true",
                       help="the end-of-evaluation prizes for the most frequent completers")
    p.add_argument("--until", type=_date, default=None,
                   help="with --final: the evaluation's last day (YYYY-MM-DD), now past; default: the "
                        "programme end date of the settings")
    p.add_argument("--prizes", type=int, default=3,
                   help="with --final: how many prizes (default 3)")
    p.add_argument("--force", action="store_true",
                   help="draw again although the month was drawn (keeps the old draw)")
    p.add_argument("--reason", default="", help="why a forced redraw is needed")
    p.add_argument("--today", type=_date, default=None, help=argparse.SUPPRESS)
    p.set_defaults(func=run_draw)
