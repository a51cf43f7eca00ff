"""What of the discussion starts a new content version (stoa.discussion.freshness): only
what readers of a shared page can see."""

from __future__ import annotations

import pytest
from django.test import Client

from stoa.core import cache
from stoa.core.pagecache import MIDDLEWARE_PATH
from stoa.discussion import services
from stoa.discussion.models import CommentStatus, DiscussionSettings
from stoa.discussion.tests.factories import CommentFactory
from stoa.publishing.models import Post
from stoa.publishing.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GUEST = {"name": "Ada Reader", "email": "ada.reader@example.net", "url": ""}


def version() -> str:
    cache.forget_request_version()
    return cache.content_version()


def guest_post(client: Client, post: Post, **extra: str) -> int:
    data = {**GUEST, "body": "A thought about the piece.", **extra}
    return client.post(f"/comments/post/{post.pk}/", data, REMOTE_ADDR="198.51.100.7").status_code


def test_a_bots_spam_leaves_the_cached_pages_in_place(client: Client, post: Post, settings) -> None:
    settings.MIDDLEWARE = [MIDDLEWARE_PATH, *settings.MIDDLEWARE]
    assert client.get(post.get_absolute_url())["X-Stoa-Cache"] == "miss"
    assert client.get(post.get_absolute_url())["X-Stoa-Cache"] == "hit"
    statuses = [
        guest_post(Client(), post, homepage="http://spam.example", body=f"Buy {n}")
        for n in range(5)
    ]
    # A filled honeypot is refused with nothing written (issue 10), so there is nothing
    # for a version to follow.
    assert statuses == [400] * 5
    assert not post.comments.exists()
    assert client.get(post.get_absolute_url())["X-Stoa-Cache"] == "hit"


def test_a_held_comment_starts_no_new_version(post: Post) -> None:
    before = version()
    services.post_comment(post=post, author=services.Guest("Ada", "ada@example.net"), body="Hi")
    assert post.comments.get().status == CommentStatus.PENDING  # a first comment is held
    assert version() == before


def test_an_approved_comment_starts_a_new_version(post: Post) -> None:
    before = version()
    services.post_comment(
        post=post, author=UserFactory(is_staff=True, is_superuser=True), body="Hi"
    )
    assert post.comments.get().status == CommentStatus.APPROVED
    assert version() != before


@pytest.mark.parametrize(
    ("start", "end", "seen"),
    [
        (CommentStatus.PENDING, CommentStatus.APPROVED, True),
        (CommentStatus.APPROVED, CommentStatus.SPAM, True),
        (CommentStatus.APPROVED, CommentStatus.PENDING, True),
        (CommentStatus.PENDING, CommentStatus.SPAM, False),
        (CommentStatus.PENDING, CommentStatus.TRASH, False),
        (CommentStatus.SPAM, CommentStatus.TRASH, False),
    ],
)
def test_a_status_change_starts_a_new_version_only_when_readers_saw_either_side(
    post: Post, start: str, end: str, seen: bool
) -> None:
    comment = CommentFactory(post=post, status=start)
    before = version()
    services.set_comment_status(comment=comment, status=end)
    assert (version() != before) is seen


def test_emptying_old_spam_and_trash_starts_no_new_version(post: Post) -> None:
    for status in (CommentStatus.SPAM, CommentStatus.TRASH):
        CommentFactory(post=post, status=status)
    before = version()
    deleted, _ = services.purge_old_comments(now=post.published_at.replace(year=3000))
    assert deleted == 2
    assert version() == before


def test_changing_the_discussion_settings_starts_a_new_version() -> None:
    before = version()
    settings = DiscussionSettings.current()
    settings.newest_first = not settings.newest_first
    settings.save()
    assert version() != before


def test_a_report_that_hides_nothing_starts_no_new_version(post: Post) -> None:
    comment = CommentFactory(post=post, status=CommentStatus.APPROVED)
    before = version()
    assert services.flag_comment(comment=comment, reporter="reader-1")
    assert version() == before
