"""``peerlog run-analysis-jobs``: carry out the analyses asked for in the staff console."""

from __future__ import annotations

import argparse


def run_analysis_jobs(args: argparse.Namespace) -> int:
    from peerlog.web import setup

    setup()
    import logging

    from peerlog.staff import jobs

    for name in ("weasyprint", "fontTools"):  # PDF layout chatter, not news
        logging.getLogger(name).setLevel(logging.ERROR)
    done = jobs.run_pending(args.job)
    for job in done:
        print(f"analysis job {job.pk}: {job.state}"
              + (f", report {job.output}" if job.output else f": {job.message}"))
    return 1 if any(job.state == jobs.State.FAILED for job in done) else 0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "run-analysis-jobs",
        help="run the analyses asked for in the staff console (started by the console and "
             "by peerlog-analysis-jobs.timer)")
    p.add_argument("--job", type=int, help="run only this job (if it is still waiting)")
    p.set_defaults(func=run_analysis_jobs)
