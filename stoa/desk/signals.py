"""Revisions follow every change of a post or page, and a post submitted for review tells
the editors, whoever made the change: the admin, a service called by a command or the
demo, an import. Publishing sends its ordinary model signals; the desk listens here.

A revision is written once the change is committed (never for one rolled back), from the
row as it then is, with its authors, categories and tags: one revision per object and
transaction, however many saves and many-to-many writes it took (create_post saves, then
sets three relations). A save that changed nothing tracked writes none."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from functools import partial
from typing import Any

import reversion
from django.core import serializers
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_save, pre_save
from reversion.models import Version

from stoa.core.tasks import enqueue
from stoa.publishing.models import Page, Post, PostStatus

# Not part of what an editor changes: derived, counted, or the save's own clock.
UNTRACKED = {
    Post: ("summary", "comment_count", "created_at", "updated_at"),
    Page: ("path", "created_at", "updated_at"),
}

# Who is changing things and why, for the revision: set for a request by
# stoa.desk.middleware, and by services that know better (a restore says so).
acting_user: contextvars.ContextVar[Any] = contextvars.ContextVar("desk_acting_user", default=None)
revision_note: contextvars.ContextVar[str] = contextvars.ContextVar("desk_note", default="")


@contextlib.contextmanager
def acting(user: Any, note: str = "") -> Iterator[None]:
    """Changes made inside are credited to `user`, with this note on their revisions."""
    user_token, note_token = acting_user.set(user), revision_note.set(note)
    try:
        yield
    finally:
        acting_user.reset(user_token)
        revision_note.reset(note_token)


def tracked_fields(model: type[models.Model]) -> list[str]:
    """The fields a revision keeps (every concrete and many-to-many field but the derived
    ones): a field publishing adds later is kept without a change here."""
    skip = set(UNTRACKED[model])
    meta = model._meta
    names = [f.name for f in meta.concrete_fields if not f.primary_key and f.name not in skip]
    return names + [f.name for f in meta.many_to_many if f.name not in skip]


def _serialized(obj: models.Model) -> str:
    # As reversion serialises a version (json, these fields), so the two compare.
    return serializers.serialize("json", [obj], fields=tracked_fields(type(obj)))


def record(model: type[models.Model], pk: int, user: Any, note: str) -> None:
    """Write a revision of this object as committed, unless its newest revision already
    holds exactly this."""
    obj = model._default_manager.filter(pk=pk).first()
    if obj is None:
        return
    data = _serialized(obj)
    newest = Version.objects.get_for_object(obj).only("serialized_data").first()
    if newest is not None and newest.serialized_data == data:
        return
    with reversion.create_revision(manage_manually=True):
        if user is not None and getattr(user, "is_authenticated", False):
            reversion.set_user(user)
        reversion.set_comment(note or ("Created" if newest is None else "Changed"))
        reversion.add_to_revision(obj)


def _changed(instance: models.Model, using: str) -> None:
    if instance.pk is None:
        return
    callback = partial(record, type(instance), instance.pk, acting_user.get(), revision_note.get())
    transaction.on_commit(callback, using=using)


def _on_save(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if not kwargs.get("raw"):  # fixtures load rows, nobody edits them
        _changed(instance, kwargs.get("using") or "default")


def _on_m2m(sender: Any, instance: models.Model, action: str, **kwargs: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, Post):
        _changed(instance, kwargs.get("using") or "default")


def _remember_status(sender: type[Post], instance: Post, **kwargs: Any) -> None:
    """Note whether this save submits the post for review (its status becomes pending)."""
    instance._desk_submitted = instance.status == PostStatus.PENDING and (  # type: ignore[attr-defined]
        instance.pk is None
        or not Post.objects.filter(pk=instance.pk, status=PostStatus.PENDING).exists()
    )


def _notify_on_submit(sender: type[Post], instance: Post, **kwargs: Any) -> None:
    if getattr(instance, "_desk_submitted", False) and not kwargs.get("raw"):
        instance._desk_submitted = False  # type: ignore[attr-defined]
        from stoa.desk.tasks import notify_editors

        user = acting_user.get()
        by = user.pk if user is not None and getattr(user, "is_authenticated", False) else None
        enqueue(notify_editors, post_id=instance.pk, submitted_by=by)


def connect() -> None:
    for model in UNTRACKED:
        if not reversion.is_registered(model):
            reversion.register(model, fields=tracked_fields(model))
        post_save.connect(_on_save, sender=model, dispatch_uid=f"desk-revision-{model.__name__}")
    for field in ("authors", "categories", "tags"):
        through = getattr(Post, field).through
        m2m_changed.connect(_on_m2m, sender=through, dispatch_uid=f"desk-revision-{field}")
    pre_save.connect(_remember_status, sender=Post, dispatch_uid="desk-submit-status")
    post_save.connect(_notify_on_submit, sender=Post, dispatch_uid="desk-submit-notify")
