"""What the WordPress move puts into pages it does not own (stoa.core.slots)."""

from __future__ import annotations

from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html

from stoa.publishing.models import Post


def comment_anchors(request: HttpRequest, post: Post) -> str:
    """On a post with comments (POST_HEAD): the script that follows an old link's
    #comment-<WordPress id> to the comment it meant (static/wordpress/comment-anchors.js)
    when that names no comment on the page: one on another comment page, or one that could
    not keep its WordPress id. It does nothing where the fragment names a comment on the
    page, so it is given to every post with comments: asking which were moved would cost
    the page a query."""
    if not post.comment_count:
        return ""
    base = reverse("wordpress:comment", kwargs={"wp_id": 0}).removesuffix("0/")
    return format_html(
        '<script src="{}" data-comment-base="{}" defer></script>',
        static("wordpress/comment-anchors.js"),
        base,
    )
