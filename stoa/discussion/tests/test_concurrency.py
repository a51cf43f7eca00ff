"""Many readers commenting at the same moment: every comment is stored, and nobody is shown
"database is locked". Runs on SQLite (the embedded default) and on PostgreSQL alike."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import close_old_connections, connections
from django.test import Client

from stoa.discussion.models import Comment, CommentEvent, CommentStatus, DiscussionSettings
from stoa.publishing.models import Post
from stoa.publishing.tests.factories import PostFactory

WRITERS = 20


def comment_at_once(post: Post, count: int) -> tuple[list[int], list[str]]:
    """`count` guests post a comment through the form at the same moment, one thread each."""
    start = threading.Barrier(count)
    statuses: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()

    def write(n: int) -> None:
        close_old_connections()
        try:
            client = Client(REMOTE_ADDR=f"198.51.100.{n + 1}")
            start.wait(timeout=30)
            response = client.post(
                f"/comments/post/{post.pk}/",
                {
                    "name": f"Writer {n}",
                    "email": f"writer{n}@example.net",
                    "body": f"Comment number {n}, written at the same moment as the others.",
                },
            )
            with lock:
                statuses.append(response.status_code)
        except Exception as error:  # noqa: BLE001 - every failure is reported, not raised here
            with lock:
                errors.append(f"writer {n}: {error!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer never finished"
    return statuses, errors


@pytest.mark.django_db(transaction=True)
def test_twenty_writers_at_once_all_get_their_comment_stored(settings: Any) -> None:
    # The SQLite test database is a file (see settings), so writers meet WAL locking and
    # wait on the busy timeout, as the site runs; an in-memory one would fail them at once.
    settings.STOA_TRUST_X_FORWARDED_FOR = False
    row = DiscussionSettings.current()
    row.rate_limit_seconds = 0
    row.hold_first_comment = False
    row.save()
    post = PostFactory()

    statuses, errors = comment_at_once(post, WRITERS)

    assert errors == []
    assert statuses == [302] * WRITERS
    comments = Comment.objects.filter(post=post)
    assert comments.count() == WRITERS
    assert set(comments.values_list("author_email", flat=True)) == {
        f"writer{n}@example.net" for n in range(WRITERS)
    }
    assert set(comments.values_list("status", flat=True)) == {CommentStatus.APPROVED}
    assert CommentEvent.objects.filter(comment__post=post).count() == WRITERS
    assert Post.objects.get(pk=post.pk).comment_count == WRITERS
