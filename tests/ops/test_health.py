"""/healthz: "ok" while the database answers, 503 when it does not, and nothing else."""

from __future__ import annotations

import socket

import pytest


@pytest.mark.django_db
def test_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]
    assert "Set-Cookie" not in response


@pytest.mark.django_db
def test_only_reads(client):
    assert client.post("/healthz").status_code == 405


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_503_and_nothing_revealed_when_the_database_is_gone(client, tmp_path):
    from django.db import connection

    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = str(tmp_path / "no-such-folder" / "db.sqlite3")
    else:
        connection.settings_dict["PORT"] = str(_closed_port())
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert response.status_code == 503
    assert response.content == b"unavailable"
    assert "no-cache" in response["Cache-Control"]
    # The database still answers afterwards (the connection was restored, not broken).
    assert client.get("/healthz").content == b"ok"
