"""``peerlog analyse`` and ``peerlog power``: the analysis engine's command-line entry points.

Nothing here imports Django: the commands read the contract's two CSV files.
"""

from __future__ import annotations

import argparse
import os
import sys
from gettext import gettext as _


def register(subparsers) -> None:
    """Add the ``analyse`` and ``power`` sub-commands to the ``peerlog`` command."""
    p = subparsers.add_parser(
        "analyse",
        help=_("analyse participants.csv and logs.csv; write tables, figures and a report"),
        description=_(
            "Fit the evaluation's model set (change in outcome by change in peer support) and "
            "write associations.csv, descriptive tables, figures and report.html/.pdf."
        ),
    )
    p.add_argument("input", nargs="?", default=".",
                   help=_("folder with participants.csv and logs.csv (default: .)"))
    p.add_argument("-o", "--out", required=True, help=_("output folder"))
    p.add_argument("--participants", help=_("path of participants.csv (default: INPUT/...)"))
    p.add_argument("--logs", help=_("path of logs.csv (default: INPUT/logs.csv)"))
    p.add_argument("--subgroup", action="append", default=[], metavar="COL",
                   help=_("extra participant column to use as a subgroup factor (repeatable)"))
    p.add_argument("--where", action="append", default=[], metavar="COL=VALUE",
                   help=_("analyse only rows where COL equals VALUE (repeatable)"))
    p.add_argument("--no-adjust-projects", action="store_true",
                   help=_("fit giving/receiving models without change in projects attended"))
    p.add_argument("--no-subgroups", action="store_true", help=_("skip subgroup models"))
    p.add_argument("--no-figures", action="store_true", help=_("skip figures"))
    p.add_argument("--no-pdf", action="store_true", help=_("write report.html only"))
    p.add_argument("--quiet", action="store_true", help=_("no progress bar"))
    p.add_argument("--blank-grid", choices=("zero", "missing"), default="zero",
                   help=_("a log whose whole peer support grid is empty: count it as 0 (the "
                          "contract; default) or as missing; the report shows the other "
                          "reading's headline results beside the main ones"))
    p.add_argument("--chapter8", action="store_true",
                   help=_("add the evaluation's chapter 8 comparisons (diagnosis-specific vs "
                          "other projects, strategic partners vs grant-funded, Leeds alone, "
                          "and one per project-profile field: approach, facilitation, "
                          "leadership, focus, membership, organisational support, BaME type, "
                          "rural/urban)"))
    p.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), metavar="N",
                   help=_("processes for fitting and figures (default: up to 2)"))
    p.add_argument("--unit-costs", metavar="FILE",
                   help=_("unit_costs.csv: also write service use, costs, QALYs and the "
                          "economics section (needs items_wide.csv from peerlog export)"))
    p.add_argument("--items", metavar="FILE",
                   help=_("path of items_wide.csv (default: INPUT/items_wide.csv)"))
    p.add_argument("--inflate-to", type=int, metavar="YEAR",
                   help=_("bring unit costs to YEAR's prices (needs --price-index)"))
    p.add_argument("--price-index", metavar="FILE",
                   help=_("price index table (columns year, index) for --inflate-to"))
    p.add_argument("--informal-care-rate", type=float, metavar="RATE",
                   help=_("value of an hour of informal care (default: the unit-cost "
                          "table's informal_care row; none: hours only)"))
    p.set_defaults(func=run_analyse)

    q = subparsers.add_parser(
        "power",
        help=_("sample size for a within-person (paired) effect"),
        description=_(
            "Participants needed to detect a within-person standardised effect with a paired "
            "t test (noncentral t), as in the evaluation's sample size calculation."
        ),
    )
    q.add_argument("--effect", type=float, default=0.5, help=_("standardised effect (default 0.5)"))
    q.add_argument("--power", type=float, default=0.8, help=_("power (default 0.8)"))
    q.add_argument("--alpha", type=float, default=0.05,
                   help=_("two-sided significance level (default 0.05)"))
    q.set_defaults(func=run_power)


def run_analyse(args: argparse.Namespace) -> int:
    from pathlib import Path

    # Before numpy loads: the models' matrices are small (tens of columns), so OpenBLAS's
    # threads only contend with the forked model workers for the same cores (measured:
    # ~0.2 s less CPU per run at seed scale, bench/README.md). A user's setting wins.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from .contract import ContractError, read_logs, read_participants
    from .pipeline import Options, analyse, input_digests, parse_where, write_outputs

    base = Path(args.input)
    # Every file the run reads, for the report's reproducibility block (SHA-256 of each).
    read_files = {"participants.csv": Path(args.participants or base / "participants.csv"),
                  "logs.csv": Path(args.logs or base / "logs.csv")}
    try:
        participants = read_participants(read_files["participants.csv"])
        logs = read_logs(read_files["logs.csv"])
        economics, items = None, None
        if args.unit_costs:
            from .economics import EconomicsOptions
            from .economics.service_use import read_items

            read_files["items_wide.csv"] = Path(args.items or base / "items_wide.csv")
            read_files["unit costs"] = Path(args.unit_costs)
            if args.price_index:
                read_files["price index"] = Path(args.price_index)
            items = read_items(read_files["items_wide.csv"])
            economics = EconomicsOptions(args.unit_costs, args.inflate_to, args.price_index,
                                         args.informal_care_rate)
        elif args.inflate_to or args.price_index or args.informal_care_rate is not None:
            raise ValueError(_("--inflate-to, --price-index and --informal-care-rate need "
                               "--unit-costs"))
        options = Options(
            adjust_projects=not args.no_adjust_projects,
            subgroups=tuple(args.subgroup),
            where=parse_where(args.where),
            include_subgroups=not args.no_subgroups,
            pdf=not args.no_pdf,
            figures=not args.no_figures,
            workers=args.jobs,
            blank_grid=args.blank_grid,
            chapter8=args.chapter8,
            economics=economics,
        )
        if args.quiet or not sys.stderr.isatty():
            result = analyse(logs, participants, options, items=items)
        else:
            from rich.progress import Progress

            # No refresh thread (auto_refresh): with a thread running, forking the model
            # fits is not safe and the analysis would run in one process.
            with Progress(transient=True, auto_refresh=False) as bar:
                task = bar.add_task(_("Fitting models"), total=None)
                result = analyse(
                    logs, participants, options,
                    progress=lambda i, n: bar.update(task, completed=i, total=n, refresh=True),
                    items=items,
                )
        result.inputs = input_digests(read_files)
        written = write_outputs(result, args.out)
    except (ContractError, ValueError, KeyError, FileNotFoundError) as exc:
        print(_("peerlog analyse: error: {error}").format(error=exc), file=sys.stderr)
        return 2
    fitted = int(result.models["p_value"].notna().sum()) if "p_value" in result.models else 0
    print(_("{fitted} of {total} models fitted; {n} files written to {out}").format(
        fitted=fitted, total=len(result.models), n=len(written), out=args.out))
    return 0


def run_power(args: argparse.Namespace) -> int:
    from .power import paired_sample_size

    res = paired_sample_size(args.effect, args.power, args.alpha)
    print(_("Participants needed: {n} (within-person effect {d}, power {power:.0%} "
            "achieved {achieved:.3f}, two-sided alpha {alpha})").format(
        n=res.n, d=args.effect, power=args.power, achieved=res.achieved_power, alpha=args.alpha))
    return 0
