"""PostgreSQL full-text search: the scale path.

Two tsvector columns are generated and stored by PostgreSQL from the document's columns
(so they follow every write, bulk ones included, with no code of ours): `public_vector` from
what everyone may read, `members_vector` from the members-only body alone (empty for most
documents). A visitor's search matches `public_vector` (its GIN index), a member's the two
joined, `public_vector || members_vector`: each text is parsed once per write (a second
vector of every column parsed the bodies twice, the larger part of a rebuild), and joining
two stored vectors costs no parsing. Where `members_vector` is empty (most documents) the
two joined are `public_vector` itself, so a member's search reads the public index, and an
index of the joined vectors of only the documents with a members' body (a partial GIN
index), the two scans OR-ed: a GIN index of every document's joined vectors repeated the
public one whole, half a rebuild's index building and every write's index upkeep.
Searches are read by
websearch_to_tsquery (which never fails on what a reader types) from the parsed query written
back in web syntax, ranked by ts_rank_cd (cover density: words found close together rank
higher), and highlighted by ts_headline on the page's rows only.

The text search configuration is `stoa_search`: English (Snowball stemming, stop words, the
site's language) with accents removed first (the unaccent extension, created here; OPTIONS
{"UNACCENT": False} keeps plain `english` where extensions cannot be created).
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connection
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.utils import timezone

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
from stoa.search.query import Query

WEIGHTED = (("title", "A"), ("excerpt", "B"), ("byline", "C"), ("body", "D"))
# What a member's search ranks; it matches the documents whose public vector matches, or
# (those with a members' body) whose joined vectors do: the expressions and the condition
# are the indexes' own, so the planner uses them (a bitmap OR of the two).
FULL = "(public_vector || members_vector)"
HAS_MEMBERS = "length(members_vector) > 0"
INDEXES = {
    "search_document_public_gin": ("(public_vector)", ""),
    "search_document_members_gin": (FULL, f" WHERE {HAS_MEMBERS}"),
}
# Before search 0006: every document's joined vectors.
FORMER_INDEXES = ("search_document_full_gin",)
# Memory for building a GIN index at the end of a rebuild (PostgreSQL's default, 64 MB,
# makes it write and merge many runs); only for that transaction (SET LOCAL).
BUILD_MEMORY = "256MB"
HEADLINE = (
    f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxWords=30, MinWords=12, '
    'MaxFragments=2, FragmentDelimiter=" … "'
)


class PostgresBackend(SearchBackend):
    vendor = "postgresql"

    @property
    def config(self) -> str:
        return "stoa_search" if self.options.get("UNACCENT", True) else "english"

    def _vector(self, columns: Sequence[tuple[str, str]]) -> str:
        return " || ".join(
            f"setweight(to_tsvector('{self.config}'::regconfig, coalesce({column}, '')), "
            f"'{weight}')"
            for column, weight in columns
        )

    def install(self, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if self.options.get("UNACCENT", True):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
            schema_editor.execute(
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = "
                "'stoa_search') THEN CREATE TEXT SEARCH CONFIGURATION stoa_search "
                "(COPY = english); ALTER TEXT SEARCH CONFIGURATION stoa_search ALTER MAPPING "
                "FOR hword, hword_part, word WITH unaccent, english_stem; END IF; END $$"
            )
        public = self._vector(WEIGHTED)
        members = self._vector((("members_body", "D"),))
        for column, expression in (("public_vector", public), ("members_vector", members)):
            schema_editor.execute(
                f"ALTER TABLE search_document ADD COLUMN IF NOT EXISTS {column} tsvector "
                f"GENERATED ALWAYS AS ({expression}) STORED"
            )
        self._create_indexes(schema_editor.execute)

    def uninstall(self, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for name in (*INDEXES, *FORMER_INDEXES):
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
        # full_vector: the members' vector of every column, before migration 0003.
        for column in ("public_vector", "members_vector", "full_vector"):
            schema_editor.execute(f"ALTER TABLE search_document DROP COLUMN IF EXISTS {column}")

    @staticmethod
    def _create_indexes(execute: Any) -> None:
        for name, (expression, where) in INDEXES.items():
            execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON search_document "
                f"USING gin ({expression}){where}"
            )

    @contextlib.contextmanager
    def bulk_load(self) -> Iterator[None]:
        """Filling an empty index: without the GIN indexes while the documents are written,
        then each built once, with more memory than PostgreSQL's default for the build
        (OPTIONS BUILD_MEMORY), and the table analysed.

        Rebuilding an index readers use: the GIN indexes stay. DROP INDEX takes an ACCESS
        EXCLUSIVE lock on the table until the commit (PostgreSQL's "Explicit Locking"), so
        every search would wait for the whole rebuild (a minute and a half at 420,000
        documents) and time out; with the indexes kept they answer from the old rows
        meanwhile (MVCC), and the rebuild pays for upkeep of the indexes as it writes."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT EXISTS (SELECT 1 FROM search_document)")
            in_use = bool(cursor.fetchone()[0])
            if not in_use:
                for name in (*INDEXES, *FORMER_INDEXES):
                    cursor.execute(f"DROP INDEX IF EXISTS {name}")
        # Called inside the rebuild's transaction: a failure while writing rolls the
        # dropped structures back with everything else (DDL is transactional on both
        # databases), and its own error is the one raised.
        yield
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('maintenance_work_mem', %s, true)",
                [str(self.options.get("BUILD_MEMORY", BUILD_MEMORY))],
            )
            self._create_indexes(cursor.execute)
            # The new rows' statistics at once (autovacuum's come later): without them
            # the planner guesses how many documents a word finds.
            cursor.execute("ANALYZE search_document")

    def write_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> None:
        """COPY: the rows streamed in PostgreSQL's own format, with no statement to parse
        and no parameters to bind (a multi-row INSERT of 14 columns spent more on those,
        client and server, than on the rows)."""
        quote = connection.ops.quote_name
        names = ", ".join(quote(name) for name in columns)
        # The driver's own cursor (psycopg 3): Django's wrapper has no copy().
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {quote(table)} ({names}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)

    def _where(self, *, members: bool, filters: Filters) -> tuple[str, list[Any]]:
        conditions, params = filter_sql(filters, members=members, now=timezone.now())
        # The row's plain columns tested before its vector: PostgreSQL tests conditions of
        # equal cost in the order written, and a vector is read (a post's, from TOAST)
        # only for the rows those keep (a count of one kind scanned the other kinds'
        # vectors: 136 ms for the comments of the most frequent word, 3 with the kind first).
        return f"{conditions} AND {_match(members=members)}", params

    def _q(self, query: Query) -> tuple[str, list[Any]]:
        return (
            f"(SELECT websearch_to_tsquery('{self.config}'::regconfig, %s) AS q) q",
            [query.web_syntax()],
        )

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
        source, q_params = self._q(query)
        where, params = self._where(members=members, filters=filters)
        if window is not None:
            edge = self._edge(query, members=members, filters=filters, window=window)
            if edge is None:
                return []
            where = f"{where} AND d.id >= %s"
            params = [*params, edge]
        vector = "d.public_vector || d.members_vector" if members else "d.public_vector"
        ordering = "date DESC NULLS LAST, id DESC" if order == NEWEST else "rank DESC, id"
        # What a snippet may be drawn from: a visitor is shown a members-only body's
        # excerpt, never the body.
        text = (
            "concat_ws(' ', r.body, r.members_body, r.excerpt)"
            if members
            else "CASE WHEN r.members_only THEN r.excerpt "
            "ELSE concat_ws(' ', r.body, r.excerpt) END"
        )
        sql = (
            f"SELECT r.id, r.kind, r.object_id, r.title, r.url, r.date, r.byline, "  # noqa: S608 - names are ours, values parameters
            f"r.members_only, ts_headline('{self.config}'::regconfig, {text}, q.q, %s), r.rank "
            f"FROM (SELECT d.id, d.kind, d.object_id, d.title, d.url, d.date, d.byline, "
            f"d.members_only, d.excerpt, d.body, d.members_body, "
            f"ts_rank_cd({vector}, q.q) AS rank FROM search_document d, {source} "
            f"WHERE {where} ORDER BY {ordering} LIMIT %s OFFSET %s) r, {source} "
            f"ORDER BY {ordering.replace('date', 'r.date').replace('id', 'r.id')}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [HEADLINE, *q_params, *params, limit, offset, *q_params])
            rows = cursor.fetchall()
        return [
            Hit(
                id=row[0],
                kind=row[1],
                object_id=row[2],
                title=row[3],
                url=row[4],
                date=row[5],
                byline=row[6],
                members_only=row[7],
                snippet=row[8] or "",
                rank=float(row[9] or 0.0),
            )
            for row in rows
        ]

    def _edge(self, query: Query, *, members: bool, filters: Filters, window: int) -> int | None:
        """The lowest id among the `window` matches added last, None when nothing matches
        (the primary key read backwards, each row's vector tested, until `window` match)."""
        source, q_params = self._q(query)
        # Each kind's last `window` read backwards through the index on (kind, id), then
        # the last `window` of those together: ids of several kinds read in one backward
        # scan of the primary key went through every newer document of the other kinds (an
        # article's window: through 400,000 comments, a second).
        parts, params = [], []
        for kind in filters.kinds or Kind.values:
            where, where_params = self._where(
                members=members, filters=dataclasses.replace(filters, kinds=(kind,))
            )
            parts.append(
                f"(SELECT d.id FROM search_document d, {source} "  # noqa: S608 - names are ours, values parameters
                f"WHERE {where} ORDER BY d.id DESC LIMIT %s)"
            )
            params += [*q_params, *where_params, window]
        sql = (
            f"SELECT MIN(id) FROM (SELECT id FROM ({' UNION ALL '.join(parts)}) kinds "  # noqa: S608 - names are ours, values parameters
            f"ORDER BY id DESC LIMIT %s) last"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, window])
            edge = cursor.fetchone()[0]
        return None if edge is None else int(edge)

    def count(
        self, query: Query, *, members: bool, filters: Filters, limit: int | None = None
    ) -> dict[str, int]:
        if query.is_empty:
            return {}
        source, q_params = self._q(query)
        where, params = self._where(members=members, filters=filters)
        if limit is None:
            sql = (
                f"SELECT d.kind, COUNT(*) FROM search_document d, {source} "  # noqa: S608 - names are ours
                f"WHERE {where} GROUP BY d.kind"
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, [*q_params, *params])
                return dict(cursor.fetchall())
        # Each kind counted apart, each count stopping at `limit`: one statement.
        kinds = list(filters.kinds or Kind.values)
        part = (
            f"SELECT %s, (SELECT COUNT(*) FROM (SELECT 1 FROM search_document d, {source} "  # noqa: S608 - names are ours, values parameters
            f"WHERE d.kind = %s AND {where} LIMIT %s) found)"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                " UNION ALL ".join([part] * len(kinds)),
                [v for kind in kinds for v in (kind, *q_params, kind, *params, limit)],
            )
            return {kind: int(n) for kind, n in cursor.fetchall() if n}

    def matches(self, query: Query, *, members: bool, filters: Filters, limit: int) -> int:
        if query.is_empty:
            return 0
        source, q_params = self._q(query)
        where, params = self._where(members=members, filters=filters)
        sql = (
            f"SELECT COUNT(*) FROM (SELECT 1 FROM search_document d, {source} "  # noqa: S608 - names are ours, values parameters
            f"WHERE {where} LIMIT %s) found"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*q_params, *params, limit])
            return int(cursor.fetchone()[0])

    def ids(self, query: Query, *, kind: str, limit: int) -> list[int]:
        if query.is_empty:
            return []
        source, q_params = self._q(query)
        sql = (
            f"SELECT d.object_id FROM search_document d, {source} "  # noqa: S608 - names are ours, values parameters
            f"WHERE {_match(members=True)} AND d.kind = %s "
            f"ORDER BY ts_rank_cd(d.public_vector || d.members_vector, q.q) DESC LIMIT %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*q_params, kind, limit])
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


def _match(*, members: bool) -> str:
    """Whether a document (`d`) matches the query (`q.q`) for this reader: a member's
    search, its joined vectors (the public one itself where the members' is empty)."""
    if not members:
        return "d.public_vector @@ q.q"
    # Each arm says whether the members' vector is empty: a query with an exclusion
    # (`-word`) found in the public text alone would otherwise match a document whose
    # members' body holds the excluded word.
    return (
        "((length(d.members_vector) = 0 AND d.public_vector @@ q.q) OR "
        "(length(d.members_vector) > 0 AND (d.public_vector || d.members_vector) @@ q.q))"
    )
