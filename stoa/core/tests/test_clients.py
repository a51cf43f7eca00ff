"""The client's address behind trusted proxies (stoa.core.clients)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from stoa.core.clients import client_ip, client_key, limit_key


def request(xff: str | None = None, remote: str = "127.0.0.1"):
    extra = {"REMOTE_ADDR": remote}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("hops", "xff", "expected"),
    [
        (0, "203.0.113.9", "127.0.0.1"),  # no proxy trusted: the header is the client's words
        (1, "203.0.113.9", "203.0.113.9"),  # what nginx appended
        (1, "1.2.3.4, 5.6.7.8, 203.0.113.9", "203.0.113.9"),  # the client's own entries ignored
        (2, "1.2.3.4, 198.51.100.2, 10.0.0.5", "198.51.100.2"),  # two proxies: second from right
        (2, "203.0.113.9", "127.0.0.1"),  # fewer entries than proxies: only the socket is sure
        (1, "not-an-address", "127.0.0.1"),
        (1, "[2001:db8::1]", "2001:db8::1"),
        (1, None, "127.0.0.1"),
    ],
)
def test_the_client_is_the_entry_the_outermost_trusted_proxy_added(
    settings, hops: int, xff: str | None, expected: str
) -> None:
    settings.STOA_TRUSTED_PROXY_COUNT = hops
    assert client_ip(request(xff)) == expected


def test_made_up_addresses_in_front_of_the_proxys_change_nothing(settings) -> None:
    settings.STOA_TRUSTED_PROXY_COUNT = 1
    keys = {client_key(request(f"192.0.2.{n}, 203.0.113.9")) for n in range(1, 4)}
    assert keys == {"203.0.113.9"}


def test_an_ipv6_client_is_limited_by_its_64() -> None:
    assert limit_key("2001:db8:1:2:aaaa::1") == limit_key("2001:db8:1:2:bbbb::2")
    assert limit_key("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert limit_key("2001:db8:1:3::1") != limit_key("2001:db8:1:2::1")
    assert limit_key("::ffff:198.51.100.7") == "198.51.100.7"
    assert limit_key("198.51.100.7") == "198.51.100.7"
    assert limit_key(None) == "unknown"
