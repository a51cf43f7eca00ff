"""The content version (stoa.core.cache): kept in the cache or in a file, new after a change."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from django.utils import timezone

from stoa.core import cache as content
from stoa.core.cache import FileVersionStore, content_version, memoize
from stoa.core.freshness import mark_changed


@pytest.fixture(autouse=True)
def _fresh_request() -> None:
    content.forget_request_version()


@pytest.fixture(params=["cache", "file"])
def store(request: pytest.FixtureRequest, settings, tmp_path: Path) -> str:
    """Each test runs with the version in the cache and in a file."""
    settings.STOA_CONTENT_VERSION_FILE = "" if request.param == "cache" else tmp_path / "v"
    settings.STOA = {**settings.STOA, "CONTENT_CLOCKS": []}
    return str(request.param)


DUE: dict[str, dt.datetime | None] = {"at": None}


def clock() -> dt.datetime | None:
    """A content clock for the tests: the moment in DUE."""
    return DUE["at"]


def read() -> str:
    content.forget_request_version()
    return content_version()


@pytest.mark.django_db
def test_the_version_stays_the_same_until_content_changes(store: str) -> None:
    first = read()
    assert read() == first
    mark_changed()
    assert read() != first


@pytest.mark.django_db
def test_a_kept_value_is_rebuilt_after_a_change(store: str) -> None:
    built = []

    def build() -> int:
        built.append(1)
        return len(built)

    assert memoize("piece", build) == 1
    content.forget_request_version()
    assert memoize("piece", build) == 1
    mark_changed()
    content.forget_request_version()
    assert memoize("piece", build) == 2


def test_a_version_expires_when_a_content_clock_comes_due(store: str, settings) -> None:
    settings.STOA = {**settings.STOA, "CONTENT_CLOCKS": [f"{__name__}.clock"]}
    DUE["at"] = timezone.now() + dt.timedelta(hours=1)
    first = read()
    assert content.version_store().get() == (first, DUE["at"].timestamp())
    assert read() == first
    # A version whose moment has passed (as a scheduled post's publish time does) is replaced.
    content.version_store().delete()
    content.version_store().add(("old", timezone.now().timestamp() - 1))
    DUE["at"] = None
    fresh = read()
    assert fresh != "old"
    assert content.version_store().get() == (fresh, None)


def test_the_file_holds_only_whole_versions(tmp_path: Path) -> None:
    store = FileVersionStore(tmp_path / "version")
    assert store.get() is None
    store.add(("abc", None))
    assert store.get() == ("abc", None)
    # Only the first writer's version is kept, as with cache.add.
    store.add(("def", 12.5))
    assert store.get() == ("abc", None)
    store.delete()
    store.delete()  # deleting a missing version is not an error
    assert store.get() is None
    store.add(("ghi", 1700000000.25))
    assert store.get() == ("ghi", 1700000000.25)
    # A file cut short (by hand, or a full disk) is no version: a new one is worked out.
    (tmp_path / "version").write_text("jkl")
    assert store.get() is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["version"]  # no temp files left


def test_concurrent_writers_agree_on_one_version(tmp_path: Path) -> None:
    store = FileVersionStore(tmp_path / "version")
    start = threading.Barrier(8)

    def write(k: int) -> None:
        start.wait()
        store.add((f"v{k}", None))

    threads = [threading.Thread(target=write, args=(k,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    kept = store.get()
    assert kept is not None and kept[0] in {f"v{k}" for k in range(8)}


@pytest.mark.django_db(transaction=True)
def test_a_forgotten_key_is_dropped_at_once_and_again_at_the_commit() -> None:
    from django.core.cache import cache
    from django.db import transaction

    cache.set("stoa:test:kept", "old")
    with transaction.atomic():
        content.forget("stoa:test:kept")
        assert cache.get("stoa:test:kept") is None
        # A reader between the write and the commit keeps what it saw (the old rows).
        cache.set("stoa:test:kept", "read before the commit")
    assert cache.get("stoa:test:kept") is None
