"""``peerlog export``: the contract files for the analysis (and any other tool)."""

from __future__ import annotations

import argparse
from pathlib import Path


def run_export(args: argparse.Namespace) -> int:
    from peerlog.web import setup

    setup()
    from peerlog.capture import audit
    from peerlog.export.contract import export

    counts = export(Path(args.out), labelled=not args.csv_only,
                    include_free_text=args.include_free_text)
    # The export itself is audited: who took research data out, and how much; free text
    # (which may hold names) is named in the record.
    audit.record(args.actor, "export", "contract_files", out=str(args.out),
                 include_free_text=args.include_free_text, **counts)
    print(f"Wrote {counts['participants']} participants and {counts['logs']} logs to {args.out}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "export", help="write participants.csv, logs.csv, items.csv and codebook.csv for analysis"
    )
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--csv-only", action="store_true",
                   help="skip the SPSS (.sav) and Stata (.dta) copies")
    p.add_argument("--include-free-text", action="store_true",
                   help="also export free-text answers (may hold names; audited)")
    p.add_argument("--actor", default="cli", help="who runs the export (for the audit trail)")
    p.set_defaults(func=run_export)
