"""The index follows what readers can see through core's freshness (stoa.core.freshness):
`follow` is one of settings.STOA["FRESHNESS_FOLLOWERS"], told of every change that starts a
new content version — a row saved, deleted, its many-to-many links changed, or rows an
`update()` names. It has no SHOWN of its own: search shows nothing on shared pages.

Posts, pages, series and sessions are indexed in the writer's transaction (an editor's save:
found the moment it commits). Comments are indexed by a task queued with the change
(tasks.index_comments, stoa.core.tasks.enqueue_joined: in the same transaction on the
database queue, joined to the index task still waiting if there is one): a reader's comment
POST is the site's hottest write, and the index's re-read, upsert and vocabulary cost it
about 2 ms of its budget (issue 12). A deleted comment leaves
the index at once (a delete is rare and cheap). A renamed person, category or tag re-indexes
their posts in a task: there may be thousands.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model

from stoa.core.freshness import Change
from stoa.core.tasks import enqueue, enqueue_joined
from stoa.discussion.models import Comment
from stoa.publishing.models import Category, Page, Person, Post, Tag
from stoa.search import services
from stoa.search.models import Kind
from stoa.search.related import related_backend
from stoa.search.tasks import catch_up_index, index_comments, index_posts_of, refresh_related
from stoa.webcasts.models import Series, Session


def _posts(change: Change) -> None:
    if change.deleted:
        services.remove_post(post_id=change.instance.pk)  # type: ignore[union-attr]
        return
    if change.instance is not None:
        services.index_post(post=change.instance)  # type: ignore[arg-type]
        return
    for post in Post.objects.filter(pk__in=change.pks):
        services.index_post(post=post)


def _comments(change: Change) -> None:
    if change.deleted:
        services.remove(kind=Kind.COMMENT, object_id=change.instance.pk)  # type: ignore[union-attr]
        return
    # Joined to a waiting index task, if there is one: a task a comment was more rows than
    # the worker could claim and finish under 50 writers (issue 12).
    enqueue_joined(index_comments, key="comment_ids", values=sorted(change.pks))


def _one_by_one(
    kind: str, model: type[Model], index: Callable[[Any], None]
) -> Callable[[Change], None]:
    """A handler for a kind indexed a row at a time in the writer's transaction (pages,
    series, sessions): removed when deleted, else indexed as it now is."""

    def handle(change: Change) -> None:
        for pk in change.pks:
            if change.deleted:
                services.remove(kind=kind, object_id=pk)
            elif row := model._default_manager.filter(pk=pk).first():
                index(row)

    return handle


def _names(change: Change) -> None:
    # A person, category or tag deleted takes its links with it: the posts' m2m change
    # (sent for each cleared link) re-indexes them. A new one has no posts yet. Saved: their
    # posts print the new name.
    if change.deleted or change.created:
        return
    for pk in change.pks:
        enqueue(index_posts_of, label=change.model._meta.label, pk=pk)


HANDLERS: dict[type, Callable[[Change], None]] = {
    Post: _posts,
    Comment: _comments,
    Page: _one_by_one(Kind.PAGE, Page, lambda row: services.index_page(page=row)),
    Series: _one_by_one(Kind.SERIES, Series, lambda row: services.index_series(series=row)),
    Session: _one_by_one(Kind.SESSION, Session, lambda row: services.index_session(session=row)),
    Person: _names,
    Category: _names,
    Tag: _names,
}


def follow(change: Change) -> None:
    """Bring the index level with this change (see the module's docstring)."""
    handler = HANDLERS.get(change.model)
    if handler is None:
        return
    if not change.pks:
        # Rows not named (links cleared from the other side): the comparison of index and
        # sources finds them, in the worker.
        enqueue(catch_up_index)
        return
    handler(change)
    if change.model is Post and related_backend().follows:
        # The semantic mode's vectors (stoa.search.related): embedded in a task after the commit.
        enqueue(refresh_related, post_ids=sorted(change.pks))
