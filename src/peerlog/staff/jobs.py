"""Analysis runs asked for in the console, carried out by a separate process (issue 12).

A central researcher's POST only records an :class:`~peerlog.staff.models.AnalysisJob`
(:func:`enqueue`); ``peerlog run-analysis-jobs`` claims it (:func:`claim`), exports the current
data into a private temporary folder under ``PEERLOG_HOME``, runs the analysis into a hidden
folder of ``REPORTS_DIR`` that is renamed to ``analysis-<UTC time>`` when complete (so the
reports page never lists half a report), records progress as it goes, and removes the export.

The command is started by the view (a detached process, :func:`spawn_worker`) and by a
systemd timer (``deploy/systemd/peerlog-analysis-jobs.*``) that also picks up a job whose
process could not be started. Claiming is one conditional UPDATE, so whichever process comes
first runs the job and the other finds nothing. No thread ever runs inside a web worker.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from peerlog.capture import audit
from peerlog.staff.models import AnalysisJob

log = logging.getLogger(__name__)
State = AnalysisJob.State
ACTOR = "analysis job"
# A running job whose heartbeat is older than this has lost its process (killed, machine
# restarted): it is marked failed, so a new one can be asked for.
STALE_AFTER = timedelta(minutes=30)
# Progress bands (percent): exporting, fitting the models, writing tables/figures/report.
EXPORT_END, MODELS_END = 10, 75


def enqueue(user: Any) -> tuple[AnalysisJob, bool]:
    """The active job, or a new queued one. Returns (job, created); a second click while a
    job is queued or running gets that job (the partial unique index decides races)."""
    fail_stale()
    active = AnalysisJob.objects.filter(state__in=AnalysisJob.ACTIVE).first()
    if active is not None:
        return active, False
    try:
        with transaction.atomic():
            job = AnalysisJob.objects.create(requested_by=user)
    except IntegrityError:  # another request won the race
        return AnalysisJob.objects.get(state__in=AnalysisJob.ACTIVE), False
    audit.record(user, "analysis.run", job)
    return job, True


def fail_stale(now=None) -> int:
    """Mark running jobs without a heartbeat for :data:`STALE_AFTER` as failed."""
    now = now or timezone.now()
    return AnalysisJob.objects.filter(state=State.RUNNING,
                                      updated_at__lt=now - STALE_AFTER).update(
        state=State.FAILED, finished_at=now, updated_at=now,
        message=gettext_noop("The analysis stopped without finishing (its process ended). "
                             "Please start it again."))


def spawn_worker(job: AnalysisJob) -> bool:
    """Start ``peerlog run-analysis-jobs --job ID`` as a detached process (its own session,
    no inherited descriptors), unless ``PEERLOG_ANALYSIS_SPAWN=0`` leaves jobs to the timer.
    Returns whether a process was started."""
    if not getattr(settings, "ANALYSIS_JOBS_SPAWN",
                   os.environ.get("PEERLOG_ANALYSIS_SPAWN", "1") != "0"):
        return False
    try:
        subprocess.Popen(  # noqa: S603  fixed arguments, no shell
            [sys.executable, "-m", "peerlog.cli", "run-analysis-jobs", "--job", str(job.pk)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            close_fds=True, start_new_session=True, cwd=str(settings.HOME))
    except OSError:
        log.exception("could not start the analysis worker; the timer will run job %s", job.pk)
        return False
    return True


def claim(job_id: int | None = None) -> AnalysisJob | None:
    """Move one queued job (the oldest, or ``job_id``) to running; None if there is none or
    another process claimed it first."""
    queued = AnalysisJob.objects.filter(state=State.QUEUED)
    if job_id is not None:
        queued = queued.filter(pk=job_id)
    job = queued.order_by("created_at", "pk").first()
    if job is None:
        return None
    now = timezone.now()
    if not AnalysisJob.objects.filter(pk=job.pk, state=State.QUEUED).update(
            state=State.RUNNING, started_at=now, updated_at=now, step="export", progress=0):
        return None
    job.refresh_from_db()
    return job


def _update(job: AnalysisJob, **fields: Any) -> None:
    fields["updated_at"] = timezone.now()
    for name, value in fields.items():
        setattr(job, name, value)
    AnalysisJob.objects.filter(pk=job.pk).update(**fields)


def report_name(now=None) -> str:
    """``analysis-YYYYMMDD-HHMMSS`` in UTC, with a suffix if that folder exists already."""
    stamp = (now or timezone.now()).astimezone(UTC).strftime("analysis-%Y%m%d-%H%M%S")
    root, name, n = Path(settings.REPORTS_DIR), stamp, 1
    while (root / name).exists():
        n += 1
        name = f"{stamp}-{n}"
    return name


class JobError(Exception):
    """A failure whose message may be shown as it is (plain words, no personal data; marked
    with ``gettext_noop`` so the page can translate it)."""


def run(job: AnalysisJob, options: Any = None) -> AnalysisJob:
    """Carry out a claimed job: export, analyse, write the report; never raises.

    ``options`` (a ``peerlog.analysis.pipeline.Options``) defaults to the full report with
    figures and PDFs, fitted in one process (the worker's only job is this one).
    """
    home = Path(settings.HOME)
    reports = Path(settings.REPORTS_DIR)
    work = home / "analysis-work"
    work.mkdir(mode=0o700, parents=True, exist_ok=True)
    export_dir = Path(tempfile.mkdtemp(prefix=f"job{job.pk}-", dir=work))  # 0700
    reports.mkdir(mode=0o700, parents=True, exist_ok=True)
    incoming = reports / f".incoming-{job.pk}"
    try:
        counts = _export(job, export_dir)
        if counts["logs"] == 0:
            raise JobError(gettext_noop("There are no logs to analyse yet."))
        result = _analyse(job, export_dir, options)
        _update(job, step="report", progress=MODELS_END)
        from peerlog.analysis.pipeline import write_outputs

        shutil.rmtree(incoming, ignore_errors=True)
        write_outputs(result, incoming)
        incoming.chmod(0o700)
        name = report_name()
        incoming.rename(reports / name)
        now = timezone.now()
        _update(job, state=State.DONE, progress=100, step="", output=name, finished_at=now)
        audit.record(ACTOR, "analysis.done", job, report=name,
                     requested_by=audit.actor_label(job.requested_by),
                     participants=counts["participants"], logs=counts["logs"])
    except Exception as exc:  # noqa: BLE001  any failure ends as "failed" with plain words
        if isinstance(exc, JobError):
            message = str(exc)
        else:
            from peerlog.analysis.contract import ContractError

            message = (gettext_noop("The data could not be analysed: they do not fit the "
                                    "analysis contract.") if isinstance(exc, ContractError)
                       else gettext_noop("The analysis stopped because of an unexpected "
                                         "error; the server's log has the details."))
            log.exception("analysis job %s failed", job.pk)
        _update(job, state=State.FAILED, step="", message=message[:500],
                finished_at=timezone.now())
        audit.record(ACTOR, "analysis.failed", job,
                     requested_by=audit.actor_label(job.requested_by))
        shutil.rmtree(incoming, ignore_errors=True)
    finally:
        shutil.rmtree(export_dir, ignore_errors=True)
    return job


def _export(job: AnalysisJob, out: Path) -> dict[str, int]:
    from peerlog.export.contract import export

    counts = export(out, labelled=False)
    # Like `peerlog export`: who took the research data out (here, into the job's folder).
    audit.record(job.requested_by or ACTOR, "export", "contract_files", purpose="analysis job",
                 job=job.pk, participants=counts["participants"], logs=counts["logs"])
    _update(job, step="models", progress=EXPORT_END)
    return counts


def _analyse(job: AnalysisJob, data: Path, options: Any):
    from peerlog.analysis.contract import read_logs, read_participants
    from peerlog.analysis.pipeline import Options, analyse, input_digests

    options = options or Options()
    last = [EXPORT_END]

    def progress(done: int, total: int) -> None:
        percent = EXPORT_END + (MODELS_END - EXPORT_END) * done // max(total, 1)
        if percent >= last[0] + 5:  # a row update every 5 %, not one per model
            last[0] = percent
            _update(job, progress=percent)

    if options.workers > 1:  # forked processes must not share this process's connection
        connections.close_all()
    files = {name: data / name for name in ("participants.csv", "logs.csv")}
    result = analyse(read_logs(files["logs.csv"]), read_participants(files["participants.csv"]),
                     options, progress=progress)
    result.inputs = input_digests(files)  # the export this run read (removed afterwards)
    return result


def run_pending(job_id: int | None = None, options: Any = None) -> list[AnalysisJob]:
    """Fail stale jobs, then run queued ones (``job_id`` only, or all) until none is left."""
    fail_stale()
    done = []
    while (job := claim(job_id)) is not None:
        done.append(run(job, options))
        if job_id is not None:
            break
    return done
