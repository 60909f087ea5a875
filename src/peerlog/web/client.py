"""The client's address, the same way everywhere it is counted: the registration and
new-link rate limits (``peerlog.capture.ratelimit``) and the staff sign-in throttle
(django-axes, ``peerlog.staff.lockout``).

Two settings, one meaning (docs/security.md):

- ``PEERLOG_CLIENT_ADDRESS_HEADER``: the WSGI key of the header a reverse proxy writes the
  client's address into (``HTTP_X_FORWARDED_FOR``). Empty: not behind a proxy.
- ``PEERLOG_TRUSTED_PROXIES``: the addresses of those proxies. When set, the header is read
  only on requests that come from one of them (or from a Unix socket, which only the local
  proxy can reach), and hops they added are skipped; when empty, any peer is taken to be the
  proxy (gunicorn on a Unix socket behind nginx). Listing proxies alone implies the header
  ``HTTP_X_FORWARDED_FOR``.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

DEFAULT_HEADER = "HTTP_X_FORWARDED_FOR"


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address in canonical form, or None when it cannot be told.

    Without a proxy: ``REMOTE_ADDR``. Behind one: the nearest address in its header that is
    not a trusted proxy (the entry the proxy itself appended: entries further left are
    whatever the client claimed). A malformed entry falls back to ``REMOTE_ADDR``.
    """
    remote = _valid(request.META.get("REMOTE_ADDR", ""))
    trusted = set(settings.PEERLOG_TRUSTED_PROXIES)
    header = settings.PEERLOG.get("CLIENT_ADDRESS_HEADER") or (DEFAULT_HEADER if trusted else "")
    if not header or (trusted and remote is not None and remote not in trusted):
        return remote
    for hop in reversed(request.META.get(header, "").split(",")):
        hop = hop.strip()
        if hop and hop not in trusted:
            return _valid(hop) or remote
    return remote


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
