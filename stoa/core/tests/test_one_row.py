"""core.services.insert_row and update_row: one row's INSERT, and its UPDATE by its primary
key, their SQL written once per model and fields (a comment POST's history line, count and
drawn markup), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
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


def test_a_char_primary_key_comes_back_as_written() -> None:
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


def test_a_relation_is_given_by_its_attname_and_may_be_empty() -> None:
    # As post_comment writes a comment's history line: comment_id, and actor_id None.
    user = get_user_model().objects.create_user(username="editor-one")
    pk = services.insert_row(
        model=LogEntry,
        values={
            "action_time": STARTED,
            "user_id": user.pk,
            "content_type_id": None,
            "object_repr": "a thing",
            "action_flag": 1,
            "change_message": "",
        },
    )
    entry = LogEntry.objects.get(pk=pk)
    assert (entry.user, entry.content_type, entry.action_time) == (user, None, STARTED)
    other = get_user_model().objects.create_user(username="editor-two")
    assert services.update_row(model=LogEntry, pk=pk, values={"user_id": other.pk}) == 1
    assert LogEntry.objects.get(pk=pk).user == other


def test_one_new_row_is_one_statement() -> None:
    with CaptureQueriesContext(connection) as queries:
        services.insert_row(
            model=Redirect,
            values={"old_path": "/a/", "new_path": "/b/", "note": "", "created_at": STARTED},
        )
    assert len(queries.captured_queries) == 1


def test_without_returning_the_new_rows_id_comes_from_the_driver(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # SQLite before 3.35 has no RETURNING (Django 5.2 takes 3.31); PostgreSQL always has it.
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL always returns the id")
    monkeypatch.setattr(connection.features, "can_return_columns_from_insert", False)
    services._insert_sql.cache_clear()
    try:
        with CaptureQueriesContext(connection) as queries:
            first = services.insert_row(
                model=Redirect,
                values={"old_path": "/a/", "new_path": "/b/", "note": "", "created_at": STARTED},
            )
            second = services.insert_row(
                model=Redirect,
                values={"old_path": "/c/", "new_path": "/b/", "note": "", "created_at": STARTED},
            )
    finally:
        services._insert_sql.cache_clear()
    assert "RETURNING" not in queries.captured_queries[0]["sql"]
    assert Redirect.objects.get(pk=first).old_path == "/a/"
    assert Redirect.objects.get(pk=second).old_path == "/c/"


def test_a_name_that_is_no_column_is_refused() -> None:
    with pytest.raises(ValueError, match="not a column"):
        services.update_row(model=Group, pk=1, values={"permissions": []})
    with pytest.raises(ValueError, match="has no field"):
        services.insert_row(model=Redirect, values={"old_address": "/a/"})
    with pytest.raises(ValueError, match="no values"):
        services.insert_row(model=WorkerLease, values={})
