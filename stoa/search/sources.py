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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.html import strip_tags

from stoa.discussion.models import Comment, CommentStatus
from stoa.publishing.models import Page, Post
from stoa.search.models import Document, Kind
from stoa.webcasts.models import Series, Session

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def plain(text: str | None) -> str:
    """Text as the index keeps it: no tags, entities read, control characters dropped
    (so the highlight marks, \\x01 and \\x02, only ever come from the backend)."""
    return " ".join(CONTROL.sub(" ", html.unescape(strip_tags(text or ""))).split())


def _year(moment: Any) -> int | None:
    return timezone.localtime(moment).year if moment is not None else None


def _names(people: Iterable[Any]) -> str:
    return ", ".join(person.name for person in people)


# --------------------------------------------------------------------------- posts


def live_posts() -> models.QuerySet[Post]:
    """Posts readers see, now or at their time (publishing's live statuses); the search
    itself leaves out those whose time has not come (Document.live_at)."""
    return Post.objects.filter(status__in=Post.LIVE_STATUSES)


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


def comment_rows() -> models.QuerySet[Comment]:
    """Approved comments under live posts (discussion's statuses, publishing's)."""
    return (
        Comment.objects.approved()
        .filter(post__status__in=Post.LIVE_STATUSES)
        .select_related("post")
        .only(
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
    )


def comment_document(comment: Comment, *, post_url: str | None = None) -> Document:
    post = comment.post
    members = post.is_members_only
    text = plain(comment.text)
    # The post's page with the comment's anchor: found without asking which comment page
    # it is on (discussion's paging is off by default; the anchor is WordPress's).
    url = f"{post_url or post.get_absolute_url()}#comment-{comment.pk}"
    return Document(
        kind=Kind.COMMENT,
        object_id=comment.pk,
        title=plain(post.title),
        byline=plain(comment.author_name),
        body="" if members else text,
        members_body=text if members else "",
        members_only=members,
        post_id=post.pk,
        url=url,
        date=comment.created_at,
        year=_year(comment.created_at),
        live_at=post.published_at,
        source_updated=comment.updated_at,
    )


def comment_is_indexed(comment: Comment) -> bool:
    return comment.status == CommentStatus.APPROVED


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
