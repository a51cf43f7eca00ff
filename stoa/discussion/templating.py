"""Jinja2 globals the discussion's shared templates bring: the sidebar's recent comments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stoa.core.cache import memoize
from stoa.discussion.models import Comment
from stoa.discussion.threads import comment_urls


def recent_comments(count: int = 5) -> list[tuple[str, str, str, str]]:
    """(author, post title, excerpt, address) of the newest approved comments, kept until
    the content changes (the sidebar is the same on every page, for every reader)."""

    def build() -> list[tuple[str, str, str, str]]:
        comments = list(Comment.objects.recent(count))
        urls = comment_urls(comments)  # one thread read per post, not one per comment
        return [(c.author_name, c.post.title, c.excerpt, urls[c.pk]) for c in comments]

    return memoize(f"recent-comments-{count}", build)


GLOBALS: dict[str, Callable[..., Any]] = {"recent_comments": recent_comments}
FILTERS: dict[str, Callable[..., Any]] = {}
