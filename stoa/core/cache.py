"""One version for everything a page shows: bumped when content changes, or when a
scheduled change (a post's publish time) comes due, so cached fragments never go stale."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction
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


# Read at most once per request (ContentVersionMiddleware starts each request afresh), so
# that a page's many cached pieces cost one look-up of the version and agree with each other.
_request_version: ContextVar[str | None] = ContextVar("stoa_content_version", default=None)


def forget_request_version() -> None:
    """Start afresh: the next content_version() asks the cache again."""
    _request_version.set(None)


def content_version() -> str:
    """The current content version; a new one after a change, or once a scheduled change
    has come due."""
    if (known := _request_version.get()) is None:
        known = _read_version()
        _request_version.set(known)
    return known


def _read_version() -> str:
    state: tuple[str, dt.datetime | None] | None = cache.get(VERSION_KEY)
    if state is None or (state[1] is not None and timezone.now() >= state[1]):
        # The first reader after a change works out the new version; if two do at once,
        # the first one stored wins and both use it.
        if state is not None:
            cache.delete(VERSION_KEY)
        cache.add(VERSION_KEY, _new_state(), None)
        state = cache.get(VERSION_KEY) or _new_state()
    return state[0]


def content_changed(**kwargs: Any) -> None:
    """Start a new content version (a signal receiver: extra arguments are ignored). Cheap:
    a write of many rows costs one cache delete each, and no query."""
    _start_new_version()
    # A reader may render between this write and its commit, from the old rows, and keep the
    # result under the new version: once the change is committed, start yet another one.
    transaction.on_commit(_start_new_version)


def _start_new_version() -> None:
    cache.delete(VERSION_KEY)
    forget_request_version()


def memoize(name: str, build: Callable[[], T], timeout: int = 3600) -> T:
    """The value `build()` returns, kept until the content version changes."""
    key = f"stoa:{name}:{content_version()}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout)
    return value
