"""Who hears about a comment, decided here and sent by the task worker after the commit,
never inside the request. The tasks are queued in the transaction that writes the change
(stoa.core.tasks.enqueue, enqueue_joined): a committed comment always has its emails queued,
a rolled-back one never has."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import import_module
from typing import TYPE_CHECKING

from stoa.core import tasks

if TYPE_CHECKING:
    from stoa.discussion.models import Comment, Subscription


_silence = threading.local()


@contextmanager
def silenced() -> Iterator[None]:
    """Send nothing while writing comments that nobody needs to hear about (the demo)."""
    _silence.on = True
    try:
        yield
    finally:
        _silence.on = False


def _enqueue(task_name: str, *args: int) -> None:
    if getattr(_silence, "on", False):
        return
    # Imported late: the tasks module needs the services, which call this module.
    task = getattr(import_module("stoa.discussion.tasks"), task_name)
    tasks.enqueue(task, *args)


def comment_written(comment: Comment) -> None:
    """A new comment: moderators hear of a held one, the post's author of an approved one."""
    from stoa.discussion.models import CommentStatus

    if comment.status == CommentStatus.PENDING:
        _enqueue("notify_moderators", comment.pk)
    elif comment.status == CommentStatus.APPROVED:
        comment_approved(comment)


def comment_approved(comment: Comment) -> None:
    """A comment is published: the post's author and the thread's subscribers hear of it,
    and the apps listening to signals.comment_approved (webhooks)."""
    if getattr(_silence, "on", False):
        return
    from stoa.discussion.models import Comment
    from stoa.discussion.signals import comment_approved as approved

    approved.send(sender=Comment, comment=comment)
    # Joined to the task still waiting for earlier comments, if one is (issue 12: a task
    # a comment was more rows than the worker could claim and finish).
    task = import_module("stoa.discussion.tasks").notify_comments_published
    tasks.enqueue_joined(task, key="comment_ids", values=[comment.pk])


def schedule_cleanup() -> None:
    """Queue the daily clean-up (old spam and trash, old IP addresses) at most once a day,
    from the traffic itself, so that no cron job is needed."""
    from django.core.cache import cache

    if cache.add("stoa:discussion-cleanup-queued", True, 60 * 60 * 24):
        _enqueue("purge_old_comments")


def markup_outdated(fingerprint: str) -> None:
    """Stored comment markup was drawn with another template or avatar setting: queue its
    drawing, once per fingerprint (threads draw the stale ones in memory until it is done)."""
    from django.core.cache import cache

    if cache.add(f"stoa:discussion-markup-queued:{fingerprint}", True, 60 * 60):
        _enqueue("store_markup")


def confirm_subscription(subscription: Subscription) -> None:
    """Ask the address's owner to confirm the subscription."""
    _enqueue("send_subscription_confirmation", subscription.pk)
