"""Rate limits on the API: per token, and per client address (stoa.core.clients) for
everything else, in fixed windows counted in the shared cache (Redis on several machines).

A fixed window is what the limits need (a ceiling on one client's share, not smooth
shaping): one cache increment per request. Over the limit: 429 with Retry-After, the
seconds until the window turns (RFC 6585 §4, RFC 9110 §10.2.3)."""

from __future__ import annotations

import math
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache

from stoa.api.problems import Problem

DEFAULTS: dict[str, Any] = {
    # (requests, seconds): a token is a known member's, so it may do more than an address.
    "RATE_PER_TOKEN": (600, 60),
    "RATE_PER_ADDRESS": (300, 60),
    # Origins whose pages may call the API from a browser (stoa.api.cors).
    "CORS_ORIGINS": (),
    # Origins whose pages may embed a discussion (stoa.api.embed): CORS too, a post made for
    # one of their pages, the login window's token. A partner's app needs only CORS_ORIGINS.
    "EMBED_ORIGINS": (),
    # How long the login window's token lasts, and how many threads one address may have
    # made for other sites' pages in an hour.
    "EMBED_TOKEN_SECONDS": 1800,
    "EMBED_THREADS_PER_ADDRESS": (20, 3600),
    # The category of the posts made for other sites' pages (made when first needed).
    "EMBED_CATEGORY": "elsewhere",
}


def api_setting(name: str) -> Any:
    """settings.STOA_API[name], else the default (read at call time)."""
    return getattr(settings, "STOA_API", {}).get(name, DEFAULTS.get(name))


def count(key: str, limit: tuple[int, int], *, now: float | None = None) -> None:
    """Count one request under `key`; raise a 429 Problem when over the limit."""
    allowed, seconds = int(limit[0]), int(limit[1])
    now = time.time() if now is None else now
    window = int(now // seconds)
    name = f"api-rate:{key}:{seconds}:{window}"
    cache.add(name, 0, timeout=seconds + 1)
    try:
        used = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=seconds + 1)
        used = 1
    if used > allowed:
        wait = max(1, math.ceil((window + 1) * seconds - now))
        raise Problem(
            429,
            f"At most {allowed} requests in {seconds} seconds; try again in {wait} seconds.",
            kind="rate-limited",
            title="Too many requests",
            headers={"Retry-After": str(wait)},
            retry_after=wait,
        )
