"""SQLite's writers wait in one queue the kernel keeps (stoa.core.sqlite): a write transaction
or a lone write holds the queue's flock until it ends, a reader never waits for it, and a
writer waiting for it goes on as soon as it is let go (issue 12: the task worker lost to the
comment writers at SQLite's sleeping busy handler)."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection, connections, transaction

from stoa.core.models import SentEmail

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's writers' queue"),
]


def queue_path() -> str:
    return f"{connection.settings_dict['NAME']}.writers"


def queue_is_free() -> bool:
    """Whether another open file (another process or connection) could take the queue now."""
    fd = os.open(queue_path(), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


@contextmanager
def queue_held() -> Iterator[None]:
    """The queue held as another writer (another process) holds it."""
    fd = os.open(queue_path(), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def in_a_thread(work: object) -> tuple[threading.Thread, threading.Event]:
    """`work` run on a thread of its own (a connection of its own); the event is set once done."""
    done = threading.Event()

    def run() -> None:
        try:
            work()  # type: ignore[operator]
            done.set()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, done


def test_the_site_writes_to_sqlite_through_the_queued_backend() -> None:
    assert connection.settings_dict["ENGINE"] == "stoa.core.sqlite"


def test_a_write_transaction_holds_the_queue_until_it_commits_or_rolls_back() -> None:
    assert queue_is_free()
    with transaction.atomic():
        assert not queue_is_free(), "taken at BEGIN, with SQLite's own lock"
        SentEmail.objects.create(key="a", task_id="t")
        with transaction.atomic():  # a savepoint: still the same transaction
            SentEmail.objects.create(key="b", task_id="t")
        assert not queue_is_free()
    assert queue_is_free(), "let go at the commit"
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        SentEmail.objects.create(key="c", task_id="t")
        1 / 0  # noqa: B018 - rolls the transaction back
    assert queue_is_free(), "let go at the rollback"
    assert set(SentEmail.objects.values_list("key", flat=True)) == {"a", "b"}


def test_a_write_outside_a_transaction_waits_in_the_queue_and_goes_on_when_it_is_free() -> None:
    with queue_held():
        thread, done = in_a_thread(lambda: SentEmail.objects.create(key="a", task_id="t"))
        assert not done.wait(0.3), "the write waits while another writer holds the queue"
    thread.join(timeout=30)
    assert done.is_set(), "the write went on once the queue was let go"
    assert queue_is_free(), "and let the queue go after its statement"
    assert SentEmail.objects.filter(key="a").exists()


def test_a_transaction_waits_in_the_queue_before_it_begins() -> None:
    def write() -> None:
        with transaction.atomic():
            SentEmail.objects.create(key="a", task_id="t")

    with queue_held():
        thread, done = in_a_thread(write)
        assert not done.wait(0.3)
    thread.join(timeout=30)
    assert done.is_set()
    assert queue_is_free()


def test_a_reader_does_not_wait_for_the_queue() -> None:
    SentEmail.objects.create(key="a", task_id="t")
    with queue_held():
        thread, done = in_a_thread(lambda: list(SentEmail.objects.all()))
        thread.join(timeout=30)
        assert done.is_set(), "read while another writer held the queue"
