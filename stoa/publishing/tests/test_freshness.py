"""What of publishing starts a new content version (stoa.publishing.freshness): live and
scheduled posts, published pages, people, categories, tags; not a draft saved again."""

from __future__ import annotations

import pytest

from stoa.core import cache
from stoa.publishing.models import PostStatus
from stoa.publishing.tests.factories import PostFactory, TagFactory, in_two_days

pytestmark = pytest.mark.django_db


def version() -> str:
    cache.forget_request_version()
    return cache.content_version()


def test_a_draft_saved_again_and_tagged_starts_no_new_version() -> None:
    draft = PostFactory(status=PostStatus.DRAFT)
    tag = TagFactory()
    before = version()
    draft.body = "<p>A second try.</p>"
    draft.save()
    draft.tags.add(tag)
    assert version() == before


@pytest.mark.parametrize("status", [PostStatus.PUBLISHED, PostStatus.SCHEDULED])
def test_a_post_going_live_or_scheduled_starts_a_new_version(status: str) -> None:
    draft = PostFactory(status=PostStatus.DRAFT)
    before = version()
    draft.status, draft.published_at = status, in_two_days()
    draft.save()
    assert version() != before


def test_a_live_post_taken_back_to_draft_starts_a_new_version() -> None:
    post = PostFactory()
    before = version()
    post.status = PostStatus.DRAFT
    post.save()
    assert version() != before


def test_a_tag_added_to_a_live_post_starts_a_new_version() -> None:
    post, tag = PostFactory(), TagFactory()
    before = version()
    post.tags.add(tag)
    assert version() != before
