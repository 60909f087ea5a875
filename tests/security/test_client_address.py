"""One client-address function for the rate limits and the sign-in throttle
(peerlog.web.client): the two settings mean the same thing to both."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from peerlog.capture import ratelimit
from peerlog.capture.models import RateLimit
from peerlog.web.client import client_address


def _request(remote: str = "", forwarded: str | None = None, **meta: str):
    extra = dict(meta)
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


@pytest.fixture
def no_proxy(settings):
    settings.PEERLOG = {**settings.PEERLOG, "CLIENT_ADDRESS_HEADER": ""}
    settings.PEERLOG_TRUSTED_PROXIES = []
    return settings


def test_rate_limits_and_sign_in_throttle_share_the_function(settings):
    assert ratelimit.client_address is client_address
    assert settings.AXES_CLIENT_IP_CALLABLE == "peerlog.web.client.client_address"


def test_without_a_proxy_the_header_is_never_believed(no_proxy):
    assert client_address(_request("192.0.2.10", "10.9.9.9")) == "192.0.2.10"
    assert client_address(_request("", "10.9.9.9")) is None


def test_header_alone_means_every_peer_is_the_proxy(no_proxy):
    """gunicorn on a Unix socket behind nginx: REMOTE_ADDR is empty, nginx's entry is last."""
    no_proxy.PEERLOG = {**no_proxy.PEERLOG, "CLIENT_ADDRESS_HEADER": "HTTP_X_FORWARDED_FOR"}
    assert client_address(_request("", "6.6.6.6, 203.0.113.5")) == "203.0.113.5"
    assert client_address(_request("127.0.0.1", "203.0.113.5")) == "203.0.113.5"
    assert client_address(_request("127.0.0.1", "not-an-address")) == "127.0.0.1"
    assert client_address(_request("127.0.0.1")) == "127.0.0.1"


def test_trusted_proxies_alone_read_x_forwarded_for_from_them_only(no_proxy):
    no_proxy.PEERLOG_TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.2"]
    # From a trusted proxy: the nearest hop that is not one of them.
    assert client_address(_request("127.0.0.1", "6.6.6.6, 203.0.113.5, 10.0.0.2")) == (
        "203.0.113.5")
    assert client_address(_request("", "203.0.113.5")) == "203.0.113.5"  # Unix socket
    # From anywhere else: the header is the client's own claim, ignored.
    assert client_address(_request("192.0.2.10", "203.0.113.5")) == "192.0.2.10"


def test_a_named_header_is_read_for_trusted_proxies_too(no_proxy):
    no_proxy.PEERLOG = {**no_proxy.PEERLOG, "CLIENT_ADDRESS_HEADER": "HTTP_X_REAL_IP"}
    no_proxy.PEERLOG_TRUSTED_PROXIES = ["127.0.0.1"]
    request = _request("127.0.0.1", "6.6.6.6", HTTP_X_REAL_IP="2001:db8::0:1")
    assert client_address(request) == "2001:db8::1"


@pytest.mark.django_db
def test_a_forged_first_hop_does_not_reset_the_rate_limit(client, no_proxy):
    """The attack: rotate the left of X-Forwarded-For behind nginx; one counter row all along."""
    no_proxy.PEERLOG = {**no_proxy.PEERLOG, "CLIENT_ADDRESS_HEADER": "HTTP_X_FORWARDED_FOR"}
    no_proxy.PEERLOG_TRUSTED_PROXIES = ["127.0.0.1"]
    results = [ratelimit.hit("test-scope", client_address(
        _request("127.0.0.1", f"10.9.9.{n}, 203.0.113.5")), limit=3) for n in range(5)]
    assert results == [True, True, True, False, False]
    assert list(RateLimit.objects.filter(scope="test-scope").values_list("count", flat=True)) == [5]
