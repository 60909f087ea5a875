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

``--through-nginx`` runs the deploy/ recipe instead (deploy/localstack.py: nginx with TLS in
front of gunicorn's gthread workers on a unix socket, ``PEERLOG_ENV=production``): the
figures a real installation on this machine would give. Tiny sizes (``--logs 2 --clients 2``)
are the CI smoke run (tests/ops/test_bench_smoke.py).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import importlib.util
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
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

    from peerlog.capture import links, personal_ids
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
        p = Participant.objects.create(
            personal_id=PersonalId.objects.create(code=code, batch=batch), project=project,
            consent_information=True, consent_reminders=True, consent_data_use=True,
            consent_form_version="bench", consented_at=now)
        token = links.new_token(p, "staff")
        store_log(scope=None, instrument="quarterly", answers={},
                  typed_personal_id=p.personal_id.code,
                  completed_on=earlier, mode="online", submission_key=f"seed-{code}",
                  # sent then too: online logs count from the day they were received
                  received_at=now - timezone.timedelta(days=35))
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
    """A browser-like client: cookies, CSRF token from the form, one persistent (keep-alive)
    connection as a browser keeps one for a site, retries while the server is down (the
    same request again, on a new connection, as a reload would)."""

    def __init__(self, port: int, stats: dict, lock: threading.Lock,
                 tls: ssl.SSLContext | None = None, keep_alive: bool = True):
        self.port, self.stats, self.lock, self.cookies = port, stats, lock, {}
        self.tls, self.keep_alive, self.conn = tls, keep_alive, None
        self.host = "localhost" if tls else "127.0.0.1"
        self.origin = f"{'https' if tls else 'http'}://{self.host}:{port}"

    def connect(self) -> http.client.HTTPConnection:
        if self.tls:
            return http.client.HTTPSConnection(self.host, self.port, timeout=30,
                                               context=self.tls)
        return http.client.HTTPConnection(self.host, self.port, timeout=30)

    def request(self, method: str, path: str, data: dict | None = None):
        body = urllib.parse.urlencode(data or {}, doseq=True) if method == "POST" else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                   "Origin": self.origin, "Referer": f"{self.origin}{path}"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(600):
            start = time.perf_counter()
            fresh = self.conn is None
            try:
                if fresh:
                    self.conn = self.connect()
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                text = resp.read().decode()
                if not self.keep_alive or resp.will_close:
                    self.close()
            except (OSError, http.client.HTTPException):
                self.close()
                if not fresh:  # the server closed an idle kept-alive connection: reconnect
                    continue
                with self.lock:
                    self.stats["retries"] += 1
                time.sleep(min(0.05 * (attempt + 1), 0.5))
                continue
            elapsed = time.perf_counter() - start
            if resp.status == 502 and self.tls:  # nginx while gunicorn restarts: retry
                with self.lock:
                    self.stats["retries"] += 1
                time.sleep(min(0.05 * (attempt + 1), 0.5))
                continue
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

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

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


def _new_stats() -> dict:
    return {"latencies": [], "final": [], "retries": 0, "acked": [], "errors": []}


def _in_threads(worker, clients: int) -> float:
    """Run ``worker`` in ``clients`` threads at once; the seconds until all are done."""
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


def run_floor(port: int, requests: int, clients: int, tls: ssl.SSLContext | None = None,
              keep_alive: bool = True) -> dict:
    """The stack's own floor: ``requests`` GETs of /healthz (one database query, no template)
    by the same clients through the same server, so requests/s / 16 is the most complete
    logs/s this setup could give on this machine if PeerLog's pages cost nothing."""
    stats = _new_stats()
    lock = threading.Lock()
    left = [requests]

    def worker():
        client = Client(port, stats, lock, tls, keep_alive)
        while True:
            with lock:
                if left[0] <= 0:
                    return
                left[0] -= 1
            try:
                client.request("GET", "/healthz")
            except Exception as exc:  # reported in the results
                with lock:
                    stats["errors"].append(repr(exc))

    stats["seconds"] = _in_threads(worker, clients)
    return stats


def run(port: int, tokens: list[str], clients: int, on_progress=None,
        last_page_only: bool = False, tls: ssl.SSLContext | None = None,
        keep_alive: bool = True) -> dict:
    from peerlog.instruments import load_instrument

    instruments = {c: load_instrument(c) for c in ("monthly", "monthly_short", "quarterly")}
    stats = _new_stats()
    lock = threading.Lock()
    queue = list(tokens)

    def worker():
        client = Client(port, stats, lock, tls, keep_alive)
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

    stats["seconds"] = _in_threads(worker, clients)
    return stats


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_by_pid(pgids: set[int], extra_pids: set[int]) -> dict[int, float]:
    """CPU seconds (user + system, and reaped children's) of every process in ``pgids`` and
    of ``extra_pids``, from /proc."""
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, pgrp = int(entry.name), int(fields[2])
        if pgrp in pgids or pid in extra_pids:
            out[pid] = sum(int(v) for v in fields[11:15]) / CLOCK_TICKS
    return out


class CpuMeter:
    """Server CPU spent during a phase: the web server's process groups (gunicorn, nginx) and
    the PostgreSQL backends serving the bench database (other databases' are not counted).

    Backends come and go (Django reconnects after CONN_MAX_AGE), so a thread samples them
    every 0.2 s and keeps the last figure of each; only a backend's last 0.2 s can be missed.
    """

    def __init__(self, groups: dict[str, int], admin, db: str):
        self.groups, self.admin, self.db = groups, admin, db
        self.seen: dict[str, dict[int, float]] = {}
        self.stop = threading.Event()
        self.thread: threading.Thread | None = None

    def snapshot(self) -> dict[str, dict[int, float]]:
        backends = {r[0] for r in self.admin.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.db])}
        snap = {name: _cpu_by_pid({pgid}, set()) for name, pgid in self.groups.items()}
        snap["postgres"] = _cpu_by_pid(set(), backends)
        return snap

    def _merge(self, snap: dict) -> None:
        for name, values in snap.items():
            self.seen.setdefault(name, {}).update(values)

    def start(self) -> None:
        self.before = self.snapshot()

        def sample() -> None:
            while not self.stop.wait(0.2):
                self._merge(self.snapshot())

        self.thread = threading.Thread(target=sample, daemon=True)
        self.thread.start()

    def finish(self) -> dict[str, float]:
        self.stop.set()
        self.thread.join()
        self._merge(self.snapshot())
        return {name: sum(v - self.before.get(name, {}).get(pid, 0.0) for pid, v in pids.items())
                for name, pids in self.seen.items()}


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] * 1000 if len(values) > 1 else float("nan")


def django(env: dict, *args: str) -> str:
    return subprocess.run([PYTHON, __file__, *args], env=env, cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout


def load_localstack():
    spec = importlib.util.spec_from_file_location("localstack", ROOT / "deploy" / "localstack.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class NginxServer:
    """The deploy/ recipe (nginx + gunicorn gthread on a unix socket), with :class:`Server`'s
    start/kill/stop; a crash kills gunicorn only (nginx answers 502 meanwhile)."""

    def __init__(self, env: dict, home: str, workers: int, threads: int):
        localstack = load_localstack()
        env = {**env, "PEERLOG_ENV": "production", "PEERLOG_ALLOWED_HOSTS": localstack.HOST,
               "PEERLOG_GUNICORN_WORKERS": str(workers),
               "PEERLOG_GUNICORN_THREADS": str(threads),
               "PEERLOG_STATIC_ROOT": str(Path(home) / "public-static")}
        self.stack = localstack.Stack(Path(home) / "run", env,
                                      static=Path(home) / "public-static", nginx_workers=1)
        self.stack.env["PEERLOG_SITE_URL"] = self.stack.base
        self.port = self.stack.https_port
        self.tls = None

    def prepare(self) -> None:
        subprocess.run([PYTHON, "-m", "peerlog.cli", "manage", "collectstatic", "--noinput",
                        "-v", "0"], env=self.stack.env, cwd=ROOT, check=True)
        self.stack.start()
        self.tls = ssl.create_default_context(cafile=str(self.stack.work / "cert.pem"))

    def start(self) -> None:
        self.stack.start_gunicorn()

    def kill(self) -> None:
        self.stack.kill_gunicorn()

    def stop(self) -> None:
        self.stack.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--logs", type=int, default=320, help="logs per phase")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4,
                        help="threads per gunicorn worker (--through-nginx only)")
    parser.add_argument("--through-nginx", action="store_true",
                        help="measure through deploy/ (nginx, TLS, gunicorn gthread)")
    parser.add_argument("--db", default=DB_NAME, help="scratch database (created, dropped)")
    parser.add_argument("--no-keep-alive", action="store_true",
                        help="a new connection (and TLS handshake) for every request, as "
                             "this bench did before 2026-12-02")
    parser.add_argument("--floor", type=int, default=0, metavar="N",
                        help="first, N GETs of /healthz through the same server: the stack's "
                             "own requests/s on this machine (N/16 logs/s is its ceiling)")
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
    if args.db == "test" or not re.fullmatch(r"[a-z_][a-z0-9_]*", args.db):
        parser.error("--db: a scratch database name (lower case), never 'test'")

    import psycopg
    from cryptography.fernet import Fernet

    admin = psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres",
                            autocommit=True)
    admin.execute(f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)")
    admin.execute(f"CREATE DATABASE {args.db}")
    home = tempfile.mkdtemp(prefix="peerlog-bench-")
    env = {**os.environ, "PEERLOG_DB": "postgres", "PEERLOG_PG_NAME": args.db,
           "PEERLOG_HOME": home, "PEERLOG_SECRET_KEY": secrets.token_urlsafe(40),
           "PEERLOG_CONTACT_KEYS": Fernet.generate_key().decode(),
           "PEERLOG_ALLOWED_HOSTS": "127.0.0.1,localhost"}
    server = None
    try:
        subprocess.run([PYTHON, "-m", "peerlog.cli", "manage", "migrate", "-v", "0"], env=env,
                       cwd=ROOT, check=True)
        tokens = json.loads(django(env, "--seed", str(args.logs * 3), "--drafted",
                                   str(args.logs)))
        if args.through_nginx:
            server = NginxServer(env, home, args.workers, args.threads)
            server.prepare()
            port, tls = server.port, server.tls
        else:
            port, tls = free_port(), None
            server = Server(env, port, args.workers)
            server.start()
        results = {}
        keep = not args.no_keep_alive
        groups = ({"gunicorn": server.stack.gunicorn.pid, "nginx": server.stack.nginx.pid}
                  if args.through_nginx else {"gunicorn": server.proc.pid})
        if args.floor:
            meter = CpuMeter(groups, admin, args.db)
            meter.start()
            floor = run_floor(port, args.floor, args.clients, tls, keep)
            floor_cpu = meter.finish()
            n = max(len(floor["latencies"]), 1)
            print(f"[floor] GET /healthz x{len(floor['latencies'])} in {floor['seconds']:.1f} s "
                  f"= {n / floor['seconds']:.0f} requests/s (= {n / floor['seconds'] / 16:.1f} "
                  f"16-request logs/s); p95 {p95(floor['latencies']):.0f} ms; errors "
                  f"{len(floor['errors'])}; server CPU per request: "
                  + ", ".join(f"{k} {v / n * 1000:.2f} ms" for k, v in floor_cpu.items()))

        # Phase 1: load.
        meter = CpuMeter(groups, admin, args.db)
        meter.start()
        load = run(port, tokens[: args.logs], args.clients, tls=tls, keep_alive=keep)
        cpu = meter.finish()
        results["load"] = load
        # Phase 2: SIGKILL mid-run, restart, carry on.
        crash_at = max(1, args.logs // 3)
        killed = threading.Event()

        def on_progress(done: int) -> None:
            if done >= crash_at and not killed.is_set():
                killed.set()
                threading.Thread(target=lambda: (server.kill(), time.sleep(1.0),
                                                 server.start())).start()

        crash = run(port, tokens[args.logs: 2 * args.logs], args.clients, on_progress, tls=tls,
                    keep_alive=keep)
        results["crash"] = crash
        # Phase 3: only the storing request (last page of logs filled in up to there).
        store = run(port, tokens[2 * args.logs:], args.clients, last_page_only=True, tls=tls,
                    keep_alive=keep)
        results["store"] = store
        server.stop()
        keys_file = Path(home) / "keys.json"
        keys_file.write_text(json.dumps({"acked": load["acked"] + crash["acked"]
                                         + store["acked"]}))
        counted = json.loads(django(env, "--count", str(keys_file)))

        setup = (f"nginx (TLS) + gunicorn gthread {args.workers}x{args.threads}"
                 if args.through_nginx else f"gunicorn sync workers={args.workers}")
        setup += "; client connections kept alive" if keep else "; a connection per request"
        print(f"clients={args.clients} {setup} cpus={os.cpu_count()}")
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
        done = max(len(load["acked"]), 1)
        print("[cpu] load phase, server CPU per complete log: "
              + ", ".join(f"{name} {seconds / done * 1000:.0f} ms" for name, seconds in cpu.items())
              + f"; total {sum(cpu.values()) / done * 1000:.0f} ms")
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
        admin.execute(f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)")
        admin.close()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
