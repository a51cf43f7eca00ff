"""Search backends: one interface, the implementation chosen in settings as CACHES is.

    STOA_SEARCH = {"BACKEND": "stoa.search.backends.sqlite.SQLiteBackend", "OPTIONS": {...}}

- `sqlite.SQLiteBackend`: an external-content FTS5 table over search_document, kept by
  triggers, BM25 ranking, snippet() (the embedded default).
- `postgres.PostgresBackend`: stored tsvector columns (generated from the document's
  columns) with GIN indexes, websearch_to_tsquery, ts_rank_cd, ts_headline.

A backend answers from the index alone: every result carries what the page shows.
Highlights come back with MARK_START / MARK_END around the matched words, in text that is
otherwise plain; `highlight()` escapes it and turns only those into <mark> elements.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.utils.html import escape
from django.utils.module_loading import import_string
from markupsafe import Markup

from stoa.search.query import Query

# Never in indexed text (sources.plain drops control characters), so safe as markers.
MARK_START, MARK_END = "\x01", "\x02"

RELEVANCE, NEWEST = "relevance", "date"


@dataclass(frozen=True)
class Filters:
    """What a search is narrowed to. Category, tag and author filters apply to articles
    and the comments under them (through the post's own tables)."""

    kinds: tuple[str, ...] = ()
    category_ids: tuple[int, ...] = ()
    tag_id: int | None = None
    author_id: int | None = None
    year: int | None = None
    exclude_object_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Hit:
    """One result, with everything the results page shows."""

    id: int
    kind: str
    object_id: int
    title: str
    url: str
    date: dt.datetime | None
    byline: str
    members_only: bool
    snippet: str  # with MARK_START / MARK_END
    rank: float

    @property
    def snippet_html(self) -> Markup:
        return highlight(self.snippet)


def highlight(text: str) -> Markup:
    """Marked text as HTML: everything escaped, then only the marks made <mark>."""
    escaped = str(escape(text.replace(MARK_START + MARK_END, "")))
    return Markup(  # noqa: S704 - escaped above; only our own tags added
        escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    )


class SearchBackend:
    """The interface every backend implements."""

    vendor = ""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options

    # --- schema (called by the app's migration, and by tests)
    def install(self, schema_editor: BaseDatabaseSchemaEditor) -> None:
        raise NotImplementedError

    def uninstall(self, schema_editor: BaseDatabaseSchemaEditor) -> None:
        raise NotImplementedError

    # --- writing
    def bulk_load(self) -> Any:
        """A context manager around a rebuild that replaces every document: the backend
        may suspend its per-row upkeep and build its structures once at the end."""
        raise NotImplementedError

    def write_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> None:
        """A rebuild's new rows (tuples in `columns`' order), in the current transaction:
        many rows to an INSERT statement (PostgreSQL pays a round trip per statement, which
        executemany would spend per row)."""
        from django.db import connection

        quote = connection.ops.quote_name
        names = ", ".join(quote(name) for name in columns)
        marks = ", ".join(["%s"] * len(columns))
        with connection.cursor() as cursor:
            for batch in chunks(rows, INSERT_ROWS):
                values = ", ".join([f"({marks})"] * len(batch))
                params = [value for row in batch for value in row]
                cursor.execute(
                    f"INSERT INTO {quote(table)} ({names}) VALUES {values}",  # noqa: S608 - names from the model
                    params,
                )

    # --- reading
    def search(
        self,
        query: Query,
        *,
        members: bool,
        filters: Filters,
        order: str = RELEVANCE,
        limit: int = 10,
        offset: int = 0,
        window: int | None = None,
    ) -> list[Hit]:
        """A page of matches, best first (or newest). With `window`, only the `window`
        matches added to the index last (the highest ids: the newest documents, as
        documents are indexed when they are published or written) are ranked and paged:
        a search matching hundreds of thousands of documents is not ranked over all of
        them (views.COUNTED)."""
        raise NotImplementedError

    def count(
        self, query: Query, *, members: bool, filters: Filters, limit: int | None = None
    ) -> dict[str, int]:
        """How many documents of each kind match (kinds that match none left out); with
        `limit`, each kind counted no further than that (a count of `limit`: that many or
        more), which reads no more than `limit` matches a kind."""
        raise NotImplementedError

    def matches(self, query: Query, *, members: bool, filters: Filters, limit: int) -> int:
        """How many documents match, counting no further than `limit`: whether a search
        finds anything (limit 1) without counting every match of a frequent word."""
        raise NotImplementedError

    def ids(self, query: Query, *, kind: str, limit: int) -> list[int]:
        """The object ids of matching documents of one kind, best first, for the back
        office (every document, members' bodies included: staff search)."""
        raise NotImplementedError

    def similar(self, words: Sequence[str], *, exclude_id: int, limit: int) -> list[Hit]:
        """Articles sharing these words (any of them), most similar first, from what every
        reader may see of them: titles, deks, excerpts, bylines, public bodies."""
        raise NotImplementedError


# Rows per INSERT in a rebuild (14 columns: within SQLite's 32,766 parameters).
INSERT_ROWS = 500


def _backend_path() -> tuple[str, dict[str, Any]]:
    config = getattr(settings, "STOA_SEARCH", None) or {}
    path = config.get("BACKEND")
    if not path:
        engine = settings.DATABASES["default"]["ENGINE"]
        path = (
            "stoa.search.backends.postgres.PostgresBackend"
            if "postgresql" in engine
            else "stoa.search.backends.sqlite.SQLiteBackend"
        )
    return path, dict(config.get("OPTIONS", {}))


@functools.cache
def backend() -> SearchBackend:
    """The configured backend (settings.STOA_SEARCH; by default the one that fits the
    database)."""
    from django.db import connection

    path, options = _backend_path()
    found: SearchBackend = import_string(path)(options)
    if found.vendor != connection.vendor:
        raise ImproperlyConfigured(
            f"STOA_SEARCH's backend {path} needs a {found.vendor} database, not "
            f"{connection.vendor}."
        )
    return found


def _settings_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in {"STOA_SEARCH", "DATABASES"}:
        backend.cache_clear()


setting_changed.connect(_settings_changed, dispatch_uid="stoa-search-backend")


def filter_sql(filters: Filters, *, members: bool, now: dt.datetime) -> tuple[str, list[Any]]:
    """The conditions on search_document (aliased `d`) every backend adds, as SQL: what
    is live, what this reader may find, and the reader's filters. Standard SQL over
    publishing's own tables, so both backends share it."""
    from stoa.publishing.models import Post

    sql = ["(d.live_at IS NULL OR d.live_at <= %s)"]
    params: list[Any] = [now]
    if not members:
        # A comment under a members-only article is for members (discussion's rule:
        # CommentQuerySet.visible_to); the article itself is found by its title and excerpt.
        sql.append("NOT (d.kind = 'comment' AND d.members_only)")
    if filters.kinds:
        sql.append(f"d.kind IN ({', '.join(['%s'] * len(filters.kinds))})")
        params.extend(filters.kinds)
    if filters.year is not None:
        sql.append("d.year = %s")
        params.append(filters.year)
    for ids, field in (
        (filters.category_ids, "categories"),
        ((filters.tag_id,) if filters.tag_id is not None else (), "tags"),
        ((filters.author_id,) if filters.author_id is not None else (), "authors"),
    ):
        if not ids:
            continue
        through = getattr(Post, field).through
        column = getattr(Post, field).field.m2m_reverse_name()
        sql.append(
            f"d.post_id IN (SELECT post_id FROM {through._meta.db_table} "  # noqa: S608 - names are ours, values parameters
            f"WHERE {column} IN ({', '.join(['%s'] * len(ids))}))"
        )
        params.extend(ids)
    if filters.exclude_object_ids:
        marks = ", ".join(["%s"] * len(filters.exclude_object_ids))
        sql.append(f"d.object_id NOT IN ({marks})")
        params.extend(filters.exclude_object_ids)
    return " AND ".join(sql), params


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
