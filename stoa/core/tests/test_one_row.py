"""core.services.insert_row and update_row: one row's INSERT, and its UPDATE by its primary
key, their SQL written once per model and fields (a comment POST's history line, count and
drawn markup), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext

from stoa.core import services
from stoa.core.models import Redirect, WorkerLease

pytestmark = pytest.mark.django_db

STARTED = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)


def lease(worker_id: str, pid: int = 100) -> WorkerLease:
    return WorkerLease.objects.create(
        worker_id=worker_id,
        host="web-1",
        pid=pid,
        started_at=STARTED,
        expires_at=STARTED + dt.timedelta(minutes=1),
    )


def test_the_named_fields_of_that_row_alone_are_set() -> None:
    lease("a")
    lease("b")
    later = dt.datetime(2026, 3, 1, 9, 15, 30, 250_000, tzinfo=dt.UTC)
    changed = services.update_row(
        model=WorkerLease, pk="a", values={"host": "web-2", "expires_at": later}
    )
    assert changed == 1
    a, b = WorkerLease.objects.get(pk="a"), WorkerLease.objects.get(pk="b")
    # The datetime prepared by its field as save() prepares it: it reads back the same.
    assert (a.host, a.expires_at, a.pid, a.started_at) == ("web-2", later, 100, STARTED)
    assert (b.host, b.expires_at) == ("web-1", STARTED + dt.timedelta(minutes=1))


def test_an_amount_is_added_in_the_same_one_statement() -> None:
    lease("a", pid=40)
    with CaptureQueriesContext(connection) as queries:
        services.update_row(model=WorkerLease, pk="a", values={"host": "web-3"}, add={"pid": 2})
        services.update_row(model=WorkerLease, pk="a", add={"pid": -12})
    assert len(queries.captured_queries) == 2
    assert WorkerLease.objects.values_list("host", "pid").get() == ("web-3", 30)


def test_a_missing_row_changes_nothing_and_says_so() -> None:
    lease("a")
    assert services.update_row(model=WorkerLease, pk="gone", add={"pid": 1}) == 0
    assert WorkerLease.objects.get().pid == 100


def test_no_save_signal_is_sent() -> None:
    lease("a")
    heard: list[object] = []

    def receiver(sender: object, **kwargs: object) -> None:
        heard.append(kwargs["instance"])

    post_save.connect(receiver, sender=WorkerLease, dispatch_uid="test-update-row")
    try:
        services.update_row(model=WorkerLease, pk="a", values={"host": "web-2"})
    finally:
        post_save.disconnect(dispatch_uid="test-update-row", sender=WorkerLease)
    assert heard == []


def test_the_statement_is_written_once_per_model_and_fields() -> None:
    lease("a")
    lease("b")
    services._update_sql.cache_clear()
    services.update_row(model=WorkerLease, pk="a", values={"host": "x"}, add={"pid": 1})
    services.update_row(model=WorkerLease, pk="b", values={"host": "y"}, add={"pid": 5})
    services.update_row(model=WorkerLease, pk="a", values={"pid": 7})
    info = services._update_sql.cache_info()
    assert (info.hits, info.misses) == (1, 2)
    assert dict(WorkerLease.objects.values_list("pk", "pid")) == {"a": 7, "b": 105}


def test_nothing_to_update_is_refused() -> None:
    with pytest.raises(ValueError, match="nothing to update"):
        services.update_row(model=WorkerLease, pk="a")


def test_a_new_row_is_written_as_given_and_its_id_returned() -> None:
    Redirect.objects.create(old_path="/before/", new_path="/x/")
    when = dt.datetime(2025, 7, 4, 12, 0, 0, 500, tzinfo=dt.UTC)
    pk = services.insert_row(
        model=Redirect,
        values={"old_path": "/old/", "new_path": "/new/", "note": "moved", "created_at": when},
    )
    row = Redirect.objects.get(pk=pk)
    assert (row.old_path, row.new_path, row.note, row.created_at) == (
        "/old/",
        "/new/",
        "moved",
        when,
    )
    assert Redirect.objects.count() == 2


def test_a_key_may_be_given_by_its_column_and_comes_back_as_written() -> None:
    started = services.insert_row(
        model=WorkerLease,
        values={
            "worker_id": "w-1",
            "host": "web-1",
            "pid": 7,
            "started_at": STARTED,
            "expires_at": STARTED,
        },
    )
    assert started == "w-1"
    assert WorkerLease.objects.get().pid == 7


def test_a_new_row_sends_no_signal_and_one_statement() -> None:
    heard: list[object] = []

    def receiver(sender: object, **kwargs: object) -> None:
        heard.append(kwargs["instance"])

    post_save.connect(receiver, sender=Redirect, dispatch_uid="test-insert-row")
    try:
        with CaptureQueriesContext(connection) as queries:
            services.insert_row(
                model=Redirect,
                values={"old_path": "/a/", "new_path": "/b/", "note": "", "created_at": STARTED},
            )
    finally:
        post_save.disconnect(dispatch_uid="test-insert-row", sender=Redirect)
    assert heard == []
    assert len(queries.captured_queries) == 1


def test_a_name_that_is_no_column_is_refused() -> None:
    with pytest.raises(ValueError, match="not a column"):
        services.update_row(model=Group, pk=1, values={"permissions": []})
    with pytest.raises(ValueError, match="no values"):
        services.insert_row(model=WorkerLease, values={})
