"""What is indexed, and how each row becomes a Document: published posts (scheduled ones
too, found only from their time), published pages, published series and their sessions,
approved comments under live posts. Never drafts, pending or private posts, unpublished
pages or series, held, spam or trashed comments: each source's `rows()` is the owning app's
own query for what readers may see (its QuerySet methods and status constants).

A members-only post's body goes into `members_body`, and its excerpt is the post's teaser
(publishing's rule: never words of the body); a comment under it is marked members-only, and
only members find it (discussion's rule).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone

from stoa.discussion.models import Comment, CommentStatus
from stoa.publishing.models import Page, Post
from stoa.search.models import Document, Kind
from stoa.webcasts.models import Series, Session

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# A tag (or comment) as sanitised bodies and comments hold them; "a < b" is left as text.
TAG = re.compile(r"<(?:[a-zA-Z/!?][^>]*)>")


def plain(text: str | None) -> str:
    """Text as the index keeps it: no tags, entities read, control characters dropped
    (so the highlight marks, \\x01 and \\x02, only ever come from the backend). A regular
    expression rather than an HTML parser: a whole site's bodies pass here on a rebuild, and
    what comes out is only ever shown escaped."""
    if not text:
        return ""
    if "<" in text:
        text = TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    return " ".join(CONTROL.sub(" ", text).split())


def _year(moment: Any) -> int | None:
    return timezone.localtime(moment).year if moment is not None else None


def _names(people: Iterable[Any]) -> str:
    return ", ".join(person.name for person in people)


# --------------------------------------------------------------------------- posts


def live_posts() -> models.QuerySet[Post]:
    """Posts readers see, now or at their time (publishing's live statuses); the search
    itself leaves out those whose time has not come (Document.live_at), and the site's
    search, as its listings, those only carrying another site's discussion (Post.listed)."""
    return Post.objects.filter(status__in=Post.LIVE_STATUSES, listed=True)


def post_rows() -> models.QuerySet[Post]:
    return live_posts().prefetch_related("authors", "categories", "tags")


def post_document(post: Post) -> Document:
    members = post.is_members_only
    body = plain(post.body)
    return Document(
        kind=Kind.POST,
        object_id=post.pk,
        title=plain(post.title),
        excerpt=plain(" ".join(part for part in (post.dek, post.teaser) if part)),
        byline=plain(
            " ".join(
                (
                    _names(post.authors.all()),
                    _names(post.categories.all()),
                    _names(post.tags.all()),
                )
            )
        ),
        body="" if members else body,
        members_body=body if members else "",
        members_only=members,
        post_id=post.pk,
        url=post.get_absolute_url(),
        date=post.published_at,
        year=_year(post.published_at),
        live_at=post.published_at,
        source_updated=post.updated_at,
    )


# --------------------------------------------------------------------------- pages


def page_rows() -> models.QuerySet[Page]:
    return Page.objects.published()


def page_document(page: Page) -> Document:
    return Document(
        kind=Kind.PAGE,
        object_id=page.pk,
        title=plain(page.title),
        body=plain(page.body),
        url=page.get_absolute_url(),
        date=page.updated_at,
        year=_year(page.updated_at),
        source_updated=page.updated_at,
    )


# --------------------------------------------------------------------------- webcasts


def series_rows() -> models.QuerySet[Series]:
    return Series.objects.listed().prefetch_related("presenters")


def series_document(series: Series) -> Document:
    date = series.starts or series.created_at
    return Document(
        kind=Kind.SERIES,
        object_id=series.pk,
        title=plain(series.title),
        excerpt=plain(series.offer),
        byline=plain(_names(series.presenters.all())),
        body=plain(series.description),
        url=series.get_absolute_url(),
        date=date,
        year=_year(date),
        source_updated=series.updated_at,
    )


def session_rows() -> models.QuerySet[Session]:
    return Session.objects.filter(series__in=Series.objects.listed()).select_related(
        "series", "presenter"
    )


def session_document(session: Session) -> Document:
    date = session.series.starts or session.series.created_at
    return Document(
        kind=Kind.SESSION,
        object_id=session.pk,
        title=plain(session.title),
        excerpt=plain(session.series.title),
        byline=plain(session.presenter.name if session.presenter else ""),
        body=plain(session.description),
        url=session.get_absolute_url(),
        date=date,
        year=_year(date),
    )


# --------------------------------------------------------------------------- comments


# What a comment's document is made of.
COMMENT_FIELDS = (
    "pk",
    "author_name",
    "text",
    "created_at",
    "updated_at",
    "post_id",
    "post__title",
    "post__slug",
    "post__status",
    "post__published_at",
    "post__visibility",
)


def comment_rows() -> models.QuerySet[Comment]:
    """Approved comments under live posts (discussion's statuses, publishing's)."""
    return (
        Comment.objects.approved()
        .filter(post__status__in=Post.LIVE_STATUSES)
        .select_related("post")
        .only(*COMMENT_FIELDS)
    )


def comment_rows_among(ids: Iterable[int]) -> list[Comment]:
    """comment_rows() among these comments (a task's few): read by their ids alone, the
    rule tested on the rows. With the status in the query SQLite, which has no statistics
    of the table, took the status index for a few rows and read every approved comment of
    the site through it: ~60 ms a task at 400,000 comments however few it was about, inside
    the index's write transaction, every comment writer waiting meanwhile (issue 12)."""
    found = (
        Comment.objects.filter(pk__in=list(ids))
        .select_related("post")
        .only(*COMMENT_FIELDS, "status")
        .order_by()
    )
    return [
        comment
        for comment in found
        if comment.status == CommentStatus.APPROVED and comment.post.status in Post.LIVE_STATUSES
    ]


@dataclass(slots=True)
class Row:
    """A document's columns without a model instance (a rebuild makes hundreds of
    thousands: a model's __init__ and its signals cost more than the rest)."""

    kind: str
    object_id: int
    title: str
    excerpt: str
    byline: str
    body: str
    members_body: str
    members_only: bool
    post_id: int | None
    url: str
    date: Any
    year: int | None
    live_at: Any
    source_updated: Any


def _comment_columns(
    *, pk: int, author_name: str, text: str, created_at: Any, updated_at: Any, post: Post, url: str
) -> dict[str, Any]:
    members = post.is_members_only
    said = plain(text)
    return {
        "kind": Kind.COMMENT,
        "object_id": pk,
        "title": plain(post.title),
        "excerpt": "",
        "byline": plain(author_name),
        "body": "" if members else said,
        "members_body": said if members else "",
        "members_only": members,
        "post_id": post.pk,
        # The post's page with the comment's anchor: found without asking which comment
        # page it is on (discussion's paging is off by default; the anchor is WordPress's).
        "url": f"{url}#comment-{pk}",
        "date": created_at,
        "year": _year(created_at),
        "live_at": post.published_at,
        "source_updated": updated_at,
    }


def comment_document(comment: Comment, *, post_url: str | None = None) -> Document:
    post = comment.post
    return Document(
        **_comment_columns(
            pk=comment.pk,
            author_name=comment.author_name,
            text=comment.text,
            created_at=comment.created_at,
            updated_at=comment.updated_at,
            post=post,
            url=post_url or post.get_absolute_url(),
        )
    )


def comment_is_indexed(comment: Comment) -> bool:
    return comment.status == CommentStatus.APPROVED


def comment_documents_in_bulk() -> Iterator[Row]:
    """Every indexed comment's columns, for a rebuild: the rows read as plain values, each
    post's title, address and audience worked out once, not once per comment (the same
    columns as comment_document's)."""
    posts = {}
    for post in live_posts().only("pk", "title", "slug", "status", "published_at", "visibility"):
        posts[post.pk] = (post, post.get_absolute_url())
    # In the order they were written (the primary key's): read through its index. The
    # model's order (created_at, pk) made PostgreSQL sort every comment's text, or read
    # them through a plan fit for few rows without statistics (81 s of the server's CPU for
    # 400,000 comments against 1 s); the index's documents are numbered in this order,
    # which search's window ("the matches added last") reads as newest.
    comments = (
        comment_rows()
        .order_by("pk")
        .values_list("pk", "author_name", "text", "created_at", "updated_at", "post_id")
    )
    for pk, author_name, text, created_at, updated_at, post_id in comments.iterator(
        chunk_size=5000
    ):
        post, url = posts[post_id]
        yield Row(
            **_comment_columns(
                pk=pk,
                author_name=author_name,
                text=text,
                created_at=created_at,
                updated_at=updated_at,
                post=post,
                url=url,
            )
        )


@dataclass(frozen=True)
class Source:
    """One kind of indexed row: the owning app's query for what readers may see, and how
    one row becomes a document."""

    kind: str
    model: type[models.Model]
    rows: Callable[[], models.QuerySet[Any]]
    document: Callable[[Any], Document]
    label: str


SOURCES = [
    Source(Kind.POST, Post, post_rows, post_document, "articles"),
    Source(Kind.PAGE, Page, page_rows, page_document, "pages"),
    Source(Kind.SERIES, Series, series_rows, series_document, "series"),
    Source(Kind.SESSION, Session, session_rows, session_document, "sessions"),
    Source(Kind.COMMENT, Comment, comment_rows, comment_document, "comments"),
]
SOURCE_OF = {source.kind: source for source in SOURCES}
