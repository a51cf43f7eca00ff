"""A comment's emails are queued in the transaction that writes the comment, with the
database task backend the site runs: a committed comment has its tasks, a comment rolled back
has none, and no crash between the two can separate them (stoa.core.tasks.enqueue)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django_tasks_db.models import DBTaskResult

from stoa.discussion import notifications
from stoa.discussion.models import Comment, DiscussionSettings
from stoa.discussion.tests.factories import CommentFactory
from stoa.publishing.tests.factories import PostFactory

# Real commits and rollbacks: the request's transaction is the outermost one, as on the site.
pytestmark = pytest.mark.django_db(transaction=True)

GUEST = {"name": "Ada Reader", "email": "ada@example.net", "body": "A thought on the piece."}


@pytest.fixture(autouse=True)
def database_task_backend(settings: Any) -> None:
    """The site's task backend (the other tests run tasks at once); no worker runs here, so
    the tasks stay in their table for the test to read."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks_db.DatabaseBackend",
            "QUEUES": ["default", "email"],
        }
    }
    settings.STOA_TRUST_X_FORWARDED_FOR = False
    row = DiscussionSettings.current()
    row.rate_limit_seconds = 0
    row.save()


def notification_tasks(comment_id: int | None = None) -> list[str]:
    """The queued email tasks (about one comment, when given), by task name."""
    rows = DBTaskResult.objects.filter(task_path__startswith="stoa.discussion.tasks.notify_")
    return sorted(
        row.task_path.rsplit(".", 1)[1]
        for row in rows
        if comment_id is None or row.args_kwargs["args"] == [comment_id]
    )


def last_step_of_the_comment(
    monkeypatch: pytest.MonkeyPatch, then: Callable[[], None] = lambda: None
) -> list[dict[str, Any]]:
    """Record what the request's transaction holds at its last step (services.post_comment
    queues the clean-up after the comment's emails), then run `then` there."""
    seen: list[dict[str, Any]] = []
    original = notifications.schedule_cleanup

    def recording() -> None:
        original()
        seen.append(
            {
                "in_transaction": connection.in_atomic_block,
                "tasks": notification_tasks(),
                "comments": Comment.objects.count(),
            }
        )
        then()

    monkeypatch.setattr(notifications, "schedule_cleanup", recording)
    return seen


def test_a_comment_and_its_notification_tasks_are_committed_in_one_transaction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    post = PostFactory()
    seen = last_step_of_the_comment(monkeypatch)

    response = Client().post(f"/comments/post/{post.pk}/", GUEST)

    assert response.status_code == 302
    # Before the commit, inside the transaction that wrote the comment, the tasks are there.
    assert seen == [{"in_transaction": True, "tasks": seen[0]["tasks"], "comments": 1}]
    assert seen[0]["tasks"], "the comment's email tasks are written before the commit"
    comment = Comment.objects.get()
    assert notification_tasks(comment.pk) == seen[0]["tasks"]
    assert DBTaskResult.objects.filter(status="READY").count() == DBTaskResult.objects.count()


def test_a_comment_rolled_back_leaves_no_notification_task(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    post = PostFactory()

    def fail() -> None:
        raise RuntimeError("the database went away before the commit")

    seen = last_step_of_the_comment(monkeypatch, then=fail)

    with pytest.raises(RuntimeError):
        Client().post(f"/comments/post/{post.pk}/", GUEST)

    assert seen[0]["in_transaction"] and seen[0]["tasks"], "queued inside the transaction"
    assert Comment.objects.count() == 0
    assert notification_tasks() == [], "rolled back with the comment"
    assert DBTaskResult.objects.count() == 0


def test_an_approved_comment_queues_one_task_for_all_its_emails() -> None:
    # Issue 12: every queued task is a row written under SQLite's one writer's lock, and a
    # claim and a result the worker writes under it again; the post's authors and the
    # thread's subscribers hear from one task (tasks.notify_comment_published).
    post = PostFactory()
    with notifications.silenced():
        CommentFactory(post=post, author_name=GUEST["name"], author_email=GUEST["email"])

    response = Client().post(f"/comments/post/{post.pk}/", GUEST)

    assert response.status_code == 302
    comment = Comment.objects.latest("pk")
    assert comment.status == "approved"
    assert notification_tasks(comment.pk) == ["notify_comment_published"]
