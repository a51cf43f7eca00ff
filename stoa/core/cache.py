"""One version for everything a page shows: bumped when content changes, or when a
scheduled change (a post's publish time) comes due, so cached fragments never go stale."""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from stoa.core.conf import stoa_setting

T = TypeVar("T")
VERSION_KEY = "stoa:content-version:2"
# (version, when it expires by itself as seconds since the epoch, or None)
State = tuple[str, float | None]


def _next_due() -> float | None:
    """The earliest moment any app says its content will change by itself (CONTENT_CLOCKS)."""
    moments = [import_string(path)() for path in stoa_setting("CONTENT_CLOCKS")]
    due = min((m for m in moments if m is not None), default=None)
    return None if due is None else due.timestamp()


def _new_state() -> State:
    return f"{time.time_ns():x}", _next_due()


class CacheVersionStore:
    """The version kept in Django's cache: shared by every machine that shares the cache."""

    def get(self) -> State | None:
        return cache.get(VERSION_KEY)

    def add(self, state: State) -> None:
        cache.add(VERSION_KEY, state, None)

    def delete(self) -> None:
        cache.delete(VERSION_KEY)


class FileVersionStore:
    """The version kept in a small file: for one machine whose cache is files anyway.

    Every page from the cache first reads the version, so its cost is the floor under every
    hit: a plain file read is a tenth of a file-cache read (which hashes the key, unpickles
    and decompresses). The file is only ever replaced whole: `add` links a finished file
    into place (which fails if one is there: the first writer wins, as with cache.add) and
    `delete` unlinks it, so a reader sees the old version, the new one, or none, never part.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def get(self) -> State | None:
        # os.open/os.read: no buffered text wrapper, for a file of a few bytes.
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return None
        try:
            text = os.read(fd, 256).decode()
        finally:
            os.close(fd)
        version, _, due = text.partition("\n")
        if not version or not text.endswith("\n"):
            return None
        due = due.strip()
        return version, float(due) if due else None

    def add(self, state: State) -> None:
        version, due = state
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".version-")
        try:
            with os.fdopen(fd, "w") as out:
                out.write(f"{version}\n{'' if due is None else repr(due)}\n")
            with contextlib.suppress(FileExistsError):
                os.link(temp, self.path)
        finally:
            os.unlink(temp)

    def delete(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def version_store() -> CacheVersionStore | FileVersionStore:
    """Where the version lives: STOA_CONTENT_VERSION_FILE names a file, else the cache."""
    path = getattr(settings, "STOA_CONTENT_VERSION_FILE", "")
    return FileVersionStore(Path(path)) if path else CacheVersionStore()


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
    store = version_store()
    state = store.get()
    if state is None or (state[1] is not None and timezone.now().timestamp() >= state[1]):
        # The first reader after a change works out the new version; if two do at once,
        # the first one stored wins and both use it.
        if state is not None:
            store.delete()
        store.add(_new_state())
        state = store.get() or _new_state()
    return state[0]


def start_new_version() -> None:
    """Drop the current content version: the next reader works out a new one. Called by
    stoa.core.freshness, the one place that decides when what readers see has changed."""
    version_store().delete()
    forget_request_version()


def forget(key: str) -> None:
    """Drop a kept value at once and again when the current transaction commits (at once
    outside one). At once: the writer's next read, even inside the transaction, builds it
    anew from its own rows. At the commit: a reader between the two saw the old committed
    rows and may have kept them again. The content version is started anew the same way
    (stoa.core.freshness); this is the same rule for a single key."""
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def memoize(name: str, build: Callable[[], T], timeout: int = 3600) -> T:
    """The value `build()` returns, kept until the content version changes."""
    key = f"stoa:{name}:{content_version()}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout)
    return value
