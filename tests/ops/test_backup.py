"""Backups and the restore drill: back up a synthetic cohort, wipe, restore, compare.

The drill runs ``peerlog`` in child processes as an operator would, on SQLite in the SQLite
pass and on a scratch PostgreSQL database in the PostgreSQL pass.
"""

from __future__ import annotations

import io
import json
import stat
import struct

import pytest
from cryptography.fernet import Fernet, MultiFernet
from tests.ops.conftest import run_peerlog, run_python

SNAPSHOT = """
import json
from peerlog.web import setup
setup()
from django.db import connection
from peerlog.capture.models import ContactDetails, Log
counts = {}
with connection.cursor() as cursor:
    for table in sorted(connection.introspection.table_names()):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
if not counts:
    print(json.dumps({"counts": {}}))
    raise SystemExit
logs = list(Log.objects.order_by("submission_key")
            .values_list("submission_key", "typed_personal_id", "answers", "scores")[:40])
contacts = [[c.participant.personal_id.code, c.channels, c.email, c.phone, c.postal]
            for c in ContactDetails.objects.select_related("participant__personal_id")
            .order_by("participant__personal_id__code")[:40]]
print(json.dumps({"counts": counts, "logs": logs, "contacts": contacts}))
"""


def snapshot(env: dict) -> dict:
    return json.loads(run_python(env, SNAPSHOT))


@pytest.mark.django_db  # keeps it in the PostgreSQL pass; it uses a scratch database
def test_restore_drill(scratch_db, tmp_path):
    env, wipe = scratch_db
    run_peerlog(env, "synth", "--seed", "3", "--scale", "0.08", "--into-db")
    before = snapshot(env)
    assert before["counts"]["capture_log"] >= 100
    assert before["counts"]["capture_participant"] >= 30
    assert any(c[2].endswith("@example.org") for c in before["contacts"])  # decrypted

    backups = tmp_path / "backups"
    backups.mkdir()
    out = run_peerlog(env, "backup", "--out", str(backups), "--keep", "3")
    [file] = list(backups.iterdir())
    assert str(file) in out.stdout
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    raw = file.read_bytes()
    assert raw.startswith(b"PEERLOG-BACKUP 1 ")
    for plain in (b"@example.org", b"Example Street", b"SQLite format", b"capture_log",
                  b"PGDMP"):
        assert plain not in raw

    # A database with anything in it is not overwritten by accident.
    refused = run_peerlog(env, "restore", str(file), check=False)
    assert refused.returncode == 1
    assert "not empty" in refused.stderr and "--force" in refused.stderr

    # Without the key nothing can be read, and nothing is touched.
    wrong = {**env, "PEERLOG_BACKUP_KEY": Fernet.generate_key().decode()}
    failed = run_peerlog(wrong, "restore", "--force", str(file), check=False)
    assert failed.returncode == 1 and "cannot be decrypted" in failed.stderr
    assert snapshot(env) == before

    wipe()
    assert snapshot(env)["counts"] == {}
    run_peerlog(env, "restore", str(file))
    assert snapshot(env) == before

    # --force replaces a database that has data (here: itself, again).
    run_peerlog(env, "restore", "--force", str(file))
    assert snapshot(env) == before


# --- the encrypted stream, without a database -------------------------------------------------

def _encrypted(data: bytes, fernet) -> bytes:
    from peerlog.ops import backup

    out = io.BytesIO()
    backup.encrypt_stream(io.BytesIO(data), out, fernet, "sqlite")
    return out.getvalue()


def _frames(raw: bytes) -> tuple[bytes, list[bytes]]:
    header, rest = raw.split(b"\n", 1)
    frames = []
    while rest:
        n = struct.unpack(">I", rest[:4])[0]
        frames.append(rest[: 4 + n])
        rest = rest[4 + n:]
    return header + b"\n", frames


@pytest.fixture
def small_chunks(monkeypatch):
    from peerlog.ops import backup

    monkeypatch.setattr(backup, "CHUNK", 1000)
    return backup


def test_stream_round_trip_in_chunks_and_old_keys_still_open(small_chunks, tmp_path):
    old, new = Fernet.generate_key(), Fernet.generate_key()
    data = bytes(range(256)) * 20  # 5,120 bytes: six frames of at most 1,000
    path = tmp_path / "b"
    path.write_bytes(_encrypted(data, MultiFernet([Fernet(old)])))
    assert len(_frames(path.read_bytes())[1]) == 7  # six of data and the end marker
    rotated = MultiFernet([Fernet(new), Fernet(old)])
    assert b"".join(small_chunks.decrypt_stream(path, rotated)) == data


@pytest.mark.parametrize("damage", ["truncated", "reordered", "flipped", "appended"])
def test_altered_backups_are_refused(small_chunks, tmp_path, damage):
    fernet = MultiFernet([Fernet(Fernet.generate_key())])
    header, frames = _frames(_encrypted(b"x" * 3500, fernet))
    if damage == "truncated":
        frames = frames[:-1]
    elif damage == "reordered":
        frames[0], frames[1] = frames[1], frames[0]
    elif damage == "flipped":
        frames[1] = frames[1][:50] + bytes([frames[1][50] ^ 1]) + frames[1][51:]
    else:
        frames.append(frames[0])
    path = tmp_path / "b"
    path.write_bytes(header + b"".join(frames))
    with pytest.raises(small_chunks.BackupError) as err:
        small_chunks.verify(path, fernet)
    expected = {"truncated": "truncated", "reordered": "out of order",
                "flipped": "cannot be decrypted", "appended": "after its end"}[damage]
    assert expected in str(err.value)


def test_not_a_backup(tmp_path):
    from peerlog.ops import backup

    path = tmp_path / "x"
    path.write_bytes(b"SQLite format 3\x00")
    with pytest.raises(backup.BackupError, match="not a PeerLog backup"):
        backup.read_engine(path)


def test_key_must_be_set_and_valid():
    from peerlog.ops import backup

    with pytest.raises(backup.BackupError, match="not set"):
        backup.backup_keys("")
    with pytest.raises(backup.BackupError, match="not a valid"):
        backup.backup_keys("not-a-key")
