"""Participant pages under load, and after a crash (bench/README.md, "Participant pages").

gunicorn on 127.0.0.1 against a scratch PostgreSQL database (``peerlog_bench``, created and
dropped here; never the suite's ``test`` database). Simulated participants open their personal
link and fill in a whole monthly log the way a browser does (GET each page, POST its answers
with the CSRF token, follow the redirect), 32 at a time. Then:

1. **Load**: logs per second, p95 latency of each request and of the final "send my log" POST.
2. **Exactly once**: every acknowledged log (final POST answered with the thank-you redirect)
   is stored once; no participant has more logs than they completed.
3. **Crash**: the same again, but the server's whole process group is killed with SIGKILL
   mid-run and restarted; clients retry what was not answered (same page, same submission key,
   as a browser's reload would). Afterwards the same counts must hold.

Usage: ``.venv/bin/python bench/participant_load.py [--logs 320] [--clients 32] [--workers 3]``
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
DB_NAME = "peerlog_bench"


# --- set-up (runs in a child process with Django configured) ---------------------------------

def seed(count: int, drafted: int = 0) -> None:
    """Make ``count`` participants, each with one earlier log (so a monthly log is due); the
    last ``drafted`` of them have a monthly log filled in up to its last page."""
    from peerlog.web import setup

    setup()
    from django.utils import timezone

    from peerlog.capture import personal_ids
    from peerlog.capture.models import (
        Draft,
        Participant,
        PersonalId,
        PersonalIdBatch,
        Project,
        Region,
    )
    from peerlog.capture.services import store_log
    from peerlog.instruments import load_instrument

    region, _ = Region.objects.get_or_create(code="leeds", defaults={"name": "Leeds"})
    project, _ = Project.objects.get_or_create(
        code="bench", defaults={"region": region, "name": "Bench", "approach": "group",
                                "funding": "grant_funded"})
    batch = PersonalIdBatch.objects.create(project=project)
    taken = set(PersonalId.objects.values_list("code", flat=True))
    tokens = []
    now = timezone.now()
    earlier = timezone.localdate() - timezone.timedelta(days=35)
    for _ in range(count):
        code = personal_ids.new_id(7, taken)
        taken.add(code)
        token = secrets.token_urlsafe(32)
        p = Participant.objects.create(
            personal_id=PersonalId.objects.create(code=code, batch=batch), project=project,
            consent_information=True, consent_reminders=True, consent_data_use=True,
            consent_form_version="bench", consented_at=now,
            link_token_hash=Participant.hash_token(token))
        store_log(scope=None, instrument="quarterly", answers={}, typed_personal_id=p.personal_id.code,
                  completed_on=earlier, mode="online", submission_key=f"seed-{code}")
        if len(tokens) >= count - drafted:
            monthly = load_instrument("monthly")
            answers = {}
            for section in monthly.sections[:-1]:
                answers.update({k: int(v) if v.isdigit() else v
                                for k, v in answers_for(section).items()})
            Draft.objects.create(participant=p, instrument="monthly",
                                 submission_key=secrets.token_hex(32), answers=answers,
                                 done_sections=[s.code for s in monthly.sections[:-1]])
        tokens.append(token)
    print(json.dumps(tokens))


def count(keys_file: str) -> None:
    """Print how the acknowledged keys are stored, and logs per participant."""
    from peerlog.web import setup

    setup()
    from django.db.models import Count

    from peerlog.capture.models import Log

    keys = json.loads(Path(keys_file).read_text())
    stored = dict(Log.objects.filter(submission_key__in=keys["acked"])
                  .values_list("submission_key").annotate(n=Count("id")))
    per_participant = list(Log.objects.exclude(submission_key__startswith="seed-")
                           .values("participant").annotate(n=Count("id"))
                           .values_list("n", flat=True))
    print(json.dumps({
        "acked": len(keys["acked"]),
        "acked_stored_once": sum(1 for k in keys["acked"] if stored.get(k) == 1),
        "acked_missing": sum(1 for k in keys["acked"] if k not in stored),
        "new_logs": Log.objects.exclude(submission_key__startswith="seed-").count(),
        "max_new_logs_per_participant": max(per_participant, default=0),
    }))


# --- the server -------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, env: dict, port: int, workers: int):
        self.env, self.port, self.workers, self.proc = env, port, workers, None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "peerlog.web.wsgi", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(self.workers), "--log-level", "warning"],
            env=self.env, cwd=ROOT, start_new_session=True)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("gunicorn did not start")

    def kill(self) -> None:
        """SIGKILL the whole process group (master and workers) we started."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)


# --- a simulated participant ---------------------------------------------------------------

def answers_for(section) -> dict[str, str]:
    data: dict[str, str] = {}
    for item in section.items:
        if item.type == "count":
            data[item.code] = str(secrets.randbelow(4))
        elif item.type == "integer":
            data[item.code] = str(item.min or 1)
        elif item.type == "single":
            data[item.code] = str(item.options[secrets.randbelow(len(item.options))].value)
    data.pop("personal_id", None)
    return data


class Client:
    """A browser-like client: cookies, CSRF token from the form, retries while the server is
    down (the same request again, as a reload would)."""

    def __init__(self, port: int, stats: dict, lock: threading.Lock):
        self.port, self.stats, self.lock, self.cookies = port, stats, lock, {}

    def request(self, method: str, path: str, data: dict | None = None):
        body = urllib.parse.urlencode(data or {}, doseq=True) if method == "POST" else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                   "Origin": f"http://127.0.0.1:{self.port}",
                   "Referer": f"http://127.0.0.1:{self.port}{path}"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(600):
            start = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                text = resp.read().decode()
                conn.close()
            except (OSError, http.client.HTTPException):
                with self.lock:
                    self.stats["retries"] += 1
                time.sleep(min(0.05 * (attempt + 1), 0.5))
                continue
            elapsed = time.perf_counter() - start
            if resp.status >= 500:
                raise RuntimeError(f"{method} {path}: {resp.status}")
            for header, value in resp.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";", 1)[0]
            with self.lock:
                self.stats["latencies"].append(elapsed)
            return resp.status, resp.getheader("Location", ""), text
        raise RuntimeError(f"{method} {path}: server never came back")

    def form_fields(self, text: str) -> dict[str, str]:
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
        key = re.search(r'name="key" value="([^"]+)"', text)
        out = {"csrfmiddlewaretoken": csrf.group(1)} if csrf else {}
        if key:
            out["key"] = key.group(1)
        return out

    def complete_log(self, token: str, instruments: dict) -> str | None:
        """One whole log; returns its submission key once the server acknowledged it."""
        status, _, text = self.request("GET", f"/l/{token}/")
        status, location, _ = self.request("POST", f"/l/{token}/", self.form_fields(text))
        key = None
        while "/log/" in location:
            path = urllib.parse.urlparse(location).path
            status, _, text = self.request("GET", path)
            if status == 302:  # e.g. the log was stored before a crash: thank-you
                location = "/thanks/"
                break
            fields = self.form_fields(text)
            key = fields.get("key", key)
            section = path.rstrip("/").rsplit("/", 1)[1]
            inst = instruments[re.search(r'data-instrument="([a-z_]+)"', text).group(1)] \
                if 'data-instrument="' in text else instruments["monthly"]
            sec = next(s for s in inst.sections if s.code == section)
            t0 = time.perf_counter()
            status, location, _ = self.request("POST", path, {**fields, **answers_for(sec)})
            if "/thanks/" in location:
                with self.lock:
                    self.stats["final"].append(time.perf_counter() - t0)
        return key if "/thanks/" in location else None


def submit_last_page(client: Client, token: str, instruments: dict) -> str | None:
    """Only the last page of a log already filled in up to there (the storing request)."""
    section = instruments["monthly"].sections[-1]
    path = f"/l/{token}/log/{section.code}/"
    _status, _, text = client.request("GET", path)
    fields = client.form_fields(text)
    t0 = time.perf_counter()
    _status, location, _ = client.request("POST", path, {**fields, **answers_for(section)})
    if "/thanks/" in location:
        with client.lock:
            client.stats["final"].append(time.perf_counter() - t0)
        return fields.get("key")
    return None


def run(port: int, tokens: list[str], clients: int, on_progress=None,
        last_page_only: bool = False) -> dict:
    from peerlog.instruments import load_instrument

    instruments = {c: load_instrument(c) for c in ("monthly", "monthly_short", "quarterly")}
    stats = {"latencies": [], "final": [], "retries": 0, "acked": [], "errors": []}
    lock = threading.Lock()
    queue = list(tokens)

    def worker():
        client = Client(port, stats, lock)
        while True:
            with lock:
                if not queue:
                    return
                token = queue.pop()
            client.cookies.clear()
            try:
                key = (submit_last_page(client, token, instruments) if last_page_only
                       else client.complete_log(token, instruments))
            except Exception as exc:  # reported in the results
                with lock:
                    stats["errors"].append(repr(exc))
                continue
            with lock:
                if key:
                    stats["acked"].append(key)
                if on_progress:
                    on_progress(len(stats["acked"]))

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stats["seconds"] = time.perf_counter() - start
    return stats


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] * 1000 if len(values) > 1 else float("nan")


def django(env: dict, *args: str) -> str:
    return subprocess.run([PYTHON, __file__, *args], env=env, cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--logs", type=int, default=320, help="logs per phase")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--count", help=argparse.SUPPRESS)
    parser.add_argument("--drafted", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed:
        seed(args.seed, args.drafted)
        return 0
    if args.count:
        count(args.count)
        return 0

    import psycopg
    from cryptography.fernet import Fernet

    admin = psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres",
                            autocommit=True)
    admin.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
    admin.execute(f"CREATE DATABASE {DB_NAME}")
    home = tempfile.mkdtemp(prefix="peerlog-bench-")
    env = {**os.environ, "PEERLOG_DB": "postgres", "PEERLOG_PG_NAME": DB_NAME,
           "PEERLOG_HOME": home, "PEERLOG_SECRET_KEY": secrets.token_urlsafe(40),
           "PEERLOG_CONTACT_KEYS": Fernet.generate_key().decode(),
           "PEERLOG_ALLOWED_HOSTS": "127.0.0.1,localhost"}
    server = None
    try:
        subprocess.run([str(Path(PYTHON).parent / "peerlog"), "manage", "migrate", "-v", "0"], env=env,
                       cwd=ROOT, check=True)
        tokens = json.loads(django(env, "--seed", str(args.logs * 3), "--drafted",
                                   str(args.logs)))
        port = free_port()
        server = Server(env, port, args.workers)
        server.start()
        results = {}

        # Phase 1: load.
        load = run(port, tokens[: args.logs], args.clients)
        results["load"] = load
        # Phase 2: SIGKILL mid-run, restart, carry on.
        crash_at = args.logs // 3
        killed = threading.Event()

        def on_progress(done: int) -> None:
            if done >= crash_at and not killed.is_set():
                killed.set()
                threading.Thread(target=lambda: (server.kill(), time.sleep(1.0),
                                                 server.start())).start()

        crash = run(port, tokens[args.logs: 2 * args.logs], args.clients, on_progress)
        results["crash"] = crash
        # Phase 3: only the storing request (last page of logs filled in up to there).
        store = run(port, tokens[2 * args.logs:], args.clients, last_page_only=True)
        results["store"] = store
        server.stop()
        keys_file = Path(home) / "keys.json"
        keys_file.write_text(json.dumps({"acked": load["acked"] + crash["acked"]
                                         + store["acked"]}))
        counted = json.loads(django(env, "--count", str(keys_file)))

        print(f"clients={args.clients} gunicorn workers={args.workers} cpus={os.cpu_count()}")
        for name in ("load", "crash", "store"):
            r = results[name]
            print(f"[{name}] logs acknowledged {len(r['acked'])}/{args.logs} in "
                  f"{r['seconds']:.1f} s = {len(r['acked']) / r['seconds']:.1f} logs/s; "
                  f"requests {len(r['latencies'])} = {len(r['latencies']) / r['seconds']:.0f}/s; "
                  f"p95 request {p95(r['latencies']):.0f} ms; "
                  f"p95 final submit {p95(r['final']):.0f} ms; "
                  f"retries {r['retries']}; errors {len(r['errors'])}")
            for e in r["errors"][:5]:
                print("   ", e)
        print(f"[count] {counted}")
        ok = (counted["acked_stored_once"] == counted["acked"] and counted["acked_missing"] == 0
              and counted["max_new_logs_per_participant"] == 1
              and counted["new_logs"] == counted["acked"] == 3 * args.logs)
        print("EXACTLY ONCE:", "yes" if ok else "NO")
        return 0 if ok else 1
    finally:
        if server:
            with contextlib.suppress(ProcessLookupError, subprocess.TimeoutExpired):
                server.stop()
        admin.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        admin.close()


if __name__ == "__main__":
    sys.exit(main())
