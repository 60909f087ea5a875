"""Encrypted backups of the whole database, and restoring them.

PostgreSQL is dumped with ``pg_dump --format=custom`` and restored with ``pg_restore`` in one
transaction; SQLite is copied with its online backup API (consistent while the site runs).
The dump is encrypted as it streams, in chunks, with ``PEERLOG_BACKUP_KEY`` (Fernet keys,
comma-separated, newest first: older keys still open older backups). That key must live
somewhere other than the backups (docs/operations.md), so a stolen backup disk reveals nothing.

File format: one plain header line ``PEERLOG-BACKUP 1 <engine>``, then frames of a 4-byte
big-endian length and a Fernet token. Each token holds an 8-byte frame number, a byte that
is 1 only on the last (empty) frame, and up to :data:`CHUNK` bytes of the dump, so reordered,
dropped or truncated frames are detected, not restored.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import struct
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

MAGIC = b"PEERLOG-BACKUP 1 "
CHUNK = 1 << 20
SUFFIX = ".peerlog-backup"


class BackupError(RuntimeError):
    """Something the operator must fix; the message says what."""


def backup_keys(raw: str | None = None) -> MultiFernet:
    raw = os.environ.get("PEERLOG_BACKUP_KEY", "") if raw is None else raw
    keys = [k.strip() for k in raw.split(",") if k.strip()]
    if not keys:
        raise BackupError("PEERLOG_BACKUP_KEY is not set (a Fernet key; see docs/operations.md)")
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except (ValueError, TypeError) as exc:
        raise BackupError("PEERLOG_BACKUP_KEY is not a valid Fernet key") from exc


def _engine() -> str:
    from django.db import connection

    return connection.vendor  # "postgresql" or "sqlite"


# --- the encrypted stream -----------------------------------------------------------------

def encrypt_stream(source: BinaryIO, target: BinaryIO, fernet: MultiFernet, engine: str) -> int:
    """Encrypt ``source`` into ``target`` chunk by chunk; returns the plaintext size."""
    target.write(MAGIC + engine.encode() + b"\n")
    index = size = 0
    while True:
        data = source.read(CHUNK)
        last = not data
        token = fernet.encrypt(struct.pack(">QB", index, 1 if last else 0) + data)
        target.write(struct.pack(">I", len(token)) + token)
        if last:
            return size
        size += len(data)
        index += 1


def read_engine(path: Path) -> str:
    with open(path, "rb") as handle:
        line = handle.readline(100)
    if not line.startswith(MAGIC) or not line.endswith(b"\n"):
        raise BackupError(f"{path} is not a PeerLog backup")
    return line[len(MAGIC):-1].decode()


def decrypt_stream(path: Path, fernet: MultiFernet) -> Iterator[bytes]:
    """The dump's bytes, chunk by chunk; raises :class:`BackupError` on any tampering."""
    with open(path, "rb") as handle:
        handle.readline(100)
        index = 0
        while True:
            head = handle.read(4)
            if len(head) < 4:
                raise BackupError(f"{path} is truncated (no end marker)")
            token = handle.read(struct.unpack(">I", head)[0])
            try:
                plain = fernet.decrypt(token)
            except InvalidToken as exc:
                raise BackupError(
                    f"{path} cannot be decrypted with PEERLOG_BACKUP_KEY (wrong key, or the "
                    "file was altered)") from exc
            number, last = struct.unpack(">QB", plain[:9])
            if number != index:
                raise BackupError(f"{path} has frames out of order")
            if last:
                if handle.read(1):
                    raise BackupError(f"{path} has data after its end marker")
                return
            yield plain[9:]
            index += 1


def verify(path: Path, fernet: MultiFernet) -> int:
    """Read the whole backup through (authenticating every frame); returns the dump size."""
    return sum(len(chunk) for chunk in decrypt_stream(path, fernet))


# --- backup -------------------------------------------------------------------------------

def _pg_args(db: dict) -> tuple[list[str], dict]:
    args = ["-h", str(db["HOST"] or "localhost"), "-p", str(db["PORT"] or 5432),
            "-U", str(db["USER"]), "-d", str(db["NAME"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return path


def output_path(out: Path, now: dt.datetime | None = None) -> Path:
    """``out`` itself, or a time-stamped file in it when it is a directory."""
    if out.is_dir():
        now = now or dt.datetime.now(dt.UTC)
        return out / f"peerlog-{now:%Y%m%d-%H%M%S}{SUFFIX}"
    return out


def backup(out: Path, keep: int | None = None) -> tuple[Path, int]:
    """Write an encrypted backup; returns its path and the dump's size in bytes."""
    from django.conf import settings
    from django.db import connection

    fernet = backup_keys()
    target = output_path(out)
    if target.exists():
        raise BackupError(f"{target} exists; a backup never overwrites a file")
    partial = target.with_name(target.name + ".partial")
    engine = _engine()
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            if engine == "postgresql":
                size = _dump_postgres(settings.DATABASES["default"], handle, fernet)
            else:
                size = _dump_sqlite(Path(connection.settings_dict["NAME"]), handle, fernet)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    if keep and out.is_dir():
        for old in sorted(out.glob(f"peerlog-*{SUFFIX}"))[:-keep]:
            old.unlink()
    return target, size


def _dump_postgres(db: dict, handle: BinaryIO, fernet: MultiFernet) -> int:
    args, env = _pg_args(db)
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen([_tool("pg_dump"), "--format=custom", "--no-owner",
                                 "--no-privileges", *args],
                                stdout=subprocess.PIPE, stderr=errors, env=env)
        size = encrypt_stream(proc.stdout, handle, fernet, "postgresql")
        if proc.wait() != 0:
            errors.seek(0)
            raise BackupError("pg_dump failed: " + errors.read().decode(errors="replace").strip())
    return size


def _dump_sqlite(path: Path, handle: BinaryIO, fernet: MultiFernet) -> int:
    # The plain copy lives for a moment beside the live database (same protection), never
    # beside the backups.
    fd, copy = tempfile.mkstemp(prefix=".backup-", suffix=".sqlite3", dir=path.parent)
    os.close(fd)
    try:
        src, dst = sqlite3.connect(path), sqlite3.connect(copy)
        with dst:
            src.backup(dst)
        src.close()
        dst.close()
        with open(copy, "rb") as plain:
            return encrypt_stream(plain, handle, fernet, "sqlite")
    finally:
        os.unlink(copy)


# --- restore ------------------------------------------------------------------------------

def database_is_empty() -> bool:
    from django.db import connection

    return not connection.introspection.table_names()


def restore(path: Path, force: bool = False) -> int:
    """Replace the database with the backup at ``path``; returns the dump's size.

    The backup is read through and authenticated before anything is touched; a database
    that holds any table is only replaced with ``force``.
    """
    from django.db import connection

    fernet = backup_keys()
    if not path.is_file():
        raise BackupError(f"{path} does not exist")
    engine = _engine()
    stored = read_engine(path)
    if stored != engine:
        raise BackupError(f"{path} is a {stored} backup; this site's database is {engine}")
    size = verify(path, fernet)
    if not database_is_empty() and not force:
        raise BackupError(
            f"the database {connection.settings_dict['NAME']} is not empty; restoring replaces "
            "everything in it: add --force if that is what you want")
    if engine == "postgresql":
        _restore_postgres(path, fernet)
    else:
        _restore_sqlite(path, fernet, Path(connection.settings_dict["NAME"]))
    return size


def _restore_postgres(path: Path, fernet: MultiFernet) -> None:
    from django.conf import settings
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA IF EXISTS public CASCADE")
        cursor.execute("CREATE SCHEMA public")
    connection.close()
    args, env = _pg_args(settings.DATABASES["default"])
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen([_tool("pg_restore"), "--no-owner", "--no-privileges",
                                 "--single-transaction", "--exit-on-error", *args],
                                stdin=subprocess.PIPE, stderr=errors, env=env)
        try:
            for chunk in decrypt_stream(path, fernet):
                proc.stdin.write(chunk)
            proc.stdin.close()
        except BrokenPipeError:
            pass
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        if proc.wait() != 0:
            errors.seek(0)
            raise BackupError("pg_restore failed: " + errors.read().decode(errors="replace")
                              .strip())


def _restore_sqlite(path: Path, fernet: MultiFernet, live: Path) -> None:
    from django.db import connection

    fd, copy = tempfile.mkstemp(prefix=".restore-", suffix=".sqlite3", dir=live.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in decrypt_stream(path, fernet):
                handle.write(chunk)
        src = sqlite3.connect(copy)
        if src.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"{path} decrypts to a damaged SQLite database")
        connection.close()
        dst = sqlite3.connect(live, timeout=20)
        src.backup(dst)
        src.close()
        dst.close()
    finally:
        os.unlink(copy)
