"""Throttling sign-in with django-axes: per (user name, client address), and per address.

Five failures (a wrong password or a wrong authenticator code) for one user name from one
client address within 15 minutes pause sign-in for that name *from that address* for 15
minutes; failures from elsewhere do not lock the real person out. An address that fails
``PEERLOG_SIGNIN_ADDRESS_LIMIT`` times (any names) is paused as a whole. The check runs in
the first authentication backend, before any password is hashed; axes counts in one
database transaction with a row lock, so parallel attempts are all counted. Failures are
counted for any user name, real or not, so the answers tell an attacker nothing about which
names exist.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db import IntegrityError
from django.db.models import Max, Sum
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone


def throttle_username(request: HttpRequest | None, credentials: dict | None) -> str:
    """The user name as counted: trimmed and lower-case, so "Kim " and "kim" share a count."""
    name = (credentials or {}).get("username")
    if name is None and request is not None:
        name = request.POST.get("username", "")
    return str(name or "").strip().lower()[:150]


class ThrottleBackend(AxesStandaloneBackend):
    """axes' check, skipped only when there is no request (a command or shell, not the web)."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class ThrottleHandler(AxesDatabaseHandler):
    """axes' database handler, plus the per-address limit."""

    def user_login_failed(self, sender: Any, credentials: dict, request: HttpRequest | None = None,
                          **kwargs: Any) -> None:
        try:
            super().user_login_failed(sender, credentials, request, **kwargs)
        except (AccessAttempt.DoesNotExist, IntegrityError):
            # A concurrent success reset the row between axes' insert and read, or a concurrent
            # failure inserted it first (axes' get_or_create race): count again, as an update.
            super().user_login_failed(sender, credentials, request, **kwargs)

    def is_locked(self, request: HttpRequest, credentials: dict | None = None) -> bool:
        address = request.axes_ip_address
        return super().is_locked(request, credentials) or (
            address is not None  # unknown: never pause everyone together
            and address_failures(address) >= settings.PEERLOG_SIGNIN_ADDRESS_LIMIT
        )


def _recent(**filters: Any):
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    return AccessAttempt.objects.filter(attempt_time__gte=since, **filters)


def address_failures(address: str) -> int:
    return _recent(ip_address=address).aggregate(n=Sum("failures_since_start"))["n"] or 0


def is_locked(request: HttpRequest, username: str) -> bool:
    return AxesProxyHandler.is_locked(request, {"username": username})


def locked_until(request: HttpRequest, username: str) -> dt.datetime | None:
    """When signing in as ``username`` from this client opens again, or None if it is open."""
    if not is_locked(request, username):
        return None
    address = request.axes_ip_address
    pair = _recent(ip_address=address, username=throttle_username(request, {"username": username}))
    last = pair.aggregate(at=Max("attempt_time"))["at"]
    if last is None or (pair.aggregate(n=Sum("failures_since_start"))["n"] or 0) < (
            settings.AXES_FAILURE_LIMIT):
        last = _recent(ip_address=address).aggregate(at=Max("attempt_time"))["at"]
    return (last or timezone.now()) + settings.AXES_COOLOFF_TIME


def record_failure(request: HttpRequest, username: str) -> None:
    """Count a failure that ``authenticate`` did not see (a wrong authenticator code)."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


def locked_addresses(username: str) -> list[tuple[str, dt.datetime]]:
    """Client addresses from which ``username`` is paused now, with when each opens."""
    rows = (_recent(username=throttle_username(None, {"username": username}))
            .values("ip_address").annotate(n=Sum("failures_since_start"), at=Max("attempt_time")))
    return [(r["ip_address"], r["at"] + settings.AXES_COOLOFF_TIME) for r in rows
            if r["n"] >= settings.AXES_FAILURE_LIMIT]


def unlock(username: str) -> int:
    """Forget every counted failure of ``username`` (any address)."""
    return AxesProxyHandler.reset_attempts(username=throttle_username(None, {"username": username}))


def lockout_response(request: HttpRequest, original_response: HttpResponse | None,
                     credentials: dict | None = None) -> HttpResponse | None:
    """The sign-in view already answered with PeerLog's own, translated message: keep it."""
    return original_response


@receiver(user_locked_out)
def _audit_lockout(sender: Any, request: HttpRequest, username: str, ip_address: str,
                   **kwargs: Any) -> None:
    """One audit event when a (name, address) pair is paused, not one per further attempt."""
    from peerlog.capture import audit
    from peerlog.capture.models import AuditEvent

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    if AuditEvent.objects.filter(action="staff.locked_out", at__gte=since,
                                 detail__username=username,
                                 detail__address=ip_address).exists():
        return
    audit.record(f"client {ip_address}", "staff.locked_out", "staff_account",
                 username=username, address=ip_address)
