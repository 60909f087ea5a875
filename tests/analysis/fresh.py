"""Checks that need ``fork``, run in a new interpreter:
``python -m tests.analysis.fresh JOB IN.pickle OUT.pickle``.

The analysis forks only while no other thread runs (``pipeline._may_fork``), and a whole
test session has threads (Django's live server, the SMTP and SMS test servers), so these
checks run where the CLI runs: a process of one thread. Their arguments and results travel
as pickles (frames and the analysis result pickle)."""

from __future__ import annotations

import dataclasses
import pickle
import sys


def forked_analysis(logs, participants, options):
    """``analyse`` with ``options`` (workers > 1), and which functions were forked."""
    from peerlog.analysis import pipeline

    assert pipeline._may_fork(), "a fresh interpreter must be allowed to fork"
    forks, seen = [], []
    original = pipeline.Forked

    def counted(*args):
        forks.append(args[0].__name__)
        return original(*args)

    pipeline.Forked = counted
    try:
        result = pipeline.analyse(logs, participants, options,
                                  progress=lambda i, n: seen.append((i, n)))
    finally:
        pipeline.Forked = original
    return result, forks, seen


def forked_outputs(result, out, workers=2):
    """``write_outputs`` with ``workers`` (report.pdf's parts rendered in forked processes
    and joined with pypdf): the paths written and the two parts' bytes."""
    from peerlog.analysis import pipeline, report

    assert pipeline._may_fork(), "a fresh interpreter must be allowed to fork"
    res = dataclasses.replace(result, options=dataclasses.replace(result.options,
                                                                  workers=workers))
    joined, forks = [], []
    join, original = report.join_pdfs, pipeline.Forked

    def spy(parts, path):
        joined.append(parts)
        return join(parts, path)

    def counted(*args):
        forks.append(args[0].__name__)
        return original(*args)

    report.join_pdfs, pipeline.Forked = spy, counted
    try:
        written = pipeline.write_outputs(res, out)
    finally:
        report.join_pdfs, pipeline.Forked = join, original
    return written, joined, forks


JOBS = {"forked_analysis": forked_analysis, "forked_outputs": forked_outputs}


def main() -> None:
    job, src, dst = sys.argv[1:4]
    with open(src, "rb") as f:
        args = pickle.load(f)
    value = JOBS[job](*args)
    with open(dst, "wb") as f:
        pickle.dump(value, f)


if __name__ == "__main__":
    main()
