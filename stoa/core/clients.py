"""Who is asking: the client's address as the proxies Stoa trusts report it, and the key
that limits and reports count it under.

Behind nginx every request comes from nginx. Each proxy *appends* the address it was
contacted from to X-Forwarded-For (nginx's `$proxy_add_x_forwarded_for`), so whatever a
client writes there itself stands to the left of it: only the entry that the outermost
trusted proxy added is the client's. With `STOA_TRUSTED_PROXY_COUNT` proxies in front
(settings; `TRUSTED_PROXY_COUNT` in the environment), that is the N-th entry from the right.
With none, the socket's address. Every part that reads a client address asks here: comments,
reports, allauth's rate limits (members.adapter), access-code tries, the logs.

Limits count an IPv6 client by its /64: one household or server is given a whole /64, and
counting single addresses would let it take 2^64 fresh buckets.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest

IPV6_LIMIT_PREFIX = 64


def trusted_proxy_count() -> int:
    """How many proxies in front of Stoa append to X-Forwarded-For (read now)."""
    return int(getattr(settings, "STOA_TRUSTED_PROXY_COUNT", 0))


def _address(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [::1]:port, as some proxies write it
        value = value[1 : value.index("]")]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest | Mapping[str, Any]) -> str | None:
    """The client's address (a request, or its META / a WSGI environ)."""
    meta = cast(Mapping[str, Any], request.META if isinstance(request, HttpRequest) else request)
    remote = _address(str(meta.get("REMOTE_ADDR") or ""))
    hops = trusted_proxy_count()
    if hops <= 0:
        return remote
    entries = [entry for entry in str(meta.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    entries = [entry for entry in entries if entry.strip()]
    if len(entries) < hops:
        # The request did not pass every proxy we count on (or one of them forgot to
        # append): nothing in the header can be trusted; the socket's address can.
        return remote
    return _address(entries[-hops]) or remote


def limit_key(address: str | None) -> str:
    """What limits and reports count a client under: the IPv4 address, an IPv6 /64."""
    if not address:
        return "unknown"
    ip = ipaddress.ip_address(address)
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/{IPV6_LIMIT_PREFIX}", strict=False))
    return str(ip)


def client_key(request: HttpRequest | Mapping[str, Any]) -> str:
    """limit_key of the request's client address."""
    return limit_key(client_ip(request))
