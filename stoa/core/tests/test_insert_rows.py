"""core.services.insert_rows: the importers' INSERT of many new rows (publishing's posts,
discussion's comments), on SQLite (executemany, ids from last_insert_rowid) and on
PostgreSQL (INSERT ... RETURNING, in statements of bounded size)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from stoa.core import services
from stoa.core.models import Redirect

pytestmark = pytest.mark.django_db

WHEN = dt.datetime(2024, 5, 1, 9, 30, tzinfo=dt.UTC)


def rows(*olds: str) -> list[tuple[object, ...]]:
    """Redirect's columns but its id, in the model's order, in their database form."""
    fields = [f for f in Redirect._meta.concrete_fields if not f.primary_key]
    assert [f.name for f in fields] == ["old_path", "new_path", "note", "created_at"]
    when = connection.ops.adapt_datetimefield_value(WHEN)
    return [(old, "/new/", "imported", when) for old in olds]


def test_new_rows_get_their_ids_in_the_rows_order() -> None:
    Redirect.objects.create(old_path="/before/", new_path="/new/")
    ids = services.insert_rows(model=Redirect, rows=rows("/a/", "/b/", "/c/"))
    assert len(ids) == 3
    assert dict(Redirect.objects.filter(pk__in=ids).values_list("pk", "old_path")) == dict(
        zip(ids, ["/a/", "/b/", "/c/"], strict=True)
    )
    assert Redirect.objects.get(pk=ids[0]).created_at == WHEN


def test_rows_beyond_one_statements_share_are_written_and_numbered_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Four values a row: two rows a statement on PostgreSQL, so seven rows take four.
    monkeypatch.setattr(services, "INSERT_VALUES", 8)
    olds = [f"/old-{n}/" for n in range(7)]
    with CaptureQueriesContext(connection) as queries:
        ids = services.insert_rows(model=Redirect, rows=rows(*olds))
    assert [Redirect.objects.get(pk=pk).old_path for pk in ids] == olds
    inserts = [q for q in queries.captured_queries if "INSERT" in q["sql"]]
    if connection.vendor == "postgresql":
        assert len(inserts) == 4
    else:
        assert len(inserts) == 1  # Django records one executemany once


def test_nothing_to_insert_sends_nothing() -> None:
    with CaptureQueriesContext(connection) as queries:
        assert services.insert_rows(model=Redirect, rows=[]) == []
    assert queries.captured_queries == []


@pytest.mark.django_db(transaction=True)
def test_a_refused_row_leaves_none_of_the_others_written() -> None:
    # No transaction of the caller's (nor the test's): the function's own is rolled back.
    Redirect.objects.create(old_path="/taken/", new_path="/new/")
    with pytest.raises(IntegrityError):
        services.insert_rows(model=Redirect, rows=rows("/a/", "/taken/", "/b/"))
    assert not connection.in_atomic_block
    assert sorted(Redirect.objects.values_list("old_path", flat=True)) == ["/taken/"]


def test_in_the_callers_transaction_its_rows_go_with_it() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        services.insert_rows(model=Redirect, rows=rows("/a/", "/b/"))
        raise RuntimeError("the import failed later")
    assert not Redirect.objects.exists()


# ------------------------------------------------------------------ the old site's ids


def test_of_the_ids_asked_for_those_no_row_has_are_free() -> None:
    taken = services.insert_rows(model=Redirect, rows=rows("/a/", "/b/"))
    wanted = [taken[0], taken[1] + 5, taken[1] + 900, taken[1] + 5, 0, -3, 2**63]
    assert services.free_ids(model=Redirect, wanted=wanted) == {taken[1] + 5, taken[1] + 900}


def test_many_ids_are_looked_for_a_few_hundred_at_a_time() -> None:
    with CaptureQueriesContext(connection) as queries:
        free = services.free_ids(model=Redirect, wanted=range(1_000_000, 1_002_000))
    assert len(free) == 2000
    lookups = [q for q in queries if q["sql"].startswith("SELECT") and " IN (" in q["sql"]]
    assert len(lookups) == 3


def test_rows_written_with_free_ids_keep_them_and_later_rows_are_numbered_past() -> None:
    # Both databases: SQLite's AUTOINCREMENT moves past an id written into it, PostgreSQL's
    # sequence is moved by free_ids (without it the next row would be given 1, then 41).
    wanted = [40, 41]
    assert services.free_ids(model=Redirect, wanted=wanted) == {40, 41}
    assert services.insert_rows(model=Redirect, rows=rows("/a/", "/b/"), pks=wanted) == wanted
    assert Redirect.objects.get(pk=41).old_path == "/b/"
    [after] = services.insert_rows(model=Redirect, rows=rows("/c/"))
    assert after > 41
    assert Redirect.objects.create(old_path="/d/", new_path="/new/").pk > after


def test_ids_must_be_one_a_row() -> None:
    with pytest.raises(ValueError, match="one id a row"):
        services.insert_rows(model=Redirect, rows=rows("/a/", "/b/"), pks=[7])
    assert not Redirect.objects.exists()


def test_a_taken_id_given_anyway_is_refused_with_none_of_the_rows_written() -> None:
    [taken] = services.insert_rows(model=Redirect, rows=rows("/a/"))
    with pytest.raises(IntegrityError), transaction.atomic():
        services.insert_rows(model=Redirect, rows=rows("/b/", "/c/"), pks=[taken + 1, taken])
    assert list(Redirect.objects.values_list("old_path", flat=True)) == ["/a/"]
