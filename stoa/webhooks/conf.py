"""The webhooks' settings: ``settings.STOA_WEBHOOKS`` over these defaults, read when used."""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Loopback, private and link-local endpoints refused (addresses.py) unless this is on.
    "ALLOW_PRIVATE_ADDRESSES": False,
    # Seconds to connect, and to wait for each part of the answer; and for the whole attempt.
    "CONNECT_TIMEOUT": 5.0,
    "TIMEOUT": 10.0,
    # Bytes of the receiver's answer read (and the first of them kept in the log).
    "MAX_RESPONSE_BYTES": 4096,
    # Attempts in all before a delivery is given up, and the waits between them: BACKOFF
    # seconds after the first failure, times FACTOR after each next one, never more than
    # BACKOFF_MAX (with the defaults: 1 min, 4 min, 16 min, 64 min, ~4 h, 12 h, 12 h: 30 h).
    "MAX_ATTEMPTS": 8,
    "BACKOFF": 60,
    "BACKOFF_FACTOR": 4,
    "BACKOFF_MAX": 12 * 60 * 60,
    # Days a message stays in the delivery log once every delivery of it has ended (sent,
    # given up or cancelled); the worker prunes older ones once a day. Stripe shows 30 days of
    # event deliveries, GitHub's recent deliveries fewer; a message still being retried stays.
    "KEEP_DAYS": 30,
}


def webhooks_setting(name: str) -> Any:
    return {**DEFAULTS, **getattr(settings, "STOA_WEBHOOKS", {})}[name]
