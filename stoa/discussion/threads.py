"""Comment threads: each comment's HTML is rendered once, when it is written, and a page's
thread is put together from those stored pieces in one pass over one query's rows."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from stoa.core.cache import memoize
from stoa.discussion.models import Comment, CommentStatus, DiscussionSettings

# Background colours for initials avatars: dark enough for white text (WCAG AA).
AVATAR_COLOURS = (
    "#7a2e1f", "#1f5f7a", "#4b3f8c", "#2f6b3a", "#8a4b0f", "#6b2f5c",
    "#3d5a80", "#5c4d3c", "#0f6b6b", "#7a3b52", "#44566c", "#6a5d1a",
)  # fmt: skip


def initials(name: str) -> str:
    """One or two capital letters for an avatar."""
    words = [w for w in name.replace(".", " ").split() if w[:1].isalpha()]
    letters = "".join(w[0] for w in words[:2]) or "?"
    return letters.upper()


def avatar(comment: Comment, use_gravatar: bool = False) -> SafeString:
    """An avatar drawn here (initials on a colour) unless Gravatar is switched on."""
    seed = (comment.author_email or comment.author_name).strip().lower().encode()
    digest = hashlib.sha256(seed).hexdigest()
    if use_gravatar and comment.author_email:
        return format_html(
            '<img class="avatar" src="https://www.gravatar.com/avatar/{}?s=96&amp;d=identicon" '
            'alt="" width="48" height="48" loading="lazy">',
            digest,
        )
    colour = AVATAR_COLOURS[int(digest[:8], 16) % len(AVATAR_COLOURS)]
    return format_html(
        '<svg class="avatar" viewBox="0 0 48 48" width="48" height="48" aria-hidden="true" '
        'focusable="false"><rect width="48" height="48" rx="24" fill="{}"/>'
        '<text x="24" y="30" text-anchor="middle" font-size="18" font-family="sans-serif" '
        'fill="#fff">{}</text></svg>',
        colour,
        initials(comment.author_name),
    )


def render_comment(comment: Comment) -> str:
    """The display HTML of one comment, stored with it and re-rendered when it changes."""
    settings = DiscussionSettings.current()
    return render_to_string(
        "discussion/comment.html",
        {"comment": comment, "avatar": avatar(comment, settings.use_gravatar)},
    ).strip()


@dataclass(frozen=True)
class Row:
    """What the thread needs of one comment."""

    pk: int
    parent_id: int | None
    html: str


@dataclass
class ThreadPage:
    """One page of a post's thread, ready to print."""

    html: SafeString
    page: int = 1
    pages: int = 1
    first_number: int = 1
    top_level_ids: list[int] = field(default_factory=list)


def thread_rows(post_id: int) -> list[Row]:
    """The approved comments of a post, oldest first, from one query, kept in the cache
    until the content changes (any comment written, approved or removed)."""

    def build() -> list[Row]:
        rows = (
            Comment.objects.filter(post_id=post_id, status=CommentStatus.APPROVED)
            .order_by("created_at", "pk")
            .values_list("pk", "parent_id", "rendered")
        )
        return [Row(*row) for row in rows]

    return list(memoize(f"thread-rows-{post_id}", build))


def build_thread(
    rows: Iterable[Row],
    *,
    page: int = 1,
    per_page: int = 0,
    newest_first: bool = False,
    before: Mapping[int, str] | None = None,
    after: Mapping[int, str] | None = None,
) -> ThreadPage:
    """Nest the rows under their parents and print them as ordered lists.

    `before` and `after` hold per-viewer pieces keyed by comment id (an "awaiting moderation"
    note, the reply form, an edit link) so the shared HTML never depends on who is looking.
    A reply whose parent is not shown here (held, trashed) is shown at the top level.
    """
    rows = list(rows)
    shown = {row.pk for row in rows}
    children: dict[int | None, list[Row]] = {}
    for row in rows:
        parent = row.parent_id if row.parent_id in shown else None
        children.setdefault(parent, []).append(row)
    top = children.get(None, [])
    if newest_first:
        top = top[::-1]
    pages, first = 1, 0
    if per_page and len(top) > per_page:
        pages = (len(top) + per_page - 1) // per_page
        page = min(max(page, 1), pages)
        first = (page - 1) * per_page
        top = top[first : first + per_page]
    else:
        page = 1
    before, after = before or {}, after or {}
    out: list[str] = []

    def emit(row: Row, depth: int) -> None:
        out.append(f'<li class="comment-item depth-{depth}" id="li-comment-{row.pk}">')
        out.append(before.get(row.pk, ""))
        out.append(row.html)
        out.append(after.get(row.pk, ""))
        replies = children.get(row.pk)
        if replies:
            out.append('<ol class="children">')
            for reply in replies:
                emit(reply, depth + 1)
            out.append("</ol>")
        out.append("</li>")

    for row in top:
        emit(row, 1)
    start = f' start="{first + 1}"' if first else ""
    html = f'<ol class="comment-list"{start}>{"".join(out)}</ol>' if out else ""
    return ThreadPage(
        html=mark_safe(html),  # noqa: S308 - stored pieces were rendered with autoescape
        page=page,
        pages=pages,
        first_number=first + 1,
        top_level_ids=[row.pk for row in top],
    )


def comment_page(comment: Comment) -> int:
    """The comment page a comment is on, when comments are paged."""
    settings = DiscussionSettings.current()
    if not settings.paginate or not settings.threads_per_page:
        return 1
    parents = dict(
        Comment.objects.filter(post_id=comment.post_id, status=CommentStatus.APPROVED)
        .order_by("created_at", "pk")
        .values_list("pk", "parent_id")
    )
    root, seen = comment.pk, set()
    while parents.get(root) in parents and root not in seen:
        seen.add(root)
        root = parents[root]
    top = [pk for pk, parent in parents.items() if parent not in parents]
    if settings.newest_first:
        top.reverse()
    if root not in top:
        return 1
    return top.index(root) // settings.threads_per_page + 1


def awaiting_note() -> str:
    """The line a commenter sees above their own held comment."""
    return (
        '<p class="comment__awaiting" role="status">'
        f"{escape('Your comment is awaiting moderation.')}</p>"
    )
