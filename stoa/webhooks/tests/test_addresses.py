"""Server-side request forgery: an endpoint on the loopback, a private network, link-local
(cloud metadata) or any non-public address is refused when saved and again at delivery,
where the connection goes to the address that was checked (DNS rebinding)."""

from __future__ import annotations

import socket
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from stoa.webhooks import addresses, services
from stoa.webhooks.models import Delivery, DeliveryStatus, Endpoint, EventType

PUBLIC = "93.184.215.14"


def resolving(monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[str]]) -> None:
    """getaddrinfo answers these names with these addresses (a DNS server we control)."""
    real = socket.getaddrinfo

    def fake(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host in answers:
            return [
                (
                    socket.AF_INET6 if ":" in a else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (a, port),
                )
                for a in answers[host]
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://127.1.2.3:8080/hook",
        "http://localhost/hook",
        "http://10.0.0.5/hook",
        "http://172.16.3.4/hook",
        "http://192.168.1.10/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/hook",
        "http://0.0.0.0/hook",
        "http://[::1]/hook",
        "http://[fe80::1]/hook",
        "http://[fd00::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://224.0.0.1/hook",
    ],
)
def test_an_endpoint_on_a_non_public_address_is_refused_when_saved(url: str) -> None:
    with pytest.raises(ValidationError, match="not a public internet address"):
        addresses.validate_endpoint_url(url)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://example.com/hook", "Only http:// and https://"),
        ("file:///etc/passwd", "Only http:// and https://"),
        ("gopher://127.0.0.1:6379/_FLUSHALL", "Only http:// and https://"),
        ("https://user:pass@example.com/hook", "Leave credentials out"),
        ("https:///hook", "no host"),
        ("http://example.com:99999/", "not a valid URL"),
    ],
)
def test_an_endpoint_that_is_not_a_plain_http_url_is_refused(url: str, says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        addresses.validate_endpoint_url(url)


def test_a_name_resolving_to_a_private_address_among_public_ones_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    resolving(monkeypatch, {"hooks.example.com": [PUBLIC, "10.1.2.3"]})
    with pytest.raises(ValidationError, match="10.1.2.3"):
        addresses.validate_endpoint_url("https://hooks.example.com/in")


def test_a_public_address_is_accepted_and_connected_to_as_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    resolving(monkeypatch, {"hooks.example.com": [PUBLIC]})
    found = addresses.target("https://hooks.example.com:8443/in?x=1")
    assert (found.address, found.port, found.path) == (PUBLIC, 8443, "/in?x=1")
    assert found.host_header == "hooks.example.com:8443"


def test_the_setting_allows_private_addresses(settings: Any) -> None:
    settings.STOA_WEBHOOKS = {"ALLOW_PRIVATE_ADDRESSES": True}
    assert addresses.target("http://127.0.0.1:9/hook").address == "127.0.0.1"


def test_a_name_that_resolves_to_the_loopback_at_delivery_is_refused_and_never_retried(
    db: None, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """DNS rebinding: public when the administrator saved it, 127.0.0.1 when the worker
    sends. Nothing reaches the local server; the delivery fails for good, saying why."""
    from stoa.webhooks.tests.conftest import Receiver

    local = Receiver()
    local.thread.start()
    try:
        port = local.server.server_address[1]
        resolving(monkeypatch, {"rebind.example.com": [PUBLIC]})
        endpoint = services.save_endpoint(
            endpoint=Endpoint(
                url=f"http://rebind.example.com:{port}/hook", events=[EventType.MEMBER_JOINED]
            )
        )
        resolving(monkeypatch, {"rebind.example.com": ["127.0.0.1"]})
        from stoa.members.tests.factories import UserFactory

        user = UserFactory()
        settings.TASKS = {
            "default": {
                "BACKEND": "django_tasks.backends.dummy.DummyBackend",
                "QUEUES": ["default", "email"],
            }
        }
        services.announce_member(user_id=user.pk)
        delivery = Delivery.objects.get(endpoint=endpoint)
        assert services.deliver(delivery_id=delivery.pk, sequence=delivery.sequence) == "failed"
    finally:
        local.server.shutdown()
        local.server.server_close()
    delivery.refresh_from_db()
    assert local.received == []
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.next_attempt_at is None
    assert "127.0.0.1, which is not a public internet address" in delivery.last_error
    assert delivery.attempt_log.get().status_code is None
