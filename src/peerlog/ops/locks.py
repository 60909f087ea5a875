"""One run at a time of a batch job, across every machine that shares the database.

On PostgreSQL a session-level advisory lock (``pg_try_advisory_lock``) is held for the whole
run: a second run on any server sharing the database finds it taken and stops; the lock goes
away with the connection if the process dies, so nothing is left to clear by hand. SQLite is
one machine by definition, so an exclusive ``flock`` on a file in ``PEERLOG_HOME`` does it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
from collections.abc import Iterator


class AlreadyRunning(RuntimeError):
    """Another run of the same job holds the lock."""


def lock_id(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (advisory locks take a bigint)."""
    digest = hashlib.sha256(f"peerlog:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextlib.contextmanager
def single_run(name: str) -> Iterator[None]:
    """Hold the ``name`` lock for the block, or raise :class:`AlreadyRunning` at once."""
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "postgresql":
        key = lock_id(name)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            if not cursor.fetchone()[0]:
                raise AlreadyRunning(f"another 'peerlog {name}' is running (advisory lock)")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        return
    path = settings.HOME / f".{name}.lock"
    with open(path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise AlreadyRunning(f"another 'peerlog {name}' is running ({path})") from exc
        yield
