"""Issue 9 item 3: no personal-link token at rest in clear.

Register through the real pages, open the link, hit a 404 under ``/l/<token>/``, and then
search the database (SQLite file bytes with its WAL; on PostgreSQL every text column of every
table), the session rows (decoded), Django's captured logs and a real gunicorn's access and
error logs for the token. Only its SHA-256 hash may be kept.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection

from peerlog.capture.models import Participant, PersonalLink
from peerlog.web.logmask import mask
from peerlog.web.server import gunicorn_logging

pytestmark = pytest.mark.django_db(transaction=True)
SRC = Path(__file__).resolve().parents[2] / "src"


def register(client, posts) -> str:
    for step, data in posts[:-1]:
        assert client.post(f"/register/{step}/", data).status_code == 302, step
    done = client.post(f"/register/{posts[-1][0]}/", posts[-1][1])
    assert done.status_code == 200
    return re.search(r"/l/([A-Za-z0-9_-]{40,})/", done.content.decode()).group(1)


def database_holds(needle: str) -> list[str]:
    """Where ``needle`` is stored: every column of every table, read as text by SQL; on
    SQLite also the raw bytes of the database file and its write-ahead log."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                name = connection.ops.quote_name(column.name)
                cast = f"CAST({name} AS TEXT)"
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)} "
                               f"WHERE {cast} LIKE %s", [f"%{needle}%"])
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column.name}")
    if connection.vendor == "sqlite":
        path = Path(connection.settings_dict["NAME"])
        for part in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            if part.exists() and needle.encode() in part.read_bytes():
                found.append(part.name)
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def gunicorn(tmp_path):
    """``gunicorn(...)``: PeerLog under a real gunicorn on the test database, with the command
    line ``peerlog serve`` uses for its logs; yields the base URL; the logs are in tmp_path."""
    env = {**os.environ, "PYTHONPATH": str(SRC), "DJANGO_SETTINGS_MODULE": "peerlog.web.settings",
           "PEERLOG_SECRET_KEY": settings.SECRET_KEY}
    if connection.vendor == "sqlite":
        home = tmp_path / "home"
        home.mkdir()
        (home / "peerlog.sqlite3").symlink_to(Path(connection.settings_dict["NAME"]).resolve())
        env["PEERLOG_HOME"] = str(home)
    else:
        env["PEERLOG_PG_NAME"] = connection.settings_dict["NAME"]
    port = free_port()
    access = tmp_path / "access.log"
    args = [a if a != "-" else str(access) for a in gunicorn_logging()]
    errors = (tmp_path / "error.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "peerlog.web.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", *args], env=env, stdout=errors, stderr=errors, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    for _attempt in range(600):  # readiness, not a timing assertion
        try:
            urllib.request.urlopen(base + "/", timeout=5)
            break
        except OSError:  # refused, reset or slow to answer: not up yet
            assert proc.poll() is None, (tmp_path / "error.log").read_text()
            time.sleep(0.1)
    try:
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        errors.close()


def fetch(url: str, referer: str = "") -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Referer": referer} if referer else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_mask_replaces_the_token_of_every_link_path():
    line = ('127.0.0.1 - - "GET /l/AbC_12-x/progress/ HTTP/1.1" 404 "http://h/l/Zz9/" '
            'Not Found: /l/tok%20en/log/x/')
    masked = mask(line)
    assert "AbC_12-x" not in masked and "Zz9" not in masked and "tok%20en" not in masked
    assert masked.count("/l/…/") == 3


def test_no_token_in_database_sessions_or_logs(client, issued_id, project_factory,
                                               registration_posts, caplog, gunicorn, tmp_path):
    project = project_factory()
    pid = issued_id(project)
    caplog.set_level(logging.INFO)
    token = register(client, registration_posts(pid, project))
    participant = Participant.objects.get(personal_id__code=pid)
    assert PersonalLink.objects.get(participant=participant).token_hash == \
        Participant.hash_token(token)

    # The person opens their link, and later a page under it that does not exist.
    assert client.get(f"/l/{token}/").status_code == 200
    assert client.get(f"/l/{token}/nothing/").status_code == 404
    assert client.get(f"/l/{token}/progress/nothing/").status_code == 404
    assert client.get(f"/l/{token[:-2]}/progress/").status_code == 404  # cut short
    # Under gunicorn too, with the link as the referrer of the next page.
    status, body = fetch(f"{gunicorn}/l/{token}/")
    assert status == 200 and "Start my log" in body
    assert fetch(f"{gunicorn}/l/{token}/progress/", referer=f"{gunicorn}/l/{token}/")[0] == 200
    assert fetch(f"{gunicorn}/l/{token}/nothing/")[0] == 404

    # The database: nowhere, in any table, file or write-ahead log.
    assert database_holds(token) == []
    # (the search finds what is stored: the hash is there, in its column and the file)
    assert "capture_personallink.token_hash" in database_holds(Participant.hash_token(token))
    # Sessions, decoded: the registration's session holds no token.
    sessions = list(Session.objects.all())
    assert sessions, "registration made a session"
    for session in sessions:
        assert token not in repr(session.get_decoded())
        assert token not in session.session_data
    # Django's logs (as captured: the records themselves are masked).
    not_found = [r for r in caplog.records if r.getMessage().startswith("Not Found")]
    assert len(not_found) >= 3
    assert all("/l/…/" in r.getMessage() for r in not_found)
    assert token[:20] not in caplog.text
    # gunicorn: the access log has the requests, masked; the error log neither.
    access = (tmp_path / "access.log").read_text()
    assert access.count('"GET /l/…/') >= 3 and '"http://127.0.0.1' in access
    assert token[:20] not in access
    assert token[:20] not in (tmp_path / "error.log").read_text()
