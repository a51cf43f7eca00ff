"""SQLite FTS5: the embedded default.

An external-content FTS5 table (`search_fts`) indexes search_document's text columns without
a second copy of the text; triggers keep it in step with every insert, update and delete, in
the writer's transaction. The tokenizer is `porter unicode61 remove_diacritics 2`: the site
writes in English (LANGUAGE_CODE en-us), so Porter's stemmer lets "grieving" find "grief"'s
neighbours "grieve" and "grieves", and unicode61 folds case and accents ("café" = "cafe") for
every script; the vocabulary of "did you mean" is kept unstemmed beside it (models.Term),
since FTS5's own vocabulary (fts5vocab) would offer stems ("anniversari") to readers.

Ranking is BM25 with the title weighted most, then the excerpt, the names, the body. A
visitor's search reads every column but `members_body`, through an FTS5 column filter; a
member's reads those and `members_body`. The last column, `kind`, holds the document's kind
(one word, weight 0): a search of one kind (a group's page, the per-kind counts) is narrowed
by the index itself (`kind : "comment"`), not by reading search_document for every match
of the text and dropping the other kinds (a frequent word: hundreds of thousands).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connection
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from stoa.search.backends import (
    MARK_END,
    MARK_START,
    NEWEST,
    Filters,
    Hit,
    SearchBackend,
    filter_sql,
)
from stoa.search.models import Kind
from stoa.search.query import Phrase, Query

TABLE = "search_fts"
COLUMNS = ("title", "excerpt", "byline", "body", "members_body", "kind")
PUBLIC = "{title excerpt byline body}"
# Every column of text (not `kind`: a member's search for "comment" reads no document's kind).
MEMBERS = "{title excerpt byline body members_body}"
WEIGHTS = "10.0, 5.0, 3.0, 1.0, 1.0, 0.0"
# The same for a visitor, when the phrase is matched in every column (a window's ranking,
# search()): what a visitor may not read weighs nothing.
PUBLIC_WEIGHTS = "10.0, 5.0, 3.0, 1.0, 0.0, 0.0"
TOKENIZER = "porter unicode61 remove_diacritics 2"
SNIPPET_WORDS = 24
# A search with no filter of the reader's is first ranked among this many of the index's
# best matches (search()).
TOP = 200

TRIGGERS = {
    "search_document_ai": (
        "AFTER INSERT ON search_document BEGIN "  # noqa: S608 - names are ours, values parameters
        f"INSERT INTO {TABLE}(rowid, {', '.join(COLUMNS)}) "
        f"VALUES (new.id, {', '.join('new.' + c for c in COLUMNS)}); END"
    ),
    "search_document_ad": (
        "AFTER DELETE ON search_document BEGIN "  # noqa: S608 - names are ours, values parameters
        f"INSERT INTO {TABLE}({TABLE}, rowid, {', '.join(COLUMNS)}) "
        f"VALUES ('delete', old.id, {', '.join('old.' + c for c in COLUMNS)}); END"
    ),
    "search_document_au": (
        f"AFTER UPDATE OF {', '.join(COLUMNS)} ON search_document BEGIN "  # noqa: S608 - names are ours, values parameters
        f"INSERT INTO {TABLE}({TABLE}, rowid, {', '.join(COLUMNS)}) "
        f"VALUES ('delete', old.id, {', '.join('old.' + c for c in COLUMNS)}); "
        f"INSERT INTO {TABLE}(rowid, {', '.join(COLUMNS)}) "
        f"VALUES (new.id, {', '.join('new.' + c for c in COLUMNS)}); END"
    ),
}


def _phrase(words: Phrase) -> str:
    # Words hold only letters and digits (query.WORD); doubling quotes is FTS5's escape,
    # kept so that no text can ever end the string.
    return '"' + " ".join(words).replace('"', '""') + '"'


def match_expression(query: Query, *, members: bool, kinds: Sequence[str] = ()) -> str:
    """The FTS5 query for a parsed search: every clause (any of its phrases), none of the
    excluded phrases; a visitor's limited to the columns everyone may read; with `kinds`,
    documents of those kinds only."""
    positive = " AND ".join(
        "(" + " OR ".join(_phrase(one) for one in clause) + ")" for clause in query.clauses
    )
    where = f"{MEMBERS if members else PUBLIC} : "
    expression = f"{where}({positive})"
    if kinds:
        # Kinds are ours (models.Kind), quoted as phrases all the same.
        expression = f"({expression}) AND (kind : ({' OR '.join(_phrase((k,)) for k in kinds)}))"
    if query.excluded:
        excluded = " OR ".join(_phrase(one) for one in query.excluded)
        expression = f"({expression}) NOT ({where}({excluded}))"
    return expression


class SQLiteBackend(SearchBackend):
    vendor = "sqlite"

    def install(self, schema_editor: BaseDatabaseSchemaEditor) -> None:
        tokenizer = self.options.get("TOKENIZER", TOKENIZER)
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5({', '.join(COLUMNS)}, "
            f"content='search_document', content_rowid='id', tokenize='{tokenizer}')"
        )
        self._create_triggers(schema_editor.execute)
        schema_editor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')")  # noqa: S608 - names are ours, values parameters

    def uninstall(self, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for name in TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")

    @staticmethod
    def _create_triggers(execute: Any) -> None:
        for name, body in TRIGGERS.items():
            execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")

    @contextlib.contextmanager
    def bulk_load(self) -> Iterator[None]:
        """Without the triggers while the documents are written, then one 'rebuild' of
        the FTS5 index from the table (much faster than a row at a time)."""
        with connection.cursor() as cursor:
            for name in TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        # Called inside the rebuild's transaction: a failure while writing rolls the
        # dropped structures back with everything else (DDL is transactional on both
        # databases), and its own error is the one raised.
        yield
        with connection.cursor() as cursor:
            self._create_triggers(cursor.execute)
            cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')")  # noqa: S608 - names are ours, values parameters
            cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')")  # noqa: S608 - names are ours, values parameters

    def _where(self, query: Query, *, members: bool, filters: Filters) -> tuple[str, list[Any]]:
        conditions, params = filter_sql(filters, members=members, now=timezone.now())
        sql = f"{TABLE} MATCH %s AND {conditions}"
        return sql, [match_expression(query, members=members, kinds=filters.kinds), *params]

    def search(
        self,
        query: Query,
        *,
        members: bool,
        filters: Filters,
        order: str = "relevance",
        limit: int = 10,
        offset: int = 0,
        window: int | None = None,
    ) -> list[Hit]:
        if query.is_empty:
            return []
        where, params = self._where(query, members=members, filters=filters)
        marks = f"'{MARK_START}', '{MARK_END}', '…', {SNIPPET_WORDS}"
        # A visitor is shown a members-only body's excerpt, never the body (column 1).
        snippet = (
            f"snippet({TABLE}, -1, {marks})"
            if members
            else f"CASE WHEN d.members_only THEN snippet({TABLE}, 1, {marks}) "
            f"ELSE snippet({TABLE}, -1, {marks}) END"
        )
        ordering = "d.date DESC, d.id DESC" if order == NEWEST else "rank, d.id"
        # The snippets are drawn with the text's match alone: the kind's word (`kind :
        # "comment"`) is a match too, and snippet() might otherwise show that column.
        shown = match_expression(query, members=members)
        if window is not None:
            head, chosen, ranked_match = self._window(
                query, where, members=members, ordering=ordering
            )
            rows = self._page(
                chosen,
                [ranked_match, limit, offset],
                shown,
                snippet,
                ordering,
                head=head,
                head_params=[*params, window],
            )
            return [_hit(row) for row in rows]
        every = (
            f"SELECT d.id AS id, bm25({TABLE}, {WEIGHTS}) AS rank "  # noqa: S608 - names are ours, values parameters
            f"FROM {TABLE} CROSS JOIN search_document d ON d.id = {TABLE}.rowid "
            f"WHERE {where} ORDER BY {ordering} LIMIT %s OFFSET %s"
        )
        if order != NEWEST and not _narrowed(filters):
            # Ranked in the index alone first: the best `top` matches by BM25, without
            # reading search_document for each (a frequent word: for each of hundreds of
            # thousands); the reader's conditions are then checked on those only. They are
            # a prefix of every match in the same order, so the page drawn from them is the
            # page itself, as long as it is full or they were every match (otherwise the
            # whole way below).
            top = max(TOP, 4 * (offset + limit))
            conditions, condition_params = filter_sql(filters, members=members, now=timezone.now())
            chosen = (
                f"SELECT top.id AS id, top.rank AS rank FROM top "  # noqa: S608 - names are ours, values parameters
                f"CROSS JOIN search_document d ON d.id = top.id "
                f"WHERE {conditions} ORDER BY top.rank, top.id LIMIT %s OFFSET %s"
            )
            rows = self._page(
                chosen,
                [*condition_params, limit, offset],
                shown,
                snippet,
                ordering,
                head=(
                    f"top AS (SELECT rowid AS id, bm25({TABLE}, {WEIGHTS}) AS rank "  # noqa: S608 - names are ours, values parameters
                    f"FROM {TABLE} WHERE {TABLE} MATCH %s ORDER BY rank, rowid LIMIT %s)"
                ),
                head_params=[params[0], top],
                counted="top",
            )
            if len(rows) == limit or (rows and rows[0][-1] < top):
                return [_hit(row) for row in rows]
        rows = self._page(every, [*params, limit, offset], shown, snippet, ordering)
        return [_hit(row) for row in rows]

    @staticmethod
    def _window(
        query: Query,
        where: str,
        *,
        members: bool,
        ordering: str,
    ) -> tuple[str, str, str]:
        """A window's search (search()'s `window`), as _page's head (the CTE `newest`: the
        ids of the `window` matches added last; FTS5 walks a term's documents by rowid in
        either direction, so this reads `window` matches, not every one) and `chosen` (the
        page's ids and ranks among them).

        They are ranked by a second FTS5 cursor of their own, over the window's span of
        rowids only, which matches the text alone: FTS5's bm25() reads the whole doclist
        of every phrase of its cursor's query once (the phrase's document count, for its
        IDF; fts5_aux.c, fts5Bm25GetData), which for a word in nine documents of ten was
        most of a page (the visitor's column filter: 18 ms a group on the 420,000-document
        corpus, plus 7 ms for the kind's phrase `kind : "comment"`, in 400,000 documents).
        The order is the one the reader's whole query gives (3,456 pages compared on that
        corpus), and the scores too but for a scale:
        - the kind's and the excluded phrases are left out: each adds to a score its IDF
          times its frequency in the row, weighted by the columns', and the kind's column
          weighs 0 while an excluded phrase is in no column of a match that counts;
        - a single phrase (one word, or one quoted) is matched in every column, its
          instances in what the reader may not read weighed 0 (PUBLIC_WEIGHTS): its
          frequency in the row is then the same, and only its IDF differs, counted over
          every document that holds it (8 ms, no position list read for the filter); each
          score is that IDF times the same function of the row, so the order is the same
          (and the IDF the same too where FTS5 clamps it to 1e-6: a phrase in more than
          half the documents, read with or without the filter). With several phrases their
          IDFs weigh against each other, so they keep the reader's columns.
        Rows of other kinds inside the span are read, not scored: never more than the
        phrase's doclist the IDF reads anyway. The window's own ids decide what is
        ranked, with every condition of the reader's checked there."""
        text = Query(text=query.text, clauses=query.clauses)
        single = len(query.clauses) == 1 and len(query.clauses[0]) == 1
        if single:
            ranked_match = _phrase(query.clauses[0][0])
            weights = WEIGHTS if members else PUBLIC_WEIGHTS
        else:
            ranked_match = match_expression(text, members=members)
            weights = WEIGHTS
        # `newest` is read three times: SQLite (3.35 and later) reads it once and keeps it
        # (no MATERIALIZED keyword, which Django's oldest SQLite, 3.31, would not parse).
        head = (
            f"newest AS (SELECT {TABLE}.rowid AS id FROM {TABLE} "  # noqa: S608 - names are ours, values parameters
            f"CROSS JOIN search_document d ON d.id = {TABLE}.rowid WHERE {where} "
            f"ORDER BY {TABLE}.rowid DESC LIMIT %s)"
        )
        # `+r.rowid`: the window's ids are looked up for each row the span holds, never
        # handed to the FTS5 cursor one at a time (each a new query of the index, and a new
        # IDF for bm25).
        chosen = (
            f"SELECT r.rowid AS id, bm25(r.{TABLE}, {weights}) AS rank FROM {TABLE} r "  # noqa: S608 - names are ours, values parameters
            f"CROSS JOIN search_document d ON d.id = r.rowid "
            f"WHERE r.{TABLE} MATCH %s AND r.rowid BETWEEN (SELECT MIN(id) FROM newest) "
            f"AND (SELECT MAX(id) FROM newest) AND +r.rowid IN (SELECT id FROM newest) "
            f"ORDER BY {ordering} LIMIT %s OFFSET %s"
        )
        return head, chosen, ranked_match

    @staticmethod
    def _page(
        chosen: str,
        chosen_params: list[Any],
        shown: str,
        snippet: str,
        ordering: str,
        *,
        head: str = "",
        head_params: Sequence[Any] = (),
        counted: str = "",
    ) -> list[Any]:
        """The page's rows (`chosen`: their ids and ranks, best first), with snippets.
        They are chosen first, then each is looked up again in the index by its rowid for
        its snippet: SQLite draws the select list's snippets for every match it sorts, not
        only the page's (a frequent word: hundreds of them). `head`: CTEs `chosen` reads;
        with `counted` (one of them), each row ends with how many rows it holds."""
        total = f", (SELECT COUNT(*) FROM {counted})" if counted else ""  # noqa: S608 - names are ours
        sql = (
            f"WITH {head + ', ' if head else ''}page AS ({chosen}) "  # noqa: S608 - names are ours, values parameters
            f"SELECT d.id, d.kind, d.object_id, d.title, d.url, d.date, d.byline, "
            f"d.members_only, {snippet}, page.rank{total} "
            f"FROM page CROSS JOIN {TABLE} CROSS JOIN search_document d "
            f"WHERE {TABLE} MATCH %s AND {TABLE}.rowid = page.id AND d.id = page.id "
            f"ORDER BY {ordering.replace('rank', 'page.rank')}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*head_params, *chosen_params, shown])
            return list(cursor.fetchall())

    def count(
        self, query: Query, *, members: bool, filters: Filters, limit: int | None = None
    ) -> dict[str, int]:
        if query.is_empty:
            return {}
        if limit is None:
            where, params = self._where(query, members=members, filters=filters)
            sql = (
                f"SELECT d.kind, COUNT(*) FROM {TABLE} CROSS JOIN search_document d "  # noqa: S608 - names are ours, values parameters
                f"ON d.id = {TABLE}.rowid WHERE {where} GROUP BY d.kind"
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return dict(cursor.fetchall())
        # Each kind counted apart, narrowed by the index (its `kind` column), each count
        # stopping at `limit`: one statement.
        kinds = list(filters.kinds or Kind.values)
        parts, params = [], []
        for kind in kinds:
            where, where_params = self._where(
                query, members=members, filters=dataclasses.replace(filters, kinds=(kind,))
            )
            parts.append(
                f"(SELECT COUNT(*) FROM (SELECT 1 FROM {TABLE} CROSS JOIN search_document d "  # noqa: S608 - names are ours, values parameters
                f"ON d.id = {TABLE}.rowid WHERE {where} LIMIT %s))"
            )
            params += [*where_params, limit]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(parts)}", params)
            found = cursor.fetchone()
        return {kind: int(n) for kind, n in zip(kinds, found, strict=True) if n}

    def matches(self, query: Query, *, members: bool, filters: Filters, limit: int) -> int:
        if query.is_empty:
            return 0
        where, params = self._where(query, members=members, filters=filters)
        sql = (
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {TABLE} CROSS JOIN search_document d "  # noqa: S608 - names are ours, values parameters
            f"ON d.id = {TABLE}.rowid WHERE {where} LIMIT %s)"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, limit])
            return int(cursor.fetchone()[0])

    def ids(self, query: Query, *, kind: str, limit: int) -> list[int]:
        if query.is_empty:
            return []
        sql = (
            f"SELECT d.object_id FROM {TABLE} CROSS JOIN search_document d ON d.id = {TABLE}.rowid "  # noqa: S608 - names are ours, values parameters
            f"WHERE {TABLE} MATCH %s AND d.kind = %s ORDER BY bm25({TABLE}, {WEIGHTS}) LIMIT %s"
        )
        match = match_expression(query, members=True, kinds=(kind,))
        with connection.cursor() as cursor:
            cursor.execute(sql, [match, kind, limit])
            return [row[0] for row in cursor.fetchall()]

    def similar(self, words: Sequence[str], *, exclude_id: int, limit: int) -> list[Hit]:
        if not words:
            return []
        query = Query(text="", clauses=(tuple((word,) for word in words),))
        return self.search(
            query,
            members=False,
            filters=Filters(kinds=("post",), exclude_object_ids=(exclude_id,)),
            limit=limit,
        )


def _narrowed(filters: Filters) -> bool:
    """Whether the reader narrowed the search (to categories, a tag, an author, a year):
    the best matches of the index alone may then hold too few of theirs. (Kinds narrow the
    index's own match: its `kind` column.)"""
    return bool(
        filters.category_ids
        or filters.tag_id is not None
        or filters.author_id is not None
        or filters.year is not None
        or filters.exclude_object_ids
    )


def _hit(row: Sequence[Any]) -> Hit:
    date = row[5]
    if isinstance(date, str):
        date = parse_datetime(date)
    if date is not None and timezone.is_naive(date):
        date = timezone.make_aware(date, dt.UTC)  # stored in UTC (USE_TZ)
    return Hit(
        id=row[0],
        kind=row[1],
        object_id=row[2],
        title=row[3],
        url=row[4],
        date=date,
        byline=row[6],
        members_only=bool(row[7]),
        snippet=row[8] or "",
        rank=float(row[9] or 0.0),
    )
