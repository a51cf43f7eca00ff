"""core.services.update_row: one row's UPDATE by its primary key, its SQL written once per
model and fields (a comment POST's count and drawn markup), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext

from stoa.core import services
from stoa.core.models import WorkerLease

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
