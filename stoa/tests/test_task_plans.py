"""The task worker reads a task's comments by their ids (issue 12). With their status in the
query (or the thread's order, Comment's Meta.ordering), SQLite, which has no statistics of the
table, read them through the index of the comments' status instead, every approved comment of
the site checked against the ids: ~60 ms a task on a site of 400,000 comments, whether the
task was about 5 comments or 100, and the search's task did it inside its write transaction,
holding every comment writer back meanwhile. 20 comments: enough for the planner to choose
the status index when it may (a task of 3 it read by their ids)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection

from stoa.discussion.models import Comment, CommentStatus
from stoa.discussion.tasks import notify_comments_published
from stoa.discussion.tests.factories import CommentFactory
from stoa.publishing.tests.factories import PostFactory
from stoa.search import services as search

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query planner"),
]


@contextmanager
def comment_reads() -> Iterator[list[tuple[str, Any]]]:
    """The statements of the block that read comments by their ids."""
    found: list[tuple[str, Any]] = []

    def record(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.startswith("SELECT") and '"discussion_comment"."id" IN' in sql:
            found.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield found


def plan(sql: str, params: Any) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return [str(row[-1]) for row in cursor.fetchall()]


def assert_read_by_id(reads: list[tuple[str, Any]]) -> None:
    assert reads, "no read of comments by their ids was recorded"
    for sql, params in reads:
        steps = plan(sql, params)
        by_key = [
            s for s in steps if re.match(r"SEARCH discussion_comment USING INTEGER PRIMARY KEY", s)
        ]
        assert by_key, f"comments not read by their ids: {steps}"


def comments(count: int) -> list[int]:
    post = PostFactory()
    CommentFactory.create_batch(count, post=post, status=CommentStatus.APPROVED)
    return list(Comment.objects.filter(post=post).values_list("pk", flat=True))


def test_the_notification_task_reads_its_comments_by_their_ids() -> None:
    ids = comments(20)
    with comment_reads() as reads:
        # As the worker calls it: the context names the task (its sent-email markers).
        context: Any = SimpleNamespace(task_result=SimpleNamespace(id="task-1"))
        notify_comments_published.call(context, comment_ids=ids)
    assert_read_by_id(reads)


def test_the_search_index_task_reads_its_comments_by_their_ids() -> None:
    ids = comments(20)
    with comment_reads() as reads:
        search.index_comments(comment_ids=ids)
    assert_read_by_id(reads)
