"""The discussion settings are read from the cache once per request (models._request_settings):
a comment POST asked for them four times (the door, the rules, the comment's drawing, its
markup's fingerprint), each a cache read and an unpickling. An editor's change still applies
from the next request on, and work outside requests (task workers, commands) reads the cache
every time, as before."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from stoa.discussion import models
from stoa.discussion.models import Comment, CommentStatus, DiscussionSettings
from stoa.discussion.tests.factories import CommentFactory
from stoa.publishing.models import Post
from stoa.publishing.tests.factories import UserFactory


@contextmanager
def settings_reads() -> Iterator[list[str]]:
    """Every read of the settings row from the cache in the block."""
    reads: list[str] = []
    real = cache.get

    def get(key: str, *args: Any, **kwargs: Any) -> Any:
        if key == DiscussionSettings.CACHE_KEY:
            reads.append(key)
        return real(key, *args, **kwargs)

    with mock.patch.object(models.cache, "get", side_effect=get):
        yield reads


@pytest.fixture
def returning(post: Post) -> Comment:
    """An approved comment of a guest's, out of the flood interval: their next comment is
    approved at once, drawn and stored (the path that asks for the settings the most)."""
    earlier = timezone.now() - dt.timedelta(hours=1)
    return CommentFactory(
        post=post, author_name="Ann", author_email="ann@example.com", created_at=earlier
    )


def fields(body: str = "A second thought.") -> dict[str, str]:
    return {"name": "Ann", "email": "ann@example.com", "body": body}


@pytest.mark.django_db
def test_a_guests_approved_comment_reads_the_settings_once(post: Post, returning: Comment) -> None:
    DiscussionSettings.current()  # in the cache, as on a running site
    client = Client(REMOTE_ADDR="203.0.113.7")
    with settings_reads() as reads:
        response = client.post(f"/comments/post/{post.pk}/", fields())
    assert response.status_code == 302
    assert Comment.objects.latest("pk").status == CommentStatus.APPROVED
    assert len(reads) == 1


@pytest.mark.django_db
def test_a_members_approved_comment_reads_the_settings_once(post: Post) -> None:
    DiscussionSettings.current()
    client = Client(REMOTE_ADDR="203.0.113.8")
    client.force_login(UserFactory())
    with settings_reads() as reads:
        response = client.post(f"/comments/post/{post.pk}/", {"body": "From a member."})
    assert response.status_code == 302
    assert Comment.objects.latest("pk").status == CommentStatus.APPROVED
    assert len(reads) == 1


@pytest.mark.django_db
def test_a_refused_duplicate_reads_the_settings_once(post: Post, returning: Comment) -> None:
    row = DiscussionSettings.current()
    row.rate_limit_seconds = 0  # else the flood rule refuses it first
    row.save()
    client = Client(REMOTE_ADDR="203.0.113.9")
    with settings_reads() as reads:
        response = client.post(f"/comments/post/{post.pk}/", fields(returning.text))
    assert response.status_code == 409
    assert len(reads) == 1


@pytest.mark.django_db
def test_an_editors_change_applies_to_the_next_request(post: Post, returning: Comment) -> None:
    row = DiscussionSettings.current()
    row.rate_limit_seconds = 0
    row.save()
    client = Client(REMOTE_ADDR="203.0.113.10")
    assert client.post(f"/comments/post/{post.pk}/", fields("One.")).status_code == 302
    row = DiscussionSettings.current()
    row.rate_limit_seconds = 15
    row.save()
    # The same guest at once: the flood interval, set after the last request, refuses it.
    assert client.post(f"/comments/post/{post.pk}/", fields("Two.")).status_code == 429


@pytest.mark.django_db
def test_outside_a_request_the_settings_are_read_from_the_cache_each_time(post: Post) -> None:
    Client().get(post.get_absolute_url())  # a request came and went in this thread
    row = DiscussionSettings.current()
    changed = DiscussionSettings.objects.get(pk=1)
    changed.thread_depth = row.thread_depth + 1
    # Another process (a worker serving the admin) changed them: what it cached is seen.
    cache.set(DiscussionSettings.CACHE_KEY, changed, 300)
    with settings_reads() as reads:
        assert DiscussionSettings.current().thread_depth == row.thread_depth + 1
        DiscussionSettings.current()
    assert len(reads) == 2
