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
    wanted = [taken[0], taken[1] + 5, taken[1] + 900, taken[1] + 5, 0, -3]
    assert services.free_ids(model=Redirect, wanted=wanted) == {taken[1] + 5, taken[1] + 900}


def test_an_id_too_large_to_number_past_is_never_free_and_moves_nothing() -> None:
    # A file's mistake (2**63 - 1) would leave the table no ids for the rows to come.
    for huge in (services.LARGEST_KEPT_ID + 1, 2**63 - 1, 2**64):
        assert services.free_ids(model=Redirect, wanted=[huge]) == set()
    [after] = services.insert_rows(model=Redirect, rows=rows("/next/"))
    assert after < services.LARGEST_KEPT_ID
    Redirect.objects.create(old_path="/and-then/", new_path="/new/")


def test_many_ids_are_looked_for_a_few_hundred_at_a_time() -> None:
    with CaptureQueriesContext(connection) as queries:
        free = services.free_ids(model=Redirect, wanted=range(1_000_000, 1_002_000))
    assert len(free) == 2000
    lookups = [q for q in queries if q["sql"].startswith("SELECT") and " IN (" in q["sql"]]
    assert len(lookups) == 3


def test_rows_written_with_free_ids_keep_them_and_later_rows_are_numbered_past() -> None:
    # Both databases: free_ids moves the numbering (sqlite_sequence, PostgreSQL's sequence,
    # which the tests never reset) past the ids; without it the next row would be given
    # one of them, or one below.
    [first] = services.insert_rows(model=Redirect, rows=rows("/first/"))
    wanted = [first + 1000, first + 1001]
    assert services.free_ids(model=Redirect, wanted=wanted) == set(wanted)
    assert services.insert_rows(model=Redirect, rows=rows("/a/", "/b/"), pks=wanted) == wanted
    assert Redirect.objects.get(pk=first + 1001).old_path == "/b/"
    [after] = services.insert_rows(model=Redirect, rows=rows("/c/"))
    assert after > first + 1001
    assert Redirect.objects.create(old_path="/d/", new_path="/new/").pk > after


def test_the_numbering_moves_past_an_id_and_never_back() -> None:
    [first] = services.insert_rows(model=Redirect, rows=rows("/first/"))
    services.number_past(model=Redirect, pk=first + 500)
    services.number_past(model=Redirect, pk=first + 10)  # not back
    services.number_past(model=Redirect, pk=0)
    services.number_past(model=Redirect, pk=2**63 - 1)  # a file's mistake: nothing
    [after] = services.insert_rows(model=Redirect, rows=rows("/after/"))
    # Past it, and not back (PostgreSQL's setval takes a number from the sequence each time).
    assert first + 500 < after <= first + 503


def test_many_rows_with_their_ids_are_written_a_bounded_number_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Five values a row with its id: one row a statement on PostgreSQL here.
    monkeypatch.setattr(services, "INSERT_VALUES", 8)
    [first] = services.insert_rows(model=Redirect, rows=rows("/first/"))
    wanted = [first + 10, first + 11, first + 12]
    assert services.free_ids(model=Redirect, wanted=wanted) == set(wanted)
    with CaptureQueriesContext(connection) as queries:
        services.insert_rows(model=Redirect, rows=rows("/a/", "/b/", "/c/"), pks=wanted)
    assert [Redirect.objects.get(pk=pk).old_path for pk in wanted] == ["/a/", "/b/", "/c/"]
    inserts = [q for q in queries.captured_queries if "INSERT" in q["sql"]]
    assert len(inserts) == (3 if connection.vendor == "postgresql" else 1)


def test_ids_must_be_one_a_row() -> None:
    with pytest.raises(ValueError, match="one id a row"):
        services.insert_rows(model=Redirect, rows=rows("/a/", "/b/"), pks=[7])
    assert not Redirect.objects.exists()


def test_a_taken_id_given_anyway_is_refused_on_sqlite_and_left_out_on_postgresql() -> None:
    # On PostgreSQL another transaction may write a row under an id after free_ids looked:
    # that row is left out, for the caller to write without an id. SQLite's one writer
    # cannot meet one, and a mistake there is refused with none of the rows written.
    [taken] = services.insert_rows(model=Redirect, rows=rows("/a/"))
    if connection.vendor == "postgresql":
        written = services.insert_rows(
            model=Redirect, rows=rows("/b/", "/c/"), pks=[taken + 1, taken]
        )
        assert written == [taken + 1]
        assert sorted(Redirect.objects.values_list("old_path", flat=True)) == ["/a/", "/b/"]
        return
    with pytest.raises(IntegrityError), transaction.atomic():
        services.insert_rows(model=Redirect, rows=rows("/b/", "/c/"), pks=[taken + 1, taken])
    assert list(Redirect.objects.values_list("old_path", flat=True)) == ["/a/"]
