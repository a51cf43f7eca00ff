"""Comment threads: a post's approved comments are drawn from their sanitised text and their
writers' profiles in one pass over one query's rows, and kept until the content changes
(stoa.core.cache.memoize); each page view puts the thread together from those pieces.

Nothing drawn is stored with a comment: a change to the comment template, the avatar setting
or a member's profile shows on the next content version, with no re-rendering step."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from stoa.core.cache import memoize
from stoa.discussion.models import Comment, CommentStatus, DiscussionSettings
from stoa.members import avatars
from stoa.members.models import User

# The initials avatar lives with members, whose own avatars use it too; guests get it here.
initials = avatars.initials


def avatar(comment: Comment, use_gravatar: bool = False) -> SafeString:
    """A member's own avatar; for a guest, one drawn here (initials on a colour) unless
    Gravatar is switched on."""
    if comment.user_id is not None and comment.user is not None:
        # A member's picture or initials, the same on their account page and every comment.
        return avatars.member_avatar(comment.user)
    seed = (comment.author_email or comment.author_name).strip().lower()
    if use_gravatar and comment.author_email:
        digest = hashlib.sha256(seed.encode()).hexdigest()
        return format_html(
            '<img class="avatar" src="https://www.gravatar.com/avatar/{}?s=96&amp;d=identicon" '
            'alt="" width="48" height="48" loading="lazy">',
            digest,
        )
    return avatars.initials_svg(seed=seed, name=comment.author_name)


def render_comment(comment: Comment) -> str:
    """The display HTML of one comment."""
    return render_comments([comment])[0]


def render_comments(comments: Iterable[Comment]) -> list[str]:
    """The display HTML of each comment, in order: the template looked up once, the
    settings read once (comments should come with `user__profile` selected)."""
    use_gravatar = DiscussionSettings.current().use_gravatar
    template = get_template("discussion/comment.html")
    drawn = []
    for comment in comments:
        member = comment.user if comment.user_id is not None else None
        context = {
            "comment": comment,
            "avatar": avatar(comment, use_gravatar),
            # A member's name links to their page; their credential shows once verified.
            "profile_url": (
                reverse("members:profile", kwargs={"pk": member.pk}) if member is not None else ""
            ),
            "credential": _verified_credential(member),
        }
        drawn.append(template.render(context).strip())
    return drawn


def _verified_credential(member: User | None) -> str:
    if member is None:
        return ""
    try:
        return member.profile.verified_credential
    except ObjectDoesNotExist:
        return ""


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
    """The approved comments of a post, oldest first, drawn from one query, kept in the
    cache until the content changes (a comment approved or removed, a profile edited)."""

    def build() -> list[Row]:
        comments = list(
            Comment.objects.filter(post_id=post_id, status=CommentStatus.APPROVED)
            .select_related("user__profile")
            .order_by("created_at", "pk")
        )
        return [
            Row(c.pk, c.parent_id, html)
            for c, html in zip(comments, render_comments(comments), strict=True)
        ]

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
        html=mark_safe(html),  # noqa: S308 - the pieces were rendered with autoescape
        page=page,
        pages=pages,
        first_number=first + 1,
        top_level_ids=[row.pk for row in top],
    )


def comment_page(comment: Comment) -> int:
    """The comment page a comment is on, when comments are paged."""
    return _pages_on(comment.post_id, [comment.pk]).get(comment.pk, 1)


def _pages_on(post_id: int, pks: Iterable[int]) -> dict[int, int]:
    """The comment page each of these comments of one post is on (one query when paged)."""
    settings = DiscussionSettings.current()
    if not settings.paginate or not settings.threads_per_page:
        return dict.fromkeys(pks, 1)
    parents = dict(
        Comment.objects.filter(post_id=post_id, status=CommentStatus.APPROVED)
        .order_by("created_at", "pk")
        .values_list("pk", "parent_id")
    )
    top = [pk for pk, parent in parents.items() if parent not in parents]
    if settings.newest_first:
        top.reverse()
    position = {pk: index for index, pk in enumerate(top)}
    pages = {}
    for pk in pks:
        root, seen = pk, set()
        while parents.get(root) in parents and root not in seen:
            seen.add(root)
            root = parents[root]
        index = position.get(root)
        pages[pk] = 1 if index is None else index // settings.threads_per_page + 1
    return pages


def comment_urls(comments: Iterable[Comment]) -> dict[int, str]:
    """Each comment's address on its post's page (as get_absolute_url gives it), for a list
    of comments with their posts: one query per post when comments are paged, else none."""
    by_post: dict[int, list[Comment]] = {}
    for comment in comments:
        by_post.setdefault(comment.post_id, []).append(comment)
    urls = {}
    for post_id, group in by_post.items():
        pages = _pages_on(post_id, [c.pk for c in group])
        post_url = group[0].post.get_absolute_url()
        for comment in group:
            query = f"?cpage={pages[comment.pk]}" if pages[comment.pk] > 1 else ""
            urls[comment.pk] = f"{post_url}{query}#comment-{comment.pk}"
    return urls


def awaiting_note() -> str:
    """The line a commenter sees above their own held comment."""
    return (
        '<p class="comment__awaiting" role="status">'
        f"{escape('Your comment is awaiting moderation.')}</p>"
    )
