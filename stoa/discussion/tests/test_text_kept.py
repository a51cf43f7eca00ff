"""Issue 10, item 16: whatever refuses a comment, the commenter's text is handed back (or
kept in their browser) with a clear message, never a bare error."""

from __future__ import annotations

import pytest
from django.test import Client

from stoa.discussion.tests.factories import CommentFactory
from stoa.publishing.models import Post, PostStatus

pytestmark = pytest.mark.django_db

GUEST = {"name": "Ada Reader", "email": "ada.reader@example.net", "url": ""}
TYPED = "Three paragraphs I wrote on the train."


def test_a_post_unpublished_while_someone_writes_hands_their_text_back(post: Post) -> None:
    Post.objects.filter(pk=post.pk).update(status=PostStatus.DRAFT)
    response = Client().post(f"/comments/post/{post.pk}/", {**GUEST, "body": TYPED})
    assert response.status_code == 404
    page = response.content.decode()
    assert "no longer open for comments" in page
    assert TYPED in page


def test_a_comment_over_the_request_size_limit_says_where_the_text_is(post: Post, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    huge = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = Client().post(f"/comments/post/{post.pk}/", {**GUEST, "body": huge})
    assert response.status_code == 413
    page = response.content.decode()
    assert "too long to be received" in page
    assert "go back with your browser" in page
    assert not post.comments.exists()


def test_an_edit_over_the_request_size_limit_says_the_same(post: Post, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    comment = CommentFactory(post=post)
    huge = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = Client().post(f"/comments/{comment.pk}/edit/", {"body": huge})
    assert response.status_code == 413
