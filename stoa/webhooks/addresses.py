"""Which addresses a webhook may be sent to (server-side request forgery).

An administrator types an endpoint's URL, and the worker then sends requests from inside
the site's network: a URL naming the loopback, a private network, a link-local address
(169.254.169.254 is a cloud's metadata service) or any other address that is not on the
public internet would let the admin page reach what only the server can reach. Such
endpoints are refused when saved, and again at each delivery, where the host is resolved
once, every address it resolves to is checked, and the connection goes to a checked address
(sending.py): a name that resolved to a public address when saved and to 127.0.0.1 when sent
(DNS rebinding) is refused then. ``STOA_WEBHOOKS["ALLOW_PRIVATE_ADDRESSES"]`` lifts the
address rule (a receiver on the same private network; the tests' local server).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from django.core.exceptions import ValidationError

from stoa.webhooks.conf import webhooks_setting

DEFAULT_PORTS = {"http": 80, "https": 443}
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(Exception):
    """This endpoint may not be called; the message says why (shown in the admin)."""


class Unresolvable(Refused):
    """The host has no address now: refused when saved, retried at delivery (DNS fails
    for a while and comes back)."""


@dataclass(frozen=True)
class Target:
    """Where one request goes: the URL's parts, and the checked address to connect to."""

    scheme: str
    host: str
    port: int
    path: str
    address: str

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = DEFAULT_PORTS[self.scheme] == self.port
        return host if default else f"{host}:{self.port}"


def is_public(address: IPAddress) -> bool:
    """Whether an address is on the public internet: not loopback, private, link-local,
    shared (100.64/10), multicast, reserved or unspecified (Python's `is_global` follows
    IANA's special-purpose registries; multicast is outside them but no receiver's)."""
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:  # ::ffff:127.0.0.1 is 127.0.0.1
        address = mapped
    return address.is_global and not address.is_multicast


def parse(url: str) -> SplitResult:
    """The URL's parts, or Refused: http(s) only, a host, no credentials in it."""
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as error:
        raise Refused("This is not a valid URL.") from error
    if parts.scheme not in DEFAULT_PORTS:
        raise Refused("Only http:// and https:// endpoints can receive webhooks.")
    if not parts.hostname:
        raise Refused("The URL has no host.")
    if parts.username is not None or parts.password is not None:
        # The secret authenticates the sender; a password in the URL would be shown in the
        # admin's lists and logs.
        raise Refused("Leave credentials out of the URL: the signature proves who sends.")
    return parts


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address the host stands for (itself, when it is one)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise Unresolvable(f"{host} could not be resolved.") from error
    # The scope of a link-local IPv6 address (fe80::1%eth0) is not part of the address.
    return [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in found]


def target(url: str) -> Target:
    """Where a request to `url` may go, or Refused: called at every delivery."""
    parts = parse(url)
    host = parts.hostname or ""
    port = parts.port or DEFAULT_PORTS[parts.scheme]
    addresses = resolve(host, port)
    if not addresses:
        raise Unresolvable(f"{host} could not be resolved.")
    if not webhooks_setting("ALLOW_PRIVATE_ADDRESSES"):
        # Every address, not only the first: a name may answer with a public address and a
        # private one, and the connection could be made to either.
        for address in addresses:
            if not is_public(address):
                raise Refused(
                    f"{host} is {address}, which is not a public internet address "
                    "(loopback, private, link-local or reserved)."
                )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(parts.scheme, host, port, path, str(addresses[0]))


def validate_endpoint_url(url: str) -> None:
    """An endpoint's URL as it is saved: the same rules as at delivery."""
    try:
        target(url)
    except Refused as refused:
        raise ValidationError(str(refused), code="refused") from refused
