"""Every change of the index: one function per change, each keyword-only and atomic.

The index follows the rows readers can see (stoa.search.sources) through core's freshness
(stoa.search.freshness.follow): a post, page, series or session in the writer's transaction,
so it is found, or no longer found, the moment the change commits; comments by a task queued
with the change (tasks.index_comments), so a comment POST does not pay for the index. Writes
that name no rows (an import's bulk inserts) are caught up by `catch_up()`, which compares
the index with its sources; `reindex()` rebuilds everything (`stoa reindex`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models, transaction
from django.db.models import OuterRef, Q, Subquery

from stoa.publishing.models import Page, Post
from stoa.search import sources
from stoa.search.backends import backend, chunks
from stoa.search.models import Document, Kind, Term
from stoa.search.query import WORD, fold
from stoa.webcasts.models import Series, Session

BATCH = 1000
UPDATED = [
    "title",
    "excerpt",
    "byline",
    "body",
    "members_body",
    "members_only",
    "post_id",
    "url",
    "date",
    "year",
    "live_at",
    "source_updated",
]
MIN_WORD, MAX_WORD = 3, 40
# Words a rebuild holds before writing them (the vocabulary of 400,000 comments held whole
# took hundreds of MB).
VOCABULARY_HELD = 50_000
# More rows than this behind the index (an import of a whole site): catch_up rebuilds.
REBUILD_ABOVE = 5000

Progress = Callable[[str, int, int], None]


def words(documents: Iterable[Document | sources.Row]) -> set[str]:
    """The vocabulary of these documents, as Term keeps it."""
    found: set[str] = set()
    for document in documents:
        for text in (
            document.title,
            document.excerpt,
            document.byline,
            document.body,
            document.members_body,
        ):
            if not text:
                continue
            text = text.lower() if text.isascii() else fold(text)
            found.update(WORD.findall(text))
    return {word for word in found if MIN_WORD <= len(word) <= MAX_WORD and not word.isdigit()}


def _add_words(found: set[str]) -> None:
    for batch in chunks(sorted(found), BATCH):
        Term.objects.bulk_create([Term(word=word) for word in batch], ignore_conflicts=True)


def _write(documents: Sequence[Document]) -> None:
    """Insert or update these documents (by kind and object id), and note their words."""
    if not documents:
        return
    for batch in chunks(documents, BATCH):
        Document.objects.bulk_create(
            batch,
            update_conflicts=True,
            unique_fields=["kind", "object_id"],
            update_fields=UPDATED,
        )
    _add_words(words(documents))


def _remove(kind: str, ids: Iterable[int]) -> None:
    ids = list(ids)
    for batch in chunks(ids, BATCH):
        Document.objects.filter(kind=kind, object_id__in=batch).delete()


# ----------------------------------------------------------------- one row changed


@transaction.atomic
def index_post(*, post: Post, comments_too: bool = True) -> None:
    """The post (and the comments under it, whose titles, links and audience are the
    post's, unless `comments_too` is off: a name printed in the post changed) as readers
    may now find them."""
    before = (
        Document.objects.filter(kind=Kind.POST, object_id=post.pk)
        .values_list("url", "members_only", "title", "live_at")
        .first()
    )
    if not sources.live_posts().filter(pk=post.pk).exists():
        Document.objects.filter(post_id=post.pk).delete()
        return
    fresh = sources.post_rows().get(pk=post.pk)
    document = sources.post_document(fresh)
    _write([document])
    if comments_too and before != (
        document.url,
        document.members_only,
        document.title,
        document.live_at,
    ):
        _index_comments_of(fresh, url=document.url)


def _index_comments_of(post: Post, *, url: str) -> None:
    comments = list(sources.comment_rows().filter(post=post))
    for comment in comments:
        comment.post = post
    Document.objects.filter(kind=Kind.COMMENT, post_id=post.pk).delete()
    _write([sources.comment_document(comment, post_url=url) for comment in comments])


@transaction.atomic
def remove_post(*, post_id: int) -> None:
    """A deleted post: it and the comments under it are found no more."""
    Document.objects.filter(post_id=post_id).delete()


@transaction.atomic
def index_comments(*, comment_ids: Iterable[int]) -> None:
    """Approved comments under live posts are found; any other of these is not."""
    wanted = set(comment_ids)
    fresh = sources.comment_rows_among(wanted)
    _remove(Kind.COMMENT, wanted - {comment.pk for comment in fresh})
    _write([sources.comment_document(comment) for comment in fresh])


@transaction.atomic
def index_posts_of(*, model: type[models.Model], pk: Any) -> None:
    """Every post that prints this person's, category's or tag's name (renamed, say)."""
    field = {"Person": "authors", "Category": "categories", "Tag": "tags"}[model.__name__]
    for post in sources.live_posts().filter(**{field: pk}):
        index_post(post=post, comments_too=False)


@transaction.atomic
def index_page(*, page: Page) -> None:
    fresh = sources.page_rows().filter(pk=page.pk).first()
    if fresh is None:
        _remove(Kind.PAGE, [page.pk])
    else:
        _write([sources.page_document(fresh)])


@transaction.atomic
def index_series(*, series: Series) -> None:
    """A series and its sessions, found while it is published."""
    fresh = sources.series_rows().filter(pk=series.pk).first()
    sessions = Session.objects.filter(series_id=series.pk).values_list("pk", flat=True)
    if fresh is None:
        _remove(Kind.SERIES, [series.pk])
        _remove(Kind.SESSION, sessions)
        return
    _write([sources.series_document(fresh)])
    _write([sources.session_document(one) for one in sources.session_rows().filter(series=fresh)])


@transaction.atomic
def index_session(*, session: Session) -> None:
    fresh = sources.session_rows().filter(pk=session.pk).first()
    if fresh is None:
        _remove(Kind.SESSION, [session.pk])
    else:
        _write([sources.session_document(fresh)])


def remove(*, kind: str, object_id: int) -> None:
    """A deleted row is found no more."""
    _remove(kind, [object_id])


# ----------------------------------------------------------------- everything


def _documents(source: sources.Source, rows: models.QuerySet[Any]) -> Iterable[Document]:
    if source.kind == Kind.COMMENT:
        # Posts' addresses worked out once per post, not once per comment.
        urls: dict[int, str] = {}
        for comment in rows.iterator(chunk_size=BATCH):
            url = urls.get(comment.post_id)
            if url is None:
                url = urls[comment.post_id] = comment.post.get_absolute_url()
            yield sources.comment_document(comment, post_url=url)
    elif source.kind == Kind.POST:
        yield from (source.document(row) for row in rows.iterator(chunk_size=BATCH))
    else:
        yield from (source.document(row) for row in rows)


COLUMNS = ("kind", "object_id", *UPDATED)


def _insert(documents: Sequence[Document | sources.Row]) -> None:
    """Insert new documents as plain rows, as the backend writes them fastest (a rebuild
    writes hundreds of thousands: the ORM's bulk_create spends more preparing each value
    than the database spends writing)."""
    adapt = connection.ops.adapt_datetimefield_value
    dates = {
        index
        for index, name in enumerate(COLUMNS)
        if isinstance(Document._meta.get_field(name), models.DateTimeField)
    }
    rows = [
        tuple(
            adapt(value) if index in dates and value is not None else value
            for index, value in enumerate(getattr(document, name) for name in COLUMNS)
        )
        for document in documents
    ]
    # Document's fields are plain columns named as the fields (no relations).
    backend().write_rows(Document._meta.db_table, COLUMNS, rows)


def reindex(*, progress: Progress | None = None) -> dict[str, int]:
    """Rebuild the whole index from the sources, in one transaction (searches meanwhile
    answer from the old index), the backend's structures built once at the end. Returns
    how many documents of each kind."""
    counts: dict[str, int] = {}
    with transaction.atomic(), backend().bulk_load():
        Document.objects.all().delete()
        vocabulary: set[str] = set()
        for source in sources.SOURCES:
            total = source.rows().count()
            done = 0
            if progress:
                progress(source.label, done, total)
            rows = source.rows()
            if source.kind == Kind.POST:
                # Oldest first: documents are numbered in the order written, and a search
                # matching too many ranks those numbered last (views.COUNTED), the newest.
                rows = rows.order_by("published_at", "pk")
            documents: Iterable[Document | sources.Row] = (
                sources.comment_documents_in_bulk()
                if source.kind == Kind.COMMENT
                else _documents(source, rows)
            )
            batch: list[Document | sources.Row] = []
            for document in documents:
                batch.append(document)
                if len(batch) >= BATCH:
                    _insert(batch)
                    vocabulary |= words(batch)
                    if len(vocabulary) > VOCABULARY_HELD:
                        _add_words(vocabulary)  # written as it goes: memory stays bounded
                        vocabulary = set()
                    done += len(batch)
                    batch = []
                    if progress:
                        progress(source.label, done, total)
            if batch:
                _insert(batch)
                vocabulary |= words(batch)
                done += len(batch)
            if progress:
                progress(source.label, done, total)
            counts[source.kind] = done
        _add_words(vocabulary)
    return counts


@transaction.atomic
def catch_up() -> dict[str, int]:
    """Bring the index level with its sources after writes that sent no signal (an
    import's bulk inserts and updates): rows missing from the index, or changed since they
    were indexed (their updated_at), are indexed; documents whose row is gone or no longer
    shown are removed. Returns how many documents of each kind changed (all of them when
    more than REBUILD_ABOVE rows were behind and the index was rebuilt instead)."""
    changed: dict[str, int] = {}
    missing: dict[str, Q] = {}
    for source in sources.SOURCES:
        indexed = Document.objects.filter(kind=source.kind)
        missing[source.kind] = ~Q(pk__in=indexed.values("object_id"))
        if any(field.name == "updated_at" for field in source.model._meta.get_fields()):
            seen = indexed.filter(object_id=OuterRef("pk")).values("source_updated")[:1]
            missing[source.kind] |= ~Q(updated_at=Subquery(seen))
    behind = sum(source.rows().filter(missing[source.kind]).count() for source in sources.SOURCES)
    if behind > REBUILD_ABOVE:
        # A whole site brought in: a rebuild writes plain rows, far faster than upserts.
        return reindex()
    for source in sources.SOURCES:
        indexed = Document.objects.filter(kind=source.kind)
        rows = source.rows()
        stale = list(
            indexed.exclude(object_id__in=rows.values("pk")).values_list("object_id", flat=True)
        )
        _remove(source.kind, stale)
        documents = list(_documents(source, rows.filter(missing[source.kind])))
        _write(documents)
        if stale or documents:
            changed[source.kind] = len(stale) + len(documents)
    return changed
