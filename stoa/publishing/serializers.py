"""A live post as plain data, the way the public JSON API (stoa.api.reads) and outgoing
webhooks (stoa.webhooks.payloads) give it: one shape, written once here where the post lives
(the two apps are siblings and may not import each other). Never an email or an address;
a members-only body only to one who may read it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser

from stoa.members.models import User
from stoa.publishing.models import Post, can_read_full_post


def refs(items: list[Any]) -> list[dict[str, str]]:
    """People, categories or tags as name, slug and address."""
    return [{"name": i.name, "slug": i.slug, "url": i.get_absolute_url()} for i in items]


def post_summary(post: Post) -> dict[str, Any]:
    """A post as listings give it (loaded `for_listing()`: its authors, categories and tags
    prefetched as author_list, category_list, tag_list)."""
    return {
        "id": post.pk,
        "title": post.title,
        "slug": post.slug,
        "dek": post.dek,
        "url": post.get_absolute_url(),
        "published_at": post.published_at,
        "members_only": post.is_members_only,
        "summary": post.teaser,
        "authors": refs(post.author_list),  # type: ignore[attr-defined]
        "categories": refs(post.category_list),  # type: ignore[attr-defined]
        "tags": refs(post.tag_list),  # type: ignore[attr-defined]
        "comment_count": post.comment_count,
        "comments_open": post.comments_open,
    }


def post_detail(post: Post, user: User | AnonymousUser) -> dict[str, Any]:
    """The summary and, when `user` may read the post whole, its body."""
    readable = can_read_full_post(user, post)
    return {**post_summary(post), "readable": readable, "body": post.body if readable else None}
