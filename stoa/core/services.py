"""Every change of state in core: the redirect table (stoa.core.models.Redirect), written by
the admin, by publishing when a slug changes and by the WordPress importer.

Addresses are stored in one normal form so that a request finds them however it was
spelt: the path percent-decoded (as request.path has it: a Greek slug is stored in Greek),
the query's parameters sorted, no fragment (browsers never send it). The table stays one hop
long: nothing is ever redirected to an address that is itself redirected.

The table is read only by stoa.core.middleware.RedirectMiddleware, whose answers (301s)
are never kept in the page cache, so a change here needs no new content version.

Also the importers' INSERT of many new rows at once (insert_rows, with the old site's ids
where they are free: free_ids, number_past), which publishing's and discussion's import
services share, and the INSERT of one row and UPDATE of one row by its id that a comment
POST sends (insert_row, update_row), their SQL written once.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from stoa.core.models import Redirect

MAX_LENGTH = Redirect._meta.get_field("old_path").max_length or 1000
# Pairs read, checked and written at a time by add_redirects.
BATCH_SIZE = 2000
# An address of this site may be written as a full URL; these schemes may be a target.
WEB_SCHEMES = ("http", "https")
# One parameter that encoding leaves as it is (WordPress's /?p=12, /?page_id=3).
SIMPLE_QUERY = re.compile(r"[A-Za-z_]+=[A-Za-z0-9_.~-]*")
# A path that is in the normal form as it comes: nothing to decode, split or sort.
PLAIN_PATH = re.compile(r"/(?!/)[^%?#\\]*")


def normal_query(query: str) -> str:
    """A query string in one form: parameters decoded, sorted, encoded again."""
    if not query or SIMPLE_QUERY.fullmatch(query):
        return query  # "p=12": already in that form
    pairs = sorted(parse_qsl(query, keep_blank_values=True))
    return urlencode(pairs, quote_via=quote, safe="/")


def normal_old_path(value: str) -> str:
    """The form an old address is stored and looked up in (see the module's docstring). A
    full URL gives its path and query (the old site's host is not ours to match)."""
    value = value.strip()
    if PLAIN_PATH.fullmatch(value) and len(value) <= MAX_LENGTH:
        return value  # the usual case, as it comes
    if not value:
        raise ValidationError({"old_path": "Give the old address."})
    parts = urlsplit(value)
    if parts.scheme and parts.scheme not in WEB_SCHEMES:
        raise ValidationError({"old_path": "An old address is a path such as /2024/03/a-post/."})
    path = unquote(parts.path) or "/"
    if not path.startswith("/"):
        path = f"/{path}"
    query = normal_query(parts.query)
    path = f"{path}?{query}" if query else path
    if len(path) > MAX_LENGTH:
        raise ValidationError({"old_path": f"An address may have {MAX_LENGTH} characters."})
    return path


def normal_new_path(value: str) -> str:
    """A target: a full http(s) address elsewhere as given, or a path of this site in the
    old addresses' form, with its fragment ("#comment-12") kept."""
    value = value.strip()
    if PLAIN_PATH.fullmatch(value) and len(value) <= MAX_LENGTH:
        return value
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        if parts.scheme not in WEB_SCHEMES or not parts.netloc:
            raise ValidationError(
                {"new_path": "A new address is a path of this site or an http(s) address."}
            )
        return value
    if not value.startswith("/"):
        raise ValidationError({"new_path": "A new address starts with “/” (or is a full URL)."})
    base, hash_mark, fragment = value.partition("#")
    path = normal_old_path(base) + (f"#{fragment}" if hash_mark else "")
    if len(path) > MAX_LENGTH:
        raise ValidationError({"new_path": f"An address may have {MAX_LENGTH} characters."})
    return path


def _without_fragment(path: str) -> str:
    return path.partition("#")[0]


def _check_pair(old: str, new: str) -> None:
    if _without_fragment(new) == old:
        raise ValidationError({"new_path": "An address cannot be redirected to itself."})


@transaction.atomic
def add_redirect(*, old_path: str, new_path: str, note: str = "") -> Redirect:
    """Send `old_path` to `new_path` with a 301, replacing what it was sent to before (the
    same call twice changes nothing). Kept one hop long: a target that is itself an old
    address is followed to where that one goes, unless that one leads back here (the content
    moved back: the other redirect is dropped); redirects to `old_path` are pointed at the
    new target. ValidationError for an address that cannot be one, or one sent to itself."""
    old, new = normal_old_path(old_path), normal_new_path(new_path)
    _check_pair(old, new)
    onward = Redirect.objects.filter(old_path=_without_fragment(new)).first()
    if onward is not None:
        if _without_fragment(onward.new_path) == old:
            onward.delete()
        else:
            new = onward.new_path
    redirect, created = Redirect.objects.get_or_create(
        old_path=old, defaults={"new_path": new, "note": note[:255]}
    )
    if not created and (redirect.new_path, redirect.note) != (new, note[:255]):
        redirect.new_path, redirect.note = new, note[:255]
        redirect.save(update_fields=["new_path", "note"])
    _repoint(old, new)
    return redirect


def _repoint(old: str, new: str) -> None:
    """Rows that sent readers to `old` (with or without a fragment) now send them to `new`;
    one that would now lead to itself is dropped."""
    pointing = Redirect.objects.filter(Q(new_path=old) | Q(new_path__startswith=f"{old}#"))
    for row in pointing.exclude(old_path=old):
        fragment = row.new_path[len(old) :]
        target = new if fragment == "" or "#" in new else f"{new}{fragment}"
        if _without_fragment(target) == row.old_path:
            row.delete()
        else:
            Redirect.objects.filter(pk=row.pk).update(new_path=target)


@transaction.atomic
def change_redirect(
    *, redirect: Redirect, old_path: str, new_path: str, note: str = ""
) -> Redirect:
    """Edit a redirect (the admin): its old address, target or note, with add_redirect's
    rules; a changed old address is a new row, the previous one removed."""
    old = normal_old_path(old_path)
    if old != redirect.old_path:
        if Redirect.objects.filter(old_path=old).exclude(pk=redirect.pk).exists():
            raise ValidationError({"old_path": "This old address is redirected already."})
        redirect.delete()
    return add_redirect(old_path=old, new_path=new_path, note=note)


@transaction.atomic
def remove_redirect(*, old_path: str) -> bool:
    """Stop redirecting `old_path` (content lives there again); whether one was removed."""
    deleted, _ = Redirect.objects.filter(old_path=normal_old_path(old_path)).delete()
    return bool(deleted)


def _chunks(pairs: Iterable[tuple[str, str]], size: int) -> Iterator[list[tuple[str, str]]]:
    iterator = iter(pairs)
    while chunk := list(islice(iterator, size)):
        yield chunk


@transaction.atomic
def add_redirects(*, pairs: Iterable[tuple[str, str]], note: str = "") -> int:
    """add_redirect for many (old, new) pairs at once (an import: hundreds of thousands),
    read as they come and written in batches, each checked against the table in two indexed
    queries and written in one upsert: an old address given again takes the last target
    given; a pair sent to itself is skipped; the table stays one hop long (add_redirect's
    rules, without its care for fragments). Returns how many pairs were written (an old
    address given again in a later batch counts again). ValidationError for a pair that
    cannot be one, nothing written."""
    written = 0
    note = note[:255]
    for chunk in _chunks(pairs, BATCH_SIZE):
        batch: dict[str, str] = {}
        for old_path, new_path in chunk:
            old, new = normal_old_path(old_path), normal_new_path(new_path)
            if _without_fragment(new) != old:
                batch.pop(old, None)  # given again: the last one, in its place in the order
                batch[old] = new
        batch = _one_hop_batch(batch)
        _upsert(batch, note)
        _repoint_to_batch(batch)
        written += len(batch)
    return written


def _one_hop_batch(batch: dict[str, str]) -> dict[str, str]:
    """The batch with each target followed to where it leads now (through the table and
    through the batch itself, the batch being newer), and the stored redirects that lead
    back from a target to its old address dropped (the content moved back)."""
    targets = {_without_fragment(new) for new in batch.values()}
    stored = dict(_rows_where("old_path", targets))
    onward = {**stored, **batch}
    order = {old: index for index, old in enumerate(batch)}  # stored rows come first: -1
    moved_back: set[str] = set()
    done: dict[str, str] = {}
    for old, new in batch.items():
        seen = {old}
        while (step := _without_fragment(new)) in onward and step not in seen:
            seen.add(step)
            if _without_fragment(onward[step]) == old:
                # Two lead to each other: the later one says where the content is now.
                if order.get(step, -1) < order[old]:
                    moved_back.add(step)
                else:
                    new = old
                break
            new = onward[step]
        if _without_fragment(new) != old:
            done[old] = new
    for step in moved_back:
        done.pop(step, None)
    if back := [step for step in moved_back if step in stored]:
        Redirect.objects.filter(old_path__in=back).delete()
    return done


def _repoint_to_batch(batch: dict[str, str]) -> None:
    """Stored redirects that led to an old address of this batch now lead where it leads
    (one statement per such address: few, in an import)."""
    for old, target in _rows_where("new_path", batch):
        if old in batch:
            continue
        new = batch[target]
        if _without_fragment(new) == old:
            Redirect.objects.filter(old_path=old).delete()
        else:
            Redirect.objects.filter(old_path=old).update(new_path=new)


def _rows_where(column: str, values: Iterable[str]) -> list[tuple[str, str]]:
    """(old_path, new_path) of the rows whose `column` is one of `values`, by the index.
    Written by hand for the same reason as _upsert: an __in of 2,000 values costs Django
    ten times what the database spends on it."""
    values = list(values)
    if not values:
        return []
    ops = connection.ops
    table = ops.quote_name(Redirect._meta.db_table)
    where = ops.quote_name(column)
    placeholders = ", ".join(["%s"] * len(values))
    sql = f"SELECT old_path, new_path FROM {table} WHERE {where} IN ({placeholders})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return [(old, new) for old, new in cursor.fetchall()]


def _upsert(rows: dict[str, str], note: str) -> None:
    """Insert these (old, new) rows, or set the target and note of those there already: one
    INSERT ... ON CONFLICT DO UPDATE run for every row by the driver (executemany), which
    both SQLite and PostgreSQL take. Written by hand because bulk_create(update_conflicts)
    spends three times as long in Python preparing each value of each row."""
    ops = connection.ops
    table = ops.quote_name(Redirect._meta.db_table)
    columns = {field.name: ops.quote_name(field.column) for field in Redirect._meta.concrete_fields}
    old, new, note_, created = (columns[n] for n in ("old_path", "new_path", "note", "created_at"))
    # Only the model's own table and column names go into the text, quoted; values are
    # parameters.
    sql = (
        f"INSERT INTO {table} ({old}, {new}, {note_}, {created}) VALUES (%s, %s, %s, %s) "  # noqa: S608
        f"ON CONFLICT ({old}) DO UPDATE SET {new} = excluded.{new}, {note_} = excluded.{note_}"
    )
    now = ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(path, target, note, now) for path, target in rows.items()])


# Values per INSERT of insert_rows on PostgreSQL: far below the 65,535 parameters one
# statement takes (404 comments' or 500 posts' rows a statement, as each app had it).
INSERT_VALUES = 8_500


def free_ids(*, model: type[models.Model], wanted: Iterable[int]) -> set[int]:
    """Of the `wanted` ids of `model` (an integer primary key), those no row has, once the
    table's own numbering is moved past them all (number_past), so that no row written
    later without an id is given one of them: the importers give a new row the id it had on
    the old site when it is free (the WordPress import, a comment: its old #comment-<id>
    anchors then name it). Ids above LARGEST_KEPT_ID are never free. The caller writes the
    free ones with insert_rows(pks=...) in the same transaction."""
    candidates = sorted({pk for pk in wanted if 0 < pk <= LARGEST_KEPT_ID})
    if not candidates:
        return set()
    quote_name = connection.ops.quote_name
    table, pk = quote_name(model._meta.db_table), quote_name(model._meta.pk.column)
    free = set(candidates)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        number_past(model=model, pk=candidates[-1])
        for start in range(0, len(candidates), _LOOKUP_IDS):
            chunk = candidates[start : start + _LOOKUP_IDS]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT {pk} FROM {table} WHERE {pk} IN ({marks})",  # noqa: S608 - names from the model, values as parameters
                chunk,
            )
            free.difference_update(found for (found,) in cursor.fetchall())
    return free


def number_past(*, model: type[models.Model], pk: int) -> None:
    """Move the numbering of `model`'s integer primary key past `pk`, never backwards: a row
    written afterwards without an id is given a larger one, on this connection or another.
    An id past LARGEST_KEPT_ID (a file's mistake) moves nothing. On SQLite the
    AUTOINCREMENT column's entry in sqlite_sequence, which SQLite lets a program change by
    an ordinary UPDATE (https://sqlite.org/autoinc.html; the transaction holds SQLite's one
    write lock); on PostgreSQL the column's sequence (setval), which is not transactional:
    a rollback (a dry run's) leaves it moved, a gap in the numbering and nothing else."""
    if not 0 < pk <= LARGEST_KEPT_ID:
        return
    table, column = model._meta.db_table, model._meta.pk.column
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            quoted = connection.ops.quote_name(table)
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, %s), "
                "GREATEST(%s, nextval(pg_get_serial_sequence(%s, %s))))",
                [quoted, column, pk, quoted, column],
            )
        elif connection.vendor == "sqlite":
            # A table that never had a row has no entry yet.
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) SELECT %s, 0 "
                "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = %s)",
                [table, table],
            )
            cursor.execute(
                "UPDATE sqlite_sequence SET seq = MAX(seq, %s) WHERE name = %s", [pk, table]
            )


# The largest id an importer keeps from the old site (a 32-bit integer's largest, far above
# any real site's): the numbering moved past a larger one, a file's mistake, would leave too
# few for the rows to come. And the ids asked for in one query by free_ids (below SQLite's
# 999 parameters of old builds).
LARGEST_KEPT_ID = 2**31 - 1
_LOOKUP_IDS = 900


def insert_rows(
    *,
    model: type[models.Model],
    rows: Sequence[Sequence[Any]],
    pks: Sequence[int] | None = None,
) -> list[int]:
    """INSERT new rows of `model` and return their ids, in the rows' order. Each row holds
    the values of the model's concrete fields but its primary key, in the fields' order,
    already in their database form: the caller prepares them, as few as need it.
    bulk_create does the same, but prepares every value of every row through its field,
    which in the importers cost more than the database's INSERT (py-spy: about a tenth of a
    millisecond a comment, half of an import of 5,000 posts).

    On SQLite one prepared statement is run for every row (executemany): a multi-row INSERT
    of 400 rows is a statement of thousands of parameters that Django rewrites and SQLite
    compiles again for each chunk (py-spy at 100,000 comments: the comments' INSERT took a
    third less time). The ids are consecutive, the last one last_insert_rowid(): the model's
    integer primary key is an AUTOINCREMENT column (Django's AutoField on SQLite), which
    gives each new row one more than the largest id the table ever had
    (https://sqlite.org/autoinc.html), and no other connection writes between our rows, the
    transaction holding SQLite's one write lock from its first row to its commit. On
    PostgreSQL (Stoa's other database), INSERTs of many rows that return their ids, in the
    rows' order, as bulk_create reads them.

    With `pks`, each row is written with its id, one a row (ids free_ids found free, in the
    same transaction), and the ids written are returned, in order. On PostgreSQL a row whose
    id a row of another transaction has by now (written after free_ids looked, by an import
    beside this one, say) is left out (ON CONFLICT DO NOTHING, which waits for that
    transaction), for the caller to write without one; SQLite's one writer meets none."""
    if not rows:
        return []
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    quote_name = connection.ops.quote_name
    table, pk = quote_name(model._meta.db_table), quote_name(model._meta.pk.column)
    columns = ", ".join(quote_name(f.column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    if pks is not None:
        if len(pks) != len(rows):
            raise ValueError("insert_rows: one id a row")
        given = [(key, *row) for key, row in zip(pks, rows, strict=True)]
        with_id = f"INSERT INTO {table} ({pk}, {columns}) VALUES "  # noqa: S608 - names from the model
        one_with_id = "(%s, " + one[1:]
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.executemany(with_id + one_with_id, given)
                return list(pks)
            written: set[int] = set()
            per_statement = max(1, INSERT_VALUES // (len(fields) + 1))
            for start in range(0, len(given), per_statement):
                batch = given[start : start + per_statement]
                cursor.execute(
                    with_id + ", ".join([one_with_id] * len(batch)) + " "
                    f"ON CONFLICT ({pk}) DO NOTHING RETURNING {pk}",
                    [value for row in batch for value in row],
                )
                written.update(found for (found,) in cursor.fetchall())
        return [key for key in pks if key in written]
    # A transaction of its own if the caller holds none (the ids below need it).
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES {one}",  # noqa: S608 - names from the model, values as parameters
                rows,
            )
            cursor.execute("SELECT last_insert_rowid()")
            last = cursor.fetchone()[0]
            return list(range(last - len(rows) + 1, last + 1))
        ids: list[int] = []
        per_statement = max(1, INSERT_VALUES // len(fields))
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(chunk))} "  # noqa: S608 - names from the model, values as parameters
                f"RETURNING {pk}",
                [value for row in chunk for value in row],
            )
            ids.extend(found for (found,) in cursor.fetchall())
        return ids


def _column(model: type[models.Model], name: str) -> str:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        raise ValueError(f"{model.__name__} has no field {name}") from None
    if not isinstance(field, models.Field) or field not in model._meta.concrete_fields:
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return connection.ops.quote_name(field.column)


def _prepared(model: type[models.Model], values: Mapping[str, Any]) -> list[Any]:
    """The values in their database form, each prepared by its field as save() prepares it."""
    return [
        model._meta.get_field(name).get_db_prep_save(value, connection)  # type: ignore[union-attr]
        for name, value in values.items()
    ]


@functools.cache
def _insert_sql(vendor: str, model: type[models.Model], names: tuple[str, ...]) -> str:
    quote_name = connection.ops.quote_name
    table, pk = quote_name(model._meta.db_table), quote_name(model._meta.pk.column)
    columns = ", ".join(_column(model, name) for name in names)
    marks = ", ".join(["%s"] * len(names))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - names from the model, values as parameters
    # RETURNING where the database has it (PostgreSQL; SQLite from 3.35, which Django 5.2
    # does not require): else the driver's last row id, the new id of an integer key.
    returning = connection.features.can_return_columns_from_insert
    return f"{sql} RETURNING {pk}" if returning else sql


def insert_row(*, model: type[models.Model], values: Mapping[str, Any]) -> Any:
    """INSERT one new row of `model` and return its primary key: the fields named in
    `values`, Python values prepared by their fields as save() prepares them (a relation by
    its attname and the related row's id: "comment_id"); the others take their column's
    default, so a field with a default in Python only (auto_now_add, default=...) must be
    given. No signal, no save(): for rows nothing listens to (a comment's history line),
    written where every tenth of a millisecond counts. Its SQL written once per model and
    fields (see update_row). On the default database, as insert_rows."""
    if not values:
        raise ValueError("insert_row: no values")
    sql = _insert_sql(connection.vendor, model, tuple(values))
    with transaction.mark_for_rollback_on_error(), connection.cursor() as cursor:
        cursor.execute(sql, _prepared(model, values))
        if connection.features.can_return_columns_from_insert:
            return cursor.fetchone()[0]
        return cursor.lastrowid


@functools.cache
def _update_sql(
    vendor: str, model: type[models.Model], setting: tuple[str, ...], adding: tuple[str, ...]
) -> str:
    quote_name = connection.ops.quote_name
    parts = [f"{_column(model, name)} = %s" for name in setting]
    parts.extend(f"{_column(model, name)} = {_column(model, name)} + %s" for name in adding)
    table, pk = quote_name(model._meta.db_table), quote_name(model._meta.pk.column)
    return f"UPDATE {table} SET {', '.join(parts)} WHERE {pk} = %s"  # noqa: S608 - names from the model, values as parameters


def update_row(
    *,
    model: type[models.Model],
    pk: Any,
    values: Mapping[str, Any] | None = None,
    add: Mapping[str, int] | None = None,
) -> int:
    """UPDATE the row of `model` whose primary key is `pk`: the fields named in `values`
    set to them (Python values, prepared by their fields as save() prepares them), the
    integer fields named in `add` increased by those amounts in the same statement (under
    the row's lock, as F("field") + n: two writers never lose one); a relation by its
    attname and the related row's id. Returns the rows changed (0: no such row). As
    QuerySet.update: no signal, no save(). On the default database, as insert_rows.

    Its SQL is written once per model and fields: a comment POST sends two such UPDATEs
    (the post's comment count, the comment's drawn markup), and the ORM compiled each
    again every time, about 0.5 ms of a POST's ~6.5 ms in-process, more than SQLite took
    to run both (issue 12)."""
    values, add = values or {}, add or {}
    if not values and not add:
        raise ValueError("update_row: nothing to update")
    sql = _update_sql(connection.vendor, model, tuple(values), tuple(add))
    params = _prepared(model, values)
    params.extend(add.values())
    params.append(model._meta.pk.get_db_prep_save(pk, connection))
    with transaction.mark_for_rollback_on_error(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)
