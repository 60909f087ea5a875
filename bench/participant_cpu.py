"""CPU of the participant pages' hot path, in process (bench/README.md, "Capture hot path").

The 16 requests of a complete monthly log (open the link, start, then GET and POST each of the
seven pages), exactly as a browser sends them (cookies, CSRF token from the form, Origin and
Referer), are passed straight to Django's WSGI handler: no HTTP server, no network, so the
figure is the CPU Django and PeerLog spend per log, steady even on a machine shared with other
jobs. With PostgreSQL the database backend's own CPU is read from /proc as well.

    .venv/bin/python bench/participant_cpu.py [--logs 200] [--db sqlite|postgres]
        [--compare REV] [--rounds 3] [--profile]

``--compare REV`` measures the ``src/`` of git revision REV (unpacked with ``git archive``
into a temporary folder) and this tree's, alternately, ``--rounds`` times each, in one
sitting. ``--profile`` prints the top of a cProfile of this tree's run. Tiny sizes
(``--logs 2``) are the CI smoke run (tests/ops/test_bench_smoke.py).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _load_participant_load():
    spec = importlib.util.spec_from_file_location("participant_load",
                                                  ROOT / "bench" / "participant_load.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class WsgiClient:
    """A browser-like client talking to a WSGI application in the same process."""

    def __init__(self, app) -> None:
        self.app, self.cookies = app, {}
        self.cpu = 0.0  # process CPU spent inside the application
        self.requests = 0

    def request(self, method: str, path: str, data: dict | None = None):
        body = urllib.parse.urlencode(data or {}, doseq=True).encode() if data else b""
        environ = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
            "SERVER_NAME": "localhost", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "localhost",
            "HTTP_ORIGIN": "http://localhost", "HTTP_REFERER": f"http://localhost{path}",
            "HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9",
            "HTTP_COOKIE": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
            "wsgi.version": (1, 0), "wsgi.multithread": True, "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        if method == "POST":
            environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
            environ["CONTENT_LENGTH"] = str(len(body))
        seen = {}

        def start_response(status, headers, exc_info=None):
            seen["status"], seen["headers"] = int(status.split()[0]), headers

        t0 = time.process_time()
        result = self.app(environ, start_response)
        try:
            text = b"".join(result).decode()
        finally:
            if hasattr(result, "close"):
                result.close()
        self.cpu += time.process_time() - t0
        self.requests += 1
        location = ""
        for header, value in seen["headers"]:
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
            elif header.lower() == "location":
                location = value
        if seen["status"] >= 500:
            raise RuntimeError(f"{method} {path}: {seen['status']}")
        return seen["status"], location, text


def complete_log(client: WsgiClient, token: str, monthly, answers_for) -> bool:
    """One whole monthly log, as bench/participant_load.py's client sends it."""
    fields = _fields(client.request("GET", f"/l/{token}/")[2])
    _status, location, _ = client.request("POST", f"/l/{token}/", fields)
    while "/log/" in location:
        path = urllib.parse.urlparse(location).path
        status, _, text = client.request("GET", path)
        assert status == 200, (path, status)
        section = path.rstrip("/").rsplit("/", 1)[1]
        sec = next(s for s in monthly.sections if s.code == section)
        _status, location, _ = client.request("POST", path, {**_fields(text),
                                                             **answers_for(sec)})
    return "/thanks/" in location


def _fields(text: str) -> dict[str, str]:
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
    key = re.search(r'name="key" value="([^"]+)"', text)
    out = {"csrfmiddlewaretoken": csrf.group(1)} if csrf else {}
    if key:
        out["key"] = key.group(1)
    return out


class BackendMeter:
    """CPU of the PostgreSQL backends serving the bench database, from /proc, sampled every
    0.1 s (Django reconnects after CONN_MAX_AGE, so backends come and go)."""

    def __init__(self, dbname: str) -> None:
        import psycopg

        self.admin = psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres",
                                     autocommit=True)
        self.dbname, self.seen, self.before = dbname, {}, {}
        self.stop = threading.Event()

    def _snapshot(self) -> dict[int, float]:
        out = {}
        for (pid,) in self.admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.dbname]):
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                out[pid] = sum(int(v) for v in fields[11:13]) / CLOCK_TICKS
        return out

    def start(self) -> None:
        self.before = self._snapshot()

        def sample() -> None:
            while not self.stop.wait(0.1):
                self.seen.update(self._snapshot())

        self.thread = threading.Thread(target=sample, daemon=True)
        self.thread.start()

    def finish(self) -> float:
        self.stop.set()
        self.thread.join()
        self.seen.update(self._snapshot())
        self.admin.close()
        return sum(v - self.before.get(pid, 0.0) for pid, v in self.seen.items())


def measure(logs: int, profile: bool) -> dict:
    """In a child process with the environment set: migrate, seed, run ``logs`` logs."""
    from peerlog.web import setup

    setup()
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from django.db import connection

    from peerlog.capture.models import Log
    from peerlog.instruments import load_instrument

    load = _load_participant_load()
    call_command("migrate", verbosity=0)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        load.seed(logs + 1)
    tokens = json.loads(out.getvalue())
    app = get_wsgi_application()
    monthly = load_instrument("monthly")
    # The first log warms the caches and counts the queries of each request.
    warm = WsgiClient(app)
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        assert complete_log(warm, tokens.pop(), monthly, load.answers_for)
    meter = None
    if connection.vendor == "postgresql":
        meter = BackendMeter(connection.settings_dict["NAME"])
    client = WsgiClient(app)
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
    if meter:
        meter.start()
    wall = time.perf_counter()
    done = 0
    for token in tokens:
        client.cookies.clear()
        done += complete_log(client, token, monthly, load.answers_for)
    wall = time.perf_counter() - wall
    db_cpu = meter.finish() if meter else None
    if profiler:
        import pstats

        profiler.disable()
        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream)
        if os.environ.get("BENCH_PSTATS"):
            stats.dump_stats(os.environ["BENCH_PSTATS"])
        stats.sort_stats("cumulative").print_stats(60)
        stats.sort_stats("tottime").print_stats(40)
        stream.write("\n".join(q[:160] for q in queries))
        print(stream.getvalue(), file=sys.stderr)
    assert done == len(tokens) and Log.objects.exclude(submission_key__startswith="seed-").count() == done + 1
    return {"logs": done, "requests": client.requests, "queries_per_log": len(queries),
            "app_cpu_ms_per_log": client.cpu / done * 1000,
            "db_cpu_ms_per_log": db_cpu / done * 1000 if meter else None,
            "requests_per_s_cpu": client.requests / client.cpu, "wall_s": wall,
            "vendor": connection.vendor}


def _child(src: Path, logs: int, db: str, profile: bool) -> dict:
    from cryptography.fernet import Fernet

    home = tempfile.mkdtemp(prefix="peerlog-cpu-")
    name = f"peerlog_bench_cpu_{os.getpid()}_{secrets.token_hex(3)}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PEERLOG_", "DJANGO_"))}
    env.update(PYTHONPATH=os.pathsep.join([str(src), env.get("PYTHONPATH", "")]),
               PEERLOG_HOME=home, PEERLOG_DB=db, PEERLOG_PG_NAME=name,
               PEERLOG_SECRET_KEY=secrets.token_urlsafe(40),
               PEERLOG_CONTACT_KEYS=Fernet.generate_key().decode(),
               PEERLOG_ALLOWED_HOSTS="localhost")
    admin = None
    try:
        if db == "postgres":
            import psycopg

            admin = psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres",
                                    autocommit=True)
            admin.execute(f"CREATE DATABASE {name}")
        proc = subprocess.run(
            [sys.executable, __file__, "--child", str(logs), *(["--profile"] if profile else [])],
            env=env, cwd=ROOT, capture_output=True, text=True)
        if profile:
            print(proc.stderr[:40000])
        if proc.returncode:
            raise RuntimeError(proc.stdout[-2000:] + proc.stderr[-4000:])
        return json.loads(proc.stdout.strip().splitlines()[-1])
    finally:
        if admin is not None:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            admin.close()
        shutil.rmtree(home, ignore_errors=True)


def _unpack(rev: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="peerlog-rev-"))
    archive = subprocess.run(["git", "archive", rev, "src"], cwd=ROOT, check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder / "src"


def _line(label: str, r: dict) -> str:
    db = (f", PostgreSQL backend {r['db_cpu_ms_per_log']:.1f} ms"
          if r["db_cpu_ms_per_log"] is not None else "")
    return (f"{label}: {r['logs']} logs, {r['queries_per_log']} queries per log; "
            f"Django+PeerLog CPU {r['app_cpu_ms_per_log']:.1f} ms per log "
            f"({r['app_cpu_ms_per_log'] / 16:.2f} ms per request){db}; "
            f"{r['requests_per_s_cpu']:.0f} requests/s per core in process")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--logs", type=int, default=200)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--compare", metavar="REV", help="git revision to compare with")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(measure(args.child, args.profile)))
        return 0
    print(f"{args.logs} monthly logs of 16 requests, {args.db}, cpus={os.cpu_count()}, "
          f"load average {os.getloadavg()[0]:.1f}")
    trees = {"this tree": ROOT / "src"}
    if args.compare:
        trees = {args.compare: _unpack(args.compare), **trees}
    results: dict[str, list[dict]] = {label: [] for label in trees}
    try:
        for _round in range(args.rounds):
            for label, src in trees.items():
                r = _child(src, args.logs, args.db, args.profile and label == "this tree")
                results[label].append(r)
                print(_line(f"  {label}", r), flush=True)
    finally:
        if args.compare:
            shutil.rmtree(trees[args.compare].parent, ignore_errors=True)
    for label, runs in results.items():
        best = min(runs, key=lambda r: r["app_cpu_ms_per_log"])
        median = statistics.median(r["app_cpu_ms_per_log"] for r in runs)
        print(_line(f"[best] {label}", best) + f"; median {median:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
