"""The index follows the rows readers can see, as stoa.core.freshness does for the page
cache: the same models its apps declare in their `freshness.SHOWN` (posts, pages, series,
sessions, comments, and posts' authors, categories and tags), each save, delete and
many-to-many change re-indexing that row in the writer's transaction.

A row neither shown before nor now (a held or spam comment saved again, a draft) is looked
up and left out, as freshness leaves it out. Writes that send no signal (QuerySet.update,
an import's bulk inserts) are caught up by services.catch_up: after a WordPress or Disqus
import's run is saved done, and by `stoa reindex --catch-up`.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import models
from django.db.models.signals import m2m_changed, post_delete, post_save

from stoa.core.tasks import enqueue
from stoa.discussion.models import Comment, CommentStatus
from stoa.publishing.models import Page, Post
from stoa.search import services
from stoa.search.models import Kind
from stoa.search.tasks import catch_up_index
from stoa.webcasts.models import Series, Session

UID = "stoa-search"


def _post_saved(sender: Any, instance: Post, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        services.index_post(post=instance)


def _post_deleted(sender: Any, instance: Post, **kwargs: Any) -> None:
    services.remove_post(post_id=instance.pk)


def _post_related(
    sender: Any, instance: models.Model, action: str, reverse: bool, **kwargs: Any
) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse and isinstance(instance, Post):
        services.index_post(post=instance)
        return
    # From the other side (a tag's posts changed): the posts named, or all of the row's.
    pk_set = kwargs.get("pk_set") or ()
    for post in Post.objects.filter(pk__in=pk_set):
        services.index_post(post=post)


def _comment_saved(sender: Any, instance: Comment, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    created = kwargs.get("created", False)
    if created and instance.status != CommentStatus.APPROVED:
        return  # a new held or spam comment: found by nobody, nothing to undo
    services.index_comment(comment=instance)


def _comment_deleted(sender: Any, instance: Comment, **kwargs: Any) -> None:
    services.remove(kind=Kind.COMMENT, object_id=instance.pk)


def _page_saved(sender: Any, instance: Page, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        services.index_page(page=instance)


def _series_saved(sender: Any, instance: Series, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        services.index_series(series=instance)


def _series_related(sender: Any, instance: models.Model, action: str, **kwargs: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, Series):
        services.index_series(series=instance)


def _session_saved(sender: Any, instance: Session, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        services.index_session(session=instance)


def _deleted(kind: str) -> Any:
    def receiver(sender: Any, instance: models.Model, **kwargs: Any) -> None:
        services.remove(kind=kind, object_id=instance.pk)

    return receiver


def _import_finished(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """An import's bulk writes send no signals: once its run is saved done (and not a dry
    run), a task brings the index level with what it brought (tasks.catch_up_index), queued
    with the run: catching up in the import's own process took minutes and several hundred
    MB more at 400,000 comments, counted against the import (issue 11)."""
    if raw or getattr(instance, "status", "") != "done" or getattr(instance, "dry_run", False):
        return
    enqueue(catch_up_index)


def connect() -> None:
    post_save.connect(_post_saved, sender=Post, dispatch_uid=f"{UID}-post")
    post_delete.connect(_post_deleted, sender=Post, dispatch_uid=f"{UID}-post")
    for name in ("authors", "categories", "tags"):
        m2m_changed.connect(
            _post_related, sender=getattr(Post, name).through, dispatch_uid=f"{UID}-post-{name}"
        )
    post_save.connect(_comment_saved, sender=Comment, dispatch_uid=f"{UID}-comment")
    post_delete.connect(_deleted(Kind.COMMENT), sender=Comment, dispatch_uid=f"{UID}-comment")
    post_save.connect(_page_saved, sender=Page, dispatch_uid=f"{UID}-page")
    post_delete.connect(_deleted(Kind.PAGE), sender=Page, dispatch_uid=f"{UID}-page")
    post_save.connect(_series_saved, sender=Series, dispatch_uid=f"{UID}-series")
    post_delete.connect(_deleted(Kind.SERIES), sender=Series, dispatch_uid=f"{UID}-series")
    m2m_changed.connect(
        _series_related, sender=Series.presenters.through, dispatch_uid=f"{UID}-presenters"
    )
    post_save.connect(_session_saved, sender=Session, dispatch_uid=f"{UID}-session")
    post_delete.connect(_deleted(Kind.SESSION), sender=Session, dispatch_uid=f"{UID}-session")
    # The import app is a sibling (neither imports the other): its run is named by label.
    if apps.is_installed("stoa.wordpress"):
        post_save.connect(
            _import_finished, sender="wordpress.ImportRun", dispatch_uid=f"{UID}-import"
        )
