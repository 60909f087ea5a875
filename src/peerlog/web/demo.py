"""The demo (``peerlog demo``): a working PeerLog on synthetic data in one command.

Migrates the embedded database, loads the synthetic cohort through the capture services,
exports it, runs the analysis, creates a staff account per role and prints where to look.
Every step reuses what a previous run made, so running it again is quick and duplicates
nothing. It refuses to run under ``PEERLOG_ENV=production`` (before writing anything): it
would load 703 synthetic people into a live database and print passwords. The report is
written under ``PEERLOG_HOME/reports/demo/`` and served by the staff console's Reports page
to signed-in staff, never as a static file.
"""

from __future__ import annotations

import argparse
import os
import sys

from peerlog.web.server import django_call_command, prepare, serve

DEMO_SEED = 1
DEMO_ROLES = ("coordinator", "regional_researcher", "central_researcher", "commissioner",
              "administrator")
DEMO_PROJECT = "leeds-peer-support"  # the demo coordinator's project
DEMO_REGION = "leeds"  # the demo regional researcher's region


def _demo_state(path) -> dict:
    import json

    return json.loads(path.read_text()) if path.exists() else {}


def _save_state(path, state: dict) -> None:
    import json

    path.write_text(json.dumps(state, indent=2))
    path.chmod(0o600)


def _demo_cohort() -> None:
    """Load the synthetic cohort unless it is already in the database."""
    import time

    from peerlog.synth.cohort import generate
    from peerlog.synth.db import is_loaded, load

    cohort = generate(DEMO_SEED)
    if is_loaded(cohort):
        print(f"Synthetic cohort already loaded ({len(cohort.participants)} participants, "
              f"{len(cohort.logs)} logs): reusing it.")
        return
    t0 = time.perf_counter()
    print("Loading the synthetic cohort (703 participants, ~2,100 logs) ...", flush=True)
    created = load(cohort)
    print(f"  stored {created['participants']} participants and {created['logs']} logs "
          f"in {time.perf_counter() - t0:.1f} s")


def _file_hash(*paths) -> str:
    import hashlib

    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _demo_report(data, report) -> object:
    """Export the contract and item files and run the analysis on them, with the health
    economics on the example unit costs (illustrative: the report says so), unless the report
    in ``report`` was made from the same files. Returns the report's path, or None."""
    import time
    from pathlib import Path

    from peerlog.analysis import economics
    from peerlog.export.contract import export

    export(data)
    unit_costs = Path(economics.__file__).parent / "data" / "unit_costs_example.csv"
    source = _file_hash(data / "participants.csv", data / "logs.csv", data / "items_wide.csv",
                        unit_costs)
    stamp = report / ".source-sha256"
    html = report / "report.html"
    if html.exists() and stamp.exists() and stamp.read_text() == source:
        print(f"Analysis report up to date: reusing {html}")
        return html
    import logging

    from peerlog.analysis.contract import read_logs, read_participants
    from peerlog.analysis.economics.service_use import read_items
    from peerlog.analysis.pipeline import Options, analyse, input_digests, write_outputs

    for name in ("weasyprint", "fontTools"):  # PDF rendering chatter, not the demo's news
        logging.getLogger(name).setLevel(logging.ERROR)
    t0 = time.perf_counter()
    print("Running the analysis (mixed models, health economics with illustrative unit "
          "costs, tables, figures, report) ...", flush=True)
    files = {"participants.csv": data / "participants.csv", "logs.csv": data / "logs.csv",
             "items_wide.csv": data / "items_wide.csv", "unit costs": unit_costs}
    # The fits fork (2 processes); the children never touch the database and leave with
    # os._exit, so this process's connection stays as it is.
    result = analyse(read_logs(files["logs.csv"]), read_participants(files["participants.csv"]),
                     Options(economics=economics.EconomicsOptions(unit_costs),
                             workers=min(2, os.cpu_count() or 1)),
                     items=read_items(files["items_wide.csv"]))
    result.inputs = input_digests(files)  # the report's reproducibility block names them
    write_outputs(result, report)
    stamp.write_text(source)
    print(f"  done in {time.perf_counter() - t0:.0f} s (costs use example unit costs: "
          "illustrative, not for reporting)")
    return html if html.exists() else None


def _demo_accounts(state: dict) -> list[tuple[str, str, str]]:
    """A staff account per role (created once), with a confirmed authenticator.
    Returns (role, username, password)."""
    import secrets

    from django.contrib.auth import get_user_model

    from peerlog.capture.models import Project, Region
    from peerlog.staff.models import StaffProfile, TotpDevice
    from peerlog.staff.totp import new_secret

    User = get_user_model()  # noqa: N806
    accounts = state.setdefault("accounts", {})
    out = []
    for role in DEMO_ROLES:
        username = f"demo-{role.replace('_', '-')}"
        info = accounts.setdefault(username, {"password": secrets.token_urlsafe(9)})
        user, created = User.objects.get_or_create(username=username)
        # The console's administrator is a role, not a Django superuser: the admin site is
        # for operators who make one with `peerlog manage createsuperuser`.
        if created or not user.check_password(info["password"]) or user.is_superuser:
            user.set_password(info["password"])
            user.is_staff = user.is_superuser = False
            user.save()
        profile, _ = StaffProfile.objects.get_or_create(user=user, defaults={"role": role})
        # Trainers sign in with the printed password; it is not one to replace first.
        StaffProfile.objects.filter(pk=profile.pk).update(must_change_password=False)
        if role == "coordinator":
            profile.projects.set(Project.objects.filter(code=DEMO_PROJECT))
        if role == "regional_researcher":
            profile.regions.set(Region.objects.filter(code=DEMO_REGION))
        secret = info.setdefault("totp_secret", new_secret())
        device, _ = TotpDevice.objects.get_or_create(
            user=user, defaults={"secret": secret, "confirmed": True})
        if device.secret != secret or not device.confirmed:
            device.secret, device.confirmed, device.last_step = secret, True, 0
            device.save()
        out.append((role, username, info["password"]))
    return out


def _demo_participant_link(state: dict, base: str) -> str | None:
    """A personal link of one synthetic participant with several logs (kept across runs)."""
    from django.db.models import Count

    from peerlog.capture import links
    from peerlog.capture.models import Participant

    participant = (
        Participant.objects.filter(project__code=DEMO_PROJECT, short_version__isnull=True)
        .annotate(n=Count("logs")).filter(n__gte=3).order_by("personal_id__code").first()
    )
    if participant is None:
        return None
    token = state.get("participant_link_token")
    if not token or links.participant_for_token(token) != participant:
        token = links.new_token(participant, "demo")
        state["participant_link_token"] = token
    return base.rstrip("/") + links.link_path(token)


def refuses_production() -> bool:
    """True (with a message) under PEERLOG_ENV=production; read from the environment, so
    nothing is imported, created or written first."""
    if os.environ.get("PEERLOG_ENV", "development") == "production":
        print("peerlog demo: refused: PEERLOG_ENV=production. The demo loads synthetic people "
              "and demo accounts with printed passwords; run it only on a machine of its own.",
              file=sys.stderr)
        return True
    return False


def run_demo(args: argparse.Namespace) -> int:
    """Database, synthetic cohort, analysis report, demo accounts; then serve (or exit)."""
    import shutil
    from pathlib import Path

    if refuses_production():
        return 2
    prepare()
    from django.conf import settings

    print(f"Database ready: {settings.DATABASES['default']['NAME']}")
    demo = Path(settings.HOME) / "demo"
    demo.mkdir(parents=True, exist_ok=True)
    state_path = demo / "demo-accounts.json"
    state = _demo_state(state_path)
    _demo_cohort()
    report_dir = Path(settings.REPORTS_DIR) / "demo"
    old = demo / "report"  # where earlier versions wrote it: move, so nothing is redone
    if old.is_dir() and not report_dir.exists():
        report_dir.parent.mkdir(parents=True, exist_ok=True)
        old.rename(report_dir)
    report = _demo_report(demo / "data", report_dir)
    accounts = _demo_accounts(state)
    base = f"http://{args.host}:{args.port}/"
    link = _demo_participant_link(state, base)
    _save_state(state_path, state)
    call_command = django_call_command()
    call_command("collectstatic", interactive=False, verbosity=0)
    # Earlier versions copied the report (with row-level periods.csv) to /static/: remove it.
    shutil.rmtree(Path(settings.STATIC_ROOT) / "demo-report", ignore_errors=True)
    print()
    print("PeerLog demo (synthetic data: no real person's data is in it)")
    if report is not None:
        print(f"  Analysis report:   {base}staff/reports/demo/report.html   (staff sign-in; "
              f"all reports: {base}staff/reports/)")
        print(f"                     file://{report}")
    print(f"  Participant pages: {base}")
    if link:
        print(f"  A participant's personal link: {link}")
    print(f"  Staff console:     {base}staff/   (sign in with a demo account)")
    for role, username, password in accounts:
        print(f"    {role:<20} user {username:<27} password {password}")
    if accounts:
        print("    Second factor: `peerlog demo-code USER` prints the current code; the secrets "
              f"for an authenticator app are in {state_path}")
    print(f"  Data (contract CSVs, SPSS, Stata): {demo / 'data'}")
    if args.no_serve:
        return 0
    return serve(args)


def run_demo_code(args: argparse.Namespace) -> int:
    """The current sign-in code of a demo account (never for other accounts, never in
    production)."""
    from peerlog.web import setup

    setup()
    from django.conf import settings

    if settings.PRODUCTION or not args.username.startswith("demo-"):
        print("peerlog demo-code: only for the demo accounts (demo-...), outside production",
              file=sys.stderr)
        return 2
    from peerlog.staff.models import TotpDevice
    from peerlog.staff.totp import totp

    device = TotpDevice.objects.filter(user__username=args.username).first()
    if device is None:
        print(f"peerlog demo-code: no authenticator for {args.username}", file=sys.stderr)
        return 1
    print(totp(device.secret))
    return 0
