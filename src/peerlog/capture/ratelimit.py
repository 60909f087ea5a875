"""Attempt counters in the database, so a limit holds across every server process.

Used where a stranger could otherwise try values at machine speed (personal IDs on the
registration's ID page) or fill the database (registrations started). A counter is a row per
(scope, keyed hash of the source, fixed time window); the increment is one atomic ``UPDATE``.
Addresses and IDs are kept only as HMACs with the site's secret key, and ``peerlog cleanup``
deletes old windows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from peerlog.capture.models import RateLimit

# The one client-address function (also the sign-in throttle's), under its old name here.
from peerlog.web.client import client_address as client_address


def _key(scope: str, value: str | None) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{scope}:{value or ''}".encode(),
                    hashlib.sha256).hexdigest()


def _window_start(now: dt.datetime) -> dt.datetime:
    minutes = settings.PEERLOG["RATE_LIMIT_WINDOW_MINUTES"]
    epoch = int(now.timestamp()) // (minutes * 60) * (minutes * 60)
    return dt.datetime.fromtimestamp(epoch, tz=dt.UTC)


def hit(scope: str, value: str | None, limit: int, now: dt.datetime | None = None) -> bool:
    """Count one attempt of ``scope`` from ``value``; True while within ``limit`` this window.

    The attempt is counted even when refused, so hammering a limit does not reopen it.
    """
    start = _window_start(now or timezone.now())
    key = _key(scope, value)
    rows = RateLimit.objects.filter(scope=scope, key=key, window_start=start)
    with transaction.atomic():
        if not rows.update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    RateLimit.objects.create(scope=scope, key=key, window_start=start, count=1)
            except IntegrityError:  # another process made the row a moment ago
                rows.update(count=F("count") + 1)
        count = rows.values_list("count", flat=True).get()
    return count <= limit
