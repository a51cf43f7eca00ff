"""One version for everything a page shows: bumped when content changes, or when a
scheduled change (a post's publish time) comes due, so cached fragments never go stale."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.utils import timezone
from django.utils.module_loading import import_string

from stoa.core.conf import stoa_setting

T = TypeVar("T")
VERSION_KEY = "stoa:content-version"


def _next_due() -> dt.datetime | None:
    """The earliest moment any app says its content will change by itself (CONTENT_CLOCKS)."""
    moments = [import_string(path)() for path in stoa_setting("CONTENT_CLOCKS")]
    return min((m for m in moments if m is not None), default=None)


def _new_state() -> tuple[str, dt.datetime | None]:
    return f"{time.time_ns():x}", _next_due()


def content_version() -> str:
    """The current content version; a new one once a scheduled change has come due."""
    state: tuple[str, dt.datetime | None] | None = cache.get(VERSION_KEY)
    if state is None or (state[1] is not None and timezone.now() >= state[1]):
        state = _new_state()
        cache.set(VERSION_KEY, state, None)
    return state[0]


def content_changed(**kwargs: Any) -> None:
    """Start a new content version (a signal receiver: extra arguments are ignored)."""
    cache.set(VERSION_KEY, _new_state(), None)


def memoize(name: str, build: Callable[[], T], timeout: int = 3600) -> T:
    """The value `build()` returns, kept until the content version changes."""
    key = f"stoa:{name}:{content_version()}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout)
    return value
