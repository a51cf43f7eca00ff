"""When the index follows a change (stoa.search.freshness, one of core's freshness
followers): posts and the like in the writer's transaction, comments by a task queued with
the change and run after the commit, rows an update() names as a save, rows nobody named by
a catch-up. Tasks run as the tests' immediate backend runs them: on the commit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from stoa.discussion import services as discussion
from stoa.discussion.models import CommentStatus
from stoa.discussion.tests.factories import CommentFactory
from stoa.members.tests.factories import UserFactory
from stoa.publishing.tests.factories import PostFactory, TagFactory
from stoa.search import freshness
from stoa.search.backends import Filters, backend
from stoa.search.models import Kind
from stoa.search.query import parse

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


def found(text: str) -> list[tuple[str, int]]:
    hits = backend().search(parse(text), members=False, filters=Filters(), limit=50)
    return [(hit.kind, hit.object_id) for hit in hits]


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the search tasks queued (and still run as they would be)."""
    names: list[str] = []
    real = freshness.enqueue

    def spy(task: Any, *args: Any, **kwargs: Any) -> None:
        names.append(task.name)
        real(task, *args, **kwargs)

    def joined_spy(task: Any, **kwargs: Any) -> None:
        names.append(task.name)
        real_joined(task, **kwargs)

    real_joined = freshness.enqueue_joined
    monkeypatch.setattr(freshness, "enqueue", spy)
    monkeypatch.setattr(freshness, "enqueue_joined", joined_spy)
    return names


def test_an_approved_comment_is_found_once_its_change_commits_not_inside_it(
    django_capture_on_commit_callbacks: Capture, queued: list[str]
) -> None:
    comment = CommentFactory(text="Sliding-scale fees again.", status=CommentStatus.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        discussion.approve_comment(comment=comment, actor=None)
        assert found("sliding") == [], "the writer's transaction does not pay for the index"
    assert queued == ["index_comments"]
    assert found("sliding") == [(Kind.COMMENT, comment.pk)]


def test_a_held_comment_reaches_no_follower(
    django_capture_on_commit_callbacks: Capture, queued: list[str]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        CommentFactory(text="Held for a look.", status=CommentStatus.PENDING)
    assert queued == []
    assert found("held") == []


def test_a_comment_marked_spam_leaves_the_index_after_the_commit(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        comment = CommentFactory(text="Cheap pharmacy.")
    assert found("pharmacy") == [(Kind.COMMENT, comment.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        discussion.spam_comment(comment=comment, actor=None)
    assert found("pharmacy") == []


def test_a_deleted_comment_leaves_the_index_at_once(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        comment = CommentFactory(text="Regret, then deletion.")
    comment.delete()
    assert found("regret") == []


def test_a_members_new_name_reaches_the_index_through_the_update_that_names_their_comments(
    django_capture_on_commit_callbacks: Capture,
) -> None:
    member = UserFactory(first_name="Ines", last_name="Quarrie")
    with django_capture_on_commit_callbacks(execute=True):
        comment = CommentFactory(user=member, text="A note on supervision.")
    member.last_name = "Zephyrine"
    member.save()
    with django_capture_on_commit_callbacks(execute=True):
        discussion.refresh_member_comments(user=member)
    assert (Kind.COMMENT, comment.pk) in found("zephyrine")


def test_a_post_is_indexed_in_the_writers_transaction() -> None:
    post = PostFactory(title="Anniversary reactions")
    assert found("anniversary") == [(Kind.POST, post.pk)]


def test_a_renamed_tag_reindexes_its_posts_in_a_task(
    django_capture_on_commit_callbacks: Capture, queued: list[str]
) -> None:
    tag = TagFactory(name="Ruptures")
    post = PostFactory(title="On repair", tags=[tag])
    tag.name = "Reconciliation"
    with django_capture_on_commit_callbacks(execute=True):
        tag.save()
    assert queued == ["index_posts_of"]
    assert found("reconciliation") == [(Kind.POST, post.pk)]


def test_links_cleared_from_the_other_side_are_caught_up(
    django_capture_on_commit_callbacks: Capture, queued: list[str]
) -> None:
    tag = TagFactory(name="Boundaries")
    post = PostFactory(title="On limits", tags=[tag])
    assert found("boundaries") == [(Kind.POST, post.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        tag.posts.clear()
    assert queued == ["catch_up_index"]
