"""Encryption at rest for contact details.

Contact details (email, phone, postal address) are the only identifying data PeerLog keeps,
so they are encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``) before
they reach the database: a leaked database dump or backup reveals no one.

Keys come from ``PEERLOG_CONTACT_KEYS``: a comma-separated list of Fernet keys, newest first.
Encryption uses the first; decryption tries each (``MultiFernet``), so keys can be rotated
without downtime (``peerlog rotate-contact-key`` re-encrypts with the newest). Outside
production a key is generated once into ``PEERLOG_HOME/contact.key`` so the demo works with no
setup; in production a missing key is a start-up error, never a silent fallback.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@cache
def _fernet() -> MultiFernet:
    raw = os.environ.get("PEERLOG_CONTACT_KEYS", "").strip()
    if not raw:
        if settings.PRODUCTION:
            raise ImproperlyConfigured("PEERLOG_CONTACT_KEYS must be set in production")
        path = settings.HOME / "contact.key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(Fernet.generate_key())
            path.chmod(0o600)
        raw = path.read_text().strip()
    return MultiFernet([Fernet(k.strip().encode()) for k in raw.split(",") if k.strip()])


def newest_key() -> Fernet:
    """The key new values are encrypted with (the first of PEERLOG_CONTACT_KEYS)."""
    return _fernet()._fernets[0]


def reset_keys() -> None:
    """Forget cached keys (after the environment changed, e.g. in a key rotation)."""
    _fernet.cache_clear()


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A contact detail cannot be decrypted with the keys in PEERLOG_CONTACT_KEYS"
        ) from exc


def lookup_hash(text: str) -> str:
    """A keyed hash (HMAC-SHA256 under the site's secret key) of a normalised value, to find
    a row by an encrypted value (an inbound text's number) without decrypting every row.

    Keyed, never a plain hash: phone numbers are few enough to hash them all, so a plain
    hash in a leaked dump would give every number back. Empty stays empty.
    """
    from django.utils.crypto import salted_hmac

    if not text:
        return ""
    return salted_hmac("peerlog.contact.lookup", text, algorithm="sha256").hexdigest()


def rotate(token: str) -> str:
    """Re-encrypt a token with the newest key."""
    return _fernet().rotate(token.encode("ascii")).decode("ascii")


class EncryptedTextField(models.TextField):
    """A text field stored as a Fernet token; empty stays empty (nothing to hide).

    Encrypted values cannot be searched or indexed; that is the point.
    """

    def from_db_value(self, value, expression, connection):  # noqa: ARG002
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)


def encrypted_fields() -> list[tuple[type[models.Model], list[EncryptedTextField]]]:
    """Every model with encrypted fields, and those fields (found, so none is forgotten)."""
    from django.apps import apps

    out = []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if fields and not model._meta.proxy:
            out.append((model, fields))
    return out


def rotate_all(batch_size: int = 500,
               after_batch: Callable[[str, int], None] = lambda label, last_pk: None) -> Counter:
    """Re-encrypt every encrypted value under the newest key; returns counts by field.

    Resumable: rows are read in primary-key order in batches, each batch is re-encrypted and
    committed on its own, and a value the newest key already opens is left alone, so a
    rerun after a crash finishes the work without redoing it. Reads and writes the stored
    tokens directly (never the clear values). Audited with counts, never values.
    """
    from django.db import connection, transaction

    from peerlog.capture import audit

    newest = newest_key()
    counts: Counter = Counter()
    quote = connection.ops.quote_name
    for model, fields in encrypted_fields():
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        columns = [quote(f.column) for f in fields]
        label = model._meta.label_lower
        last = None
        while True:
            with transaction.atomic():
                where = f"WHERE {pk} > %s " if last is not None else ""
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT {pk}, {', '.join(columns)} FROM {table} {where}"  # noqa: S608
                        f"ORDER BY {pk} LIMIT %s",
                        [last, batch_size] if last is not None else [batch_size])
                    rows = cursor.fetchall()
                    for row in rows:
                        changes = {}
                        for field, column, token in zip(fields, columns, row[1:], strict=True):
                            if not token:
                                continue
                            try:
                                newest.decrypt(token.encode("ascii"))
                            except InvalidToken:
                                try:
                                    changes[column] = rotate(token)
                                except InvalidToken as exc:
                                    raise ImproperlyConfigured(
                                        f"{label} {row[0]}: {field.name} opens with none of "
                                        "the keys in PEERLOG_CONTACT_KEYS") from exc
                                counts[f"{label}.{field.name}"] += 1
                            else:
                                counts[f"{label}.{field.name} already current"] += 1
                        if changes:
                            sets = ", ".join(f"{column} = %s" for column in changes)
                            cursor.execute(f"UPDATE {table} SET {sets} WHERE {pk} = %s",  # noqa: S608
                                           [*changes.values(), row[0]])
            if not rows:
                break
            last = rows[-1][0]
            after_batch(label, last)
    audit.record("cli", "contact_key.rotate", "encrypted_fields", counts=dict(counts),
                 keys=len(_fernet()._fernets))
    return counts
