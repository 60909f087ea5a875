"""``peerlog synth``: generate the synthetic cohort as contract CSVs or into the database."""

from __future__ import annotations

import argparse
import sys
import time


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "synth",
        help="generate a synthetic cohort shaped like the Side by Side evaluation",
        description=(
            "Generate a synthetic cohort calibrated to the evaluation's published figures, "
            "with planted associations of known size (docs/synthetic-cohort.md). --out writes "
            "participants.csv and logs.csv (the analysis contract) and planted_effects.csv; "
            "--into-db stores it in the database through the same path as captured logs."
        ),
    )
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--scale", type=float, default=1.0,
                   help="size relative to the evaluation (default 1.0: 703 registered)")
    p.add_argument("--out", metavar="DIR", help="write the contract CSVs into DIR")
    p.add_argument("--into-db", action="store_true",
                   help="store the cohort in the database (idempotent)")
    p.set_defaults(func=run_synth)


def run_synth(args: argparse.Namespace) -> int:
    if not args.out and not args.into_db:
        print("peerlog synth: give --out DIR and/or --into-db", file=sys.stderr)
        return 2
    from .cohort import generate

    t0 = time.perf_counter()
    cohort = generate(args.seed, args.scale)
    print(f"Generated {len(cohort.participants)} participants and {len(cohort.logs)} logs "
          f"(seed {args.seed}, scale {args.scale:g}) in {time.perf_counter() - t0:.1f} s")
    if args.out:
        paths = cohort.write(args.out)
        print("Wrote " + ", ".join(str(p) for p in paths.values()))
    if args.into_db:
        from peerlog.web import setup

        setup()
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        from .db import is_loaded, load

        if is_loaded(cohort):
            print("This cohort is already in the database: nothing to do.")
            return 0
        t1 = time.perf_counter()
        created = load(cohort)
        print(f"Stored in {time.perf_counter() - t1:.1f} s: "
              + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in created.items()))
    return 0
