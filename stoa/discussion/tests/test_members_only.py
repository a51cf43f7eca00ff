"""The discussion of a members-only post belongs to its members."""

from __future__ import annotations

from urllib.parse import quote

import feedparser
import lxml.html
import pytest
from django.test import Client

from stoa.discussion.models import Comment, CommentStatus
from stoa.discussion.tests.factories import CommentFactory
from stoa.publishing.tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db

GUEST = {"name": "Ada Reader", "email": "ada.reader@example.net", "url": ""}


def send(client: Client, post, body: str, **fields: str):
    return client.post(
        f"/comments/post/{post.pk}/", {**fields, "body": body}, REMOTE_ADDR="198.51.100.7"
    )


def test_a_guest_cannot_comment_on_a_members_only_post_and_keeps_the_text(client) -> None:
    post = PostFactory(members_only=True)
    response = send(client, post, "A thought I want to keep.", **GUEST)
    assert response.status_code == 403
    page = lxml.html.fromstring(response.content)
    assert page.xpath("string(//h1)") == "This discussion is for members: log in to take part."
    assert page.xpath("string(//textarea)") == "A thought I want to keep."
    (log_in,) = page.xpath('//main//a[text()="Log in"]/@href')
    assert log_in == f"/accounts/login/?next={quote(post.get_absolute_url(), safe='')}"
    assert not Comment.objects.exists()


def test_a_member_comments_on_a_members_only_post(client) -> None:
    post = PostFactory(members_only=True)
    client.force_login(UserFactory())
    response = send(client, post, "Members talk here.")
    assert response.status_code == 302
    assert Comment.objects.get().text == "Members talk here."


def test_a_preview_on_a_members_only_post_is_refused_to_a_guest_too(client) -> None:
    post = PostFactory(members_only=True)
    response = send(client, post, "Just checking.", preview="1", **GUEST)
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_a_public_post_still_takes_guests_comments(client) -> None:
    response = send(client, PostFactory(), "Open to all.", **GUEST)
    assert response.status_code == 302


def test_shared_places_never_show_a_members_only_discussion(client) -> None:
    public, private = PostFactory(title="Open Door"), PostFactory(members_only=True)
    CommentFactory(post=public, text="Seen by all", status=CommentStatus.APPROVED)
    CommentFactory(post=private, user=UserFactory(), status=CommentStatus.APPROVED)
    assert [c.post_id for c in Comment.objects.recent()] == [public.pk]
    widget = lxml.html.fromstring(client.get("/").content).xpath(
        'string(//aside//*[contains(@class, "widget--recent-comments")])'
    )
    assert "Open Door" in widget
    assert private.title not in widget
    feed = feedparser.parse(client.get("/comments/feed/").content)
    links = [entry.link.split("#")[0] for entry in feed.entries]
    assert links == [f"http://testserver{public.get_absolute_url()}"]


def test_a_members_only_posts_comment_feed_is_for_members(client) -> None:
    post = PostFactory(members_only=True)
    CommentFactory(post=post, user=UserFactory(), status=CommentStatus.APPROVED)
    url = f"/comments/post/{post.pk}/feed/"
    assert client.get(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 200
