"""deploy/'s nginx site and gunicorn config, run on loopback ports (tests and the bench).

Everything in ``nginx/peerlog.conf`` is used as written except the values a real install
changes anyway (:data:`REPLACED`): host name, ports, socket, certificate, static and log
paths. A self-signed certificate for ``localhost`` is made with openssl. Only the processes
started here are stopped, by their own process group.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

DEPLOY = Path(__file__).resolve().parent
HOST = "localhost"
REPLACED = ("peerlog.example.org", "listen 80", "listen 443", "listen [::]",
            "/run/peerlog.sock", "/etc/letsencrypt/live/", "/var/www/peerlog/static/",
            "/var/log/nginx/", "/var/www/html")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/sbin/nginx") if os.access(p, os.X_OK)), None)


def render_site(work: Path, https_port: int, http_port: int, static: Path) -> str:
    text = (DEPLOY / "nginx" / "peerlog.conf").read_text()
    text = "\n".join(line for line in text.splitlines() if "listen [::]" not in line)
    for old, new in (
        ("/etc/letsencrypt/live/peerlog.example.org/fullchain.pem", str(work / "cert.pem")),
        ("/etc/letsencrypt/live/peerlog.example.org/privkey.pem", str(work / "key.pem")),
        ("peerlog.example.org", HOST),
        ("listen 80", f"listen 127.0.0.1:{http_port}"),
        ("listen 443", f"listen 127.0.0.1:{https_port}"),
        ("/run/peerlog.sock", str(work / "gunicorn.sock")),
        ("/var/www/peerlog/static/", f"{static}/"),
        ("/var/log/nginx/", f"{work}/"),
        ("/var/www/html", str(work / "acme")),
    ):
        text = text.replace(old, new)
    return text


def make_certificate(work: Path) -> None:
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST}",
         "-keyout", str(work / "key.pem"), "-out", str(work / "cert.pem")],
        check=True, capture_output=True)


class Stack:
    """nginx (HTTPS on ``https_port``) in front of gunicorn on a unix socket."""

    def __init__(self, work: Path, env: dict, static: Path, nginx_workers: int = 1):
        self.work, self.env, self.static = work, env, static
        self.nginx_workers = nginx_workers
        self.https_port, self.http_port = free_port(), free_port()
        self.gunicorn: subprocess.Popen | None = None
        self.nginx: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"https://{HOST}:{self.https_port}"

    @property
    def access_log(self) -> Path:
        return self.work / "peerlog-access.log"

    def start(self) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        make_certificate(self.work)
        (self.work / "acme").mkdir(exist_ok=True)
        self.start_gunicorn()
        self._start_nginx()

    def start_gunicorn(self) -> None:
        sock = self.work / "gunicorn.sock"
        sock.unlink(missing_ok=True)
        log = open(self.work / "gunicorn.log", "ab")  # noqa: SIM115 (lives with the process)
        self.gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", str(DEPLOY / "gunicorn.conf.py"),
             "--bind", f"unix:{sock}"],
            env=self.env, cwd=self.work, stdout=log, stderr=log, start_new_session=True)
        self._wait(lambda: self._unix_answers(sock), self.gunicorn, "gunicorn")

    def _start_nginx(self) -> None:
        binary = nginx_binary()
        if not binary:
            raise RuntimeError("nginx is not installed (Debian: apt-get install nginx)")
        temp = self.work / "nginx-temp"
        temp.mkdir(exist_ok=True)
        (self.work / "site.conf").write_text(
            render_site(self.work, self.https_port, self.http_port, self.static))
        user = "user root;\n" if os.geteuid() == 0 else ""  # workers must reach tmp files
        (self.work / "nginx.conf").write_text(
            f"{user}daemon off;\nworker_processes {self.nginx_workers};\n"
            f"pid {self.work}/nginx.pid;\nerror_log {self.work}/error.log warn;\n"
            "events { worker_connections 1024; }\n"
            "http {\n  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n"
            + "".join(f"  {kind}_temp_path {temp}/{kind};\n"
                      for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
            + f"  include {self.work}/site.conf;\n}}\n")
        args = [binary, "-p", str(self.work), "-c", str(self.work / "nginx.conf"),
                "-e", str(self.work / "error.log")]
        test = subprocess.run([*args, "-t"], capture_output=True, text=True)
        if test.returncode != 0:
            raise RuntimeError(f"nginx -t: {test.stderr}")
        self.nginx = subprocess.Popen(args, start_new_session=True,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait(lambda: self._tcp_answers(self.https_port), self.nginx, "nginx")

    @staticmethod
    def _unix_answers(path: Path) -> bool:
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(str(path))
        return True

    @staticmethod
    def _tcp_answers(port: int) -> bool:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True

    def _wait(self, probe, proc: subprocess.Popen, name: str) -> None:
        for _ in range(600):
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}; see {self.work}")
            try:
                if probe():
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{name} did not start; see {self.work}")

    def kill_gunicorn(self) -> None:
        """SIGKILL gunicorn's whole process group (master and workers), as a crash would."""
        os.killpg(self.gunicorn.pid, signal.SIGKILL)
        self.gunicorn.wait()

    def stop(self) -> None:
        for proc in (self.nginx, self.gunicorn):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
