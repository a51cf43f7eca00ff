"""Comment feeds (RSS 2.0 and Atom): the whole site's, and each post's."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.feedgenerator import Atom1Feed

from stoa.core.conf import stoa_setting
from stoa.core.feeds import KeptFeed
from stoa.discussion.models import Comment
from stoa.discussion.threads import comment_urls
from stoa.publishing.models import Post, can_read_full_post
from stoa.publishing.views import live_post


def _addresses(comments: list[Comment]) -> list[str]:
    urls = comment_urls(comments)
    return [urls[comment.pk] for comment in comments]


class LatestCommentsFeed(KeptFeed):
    """The newest approved comments on the site. Names only: never an email or address.
    Written once per content version (a comment approved starts a new one)."""

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Post | None:
        return None

    def title(self, obj: Post | None) -> str:
        return f"Comments on {stoa_setting('SITE_NAME')}"

    def description(self, obj: Post | None) -> str:
        return f"The newest comments on {stoa_setting('SITE_NAME')}"

    def subtitle(self, obj: Post | None) -> str:
        return self.description(obj)

    def link(self, obj: Post | None) -> str:
        return "/"

    def items(self, obj: Post | None) -> list[Comment]:
        comments = Comment.objects.approved().select_related("post")
        comments = comments.on_public_posts() if obj is None else comments.filter(post=obj)
        found = list(comments.order_by("-created_at", "-pk")[: int(stoa_setting("FEED_ITEMS"))])
        # Each item's address names its comment page; worked out for all of them at once,
        # one thread read per post, not one per item (a 2,000-comment thread was read
        # twenty times for the site's feed, issue 12).
        for comment, url in zip(found, _addresses(found), strict=True):
            comment.feed_link = url  # type: ignore[attr-defined]
        return found

    def item_title(self, item: Comment) -> str:
        return f"{item.author_name} on {item.post.title}"

    def item_description(self, item: Comment) -> str:
        return item.html

    def item_link(self, item: Comment) -> str:
        return str(getattr(item, "feed_link", "")) or item.get_absolute_url()

    def item_guid(self, item: Comment) -> str:
        return f"{item.post.get_absolute_url()}#comment-{item.pk}"

    def item_pubdate(self, item: Comment) -> dt.datetime:
        return item.created_at

    def item_author_name(self, item: Comment) -> str:
        return item.author_name


class PostCommentsFeed(LatestCommentsFeed):
    """The newest approved comments under one post."""

    def check(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        # Asked before the kept copy: a members-only post's discussion is for its members
        # (feed readers carry no login), and only those who may read it reach the copy.
        if not can_read_full_post(request.user, live_post(kwargs["post_id"])):
            raise Http404("No such feed.")

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Post:
        return live_post(kwargs["post_id"])

    def title(self, obj: Post | None) -> str:
        return f"Comments on: {obj.title}" if obj else super().title(obj)

    def description(self, obj: Post | None) -> str:
        return f"Comments under “{obj.title}”" if obj else super().description(obj)

    def link(self, obj: Post | None) -> str:
        return f"{obj.get_absolute_url()}#comments" if obj else "/"


class LatestCommentsAtomFeed(LatestCommentsFeed):
    feed_type = Atom1Feed


class PostCommentsAtomFeed(PostCommentsFeed):
    feed_type = Atom1Feed
