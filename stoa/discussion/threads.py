"""Comment threads: each comment's display markup is drawn once and stored with it, and a
page's thread is put together from those stored pieces in one pass over one query's rows.

Drawing is what costs (about 0.2 ms a comment, several whole pages for a thread of 200:
bench/comment_markup.py), so it happens once per comment, not once per content version. The
stored markup carries the fingerprint of what it was drawn with (the comment template, the
avatar setting, MARKUP_VERSION). The services draw a comment when they write it (posted,
edited, claimed, anonymised, its member renamed). When the template or the setting changes,
reading a thread draws the comments whose fingerprint is old for that reader, in memory (a
page view never writes), and queues one background task that draws and stores every such
comment (services.store_markup). Nothing is ever re-rendered by hand."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ObjectDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from stoa.core import services as core
from stoa.core.cache import memoize
from stoa.discussion import notifications
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


# Bump when the code that draws a comment (not its template) changes what it draws.
MARKUP_VERSION = 1
TEMPLATE = "discussion/comment.html"


@functools.cache
def _template_digest() -> str:
    # Templates change with a deploy, which starts new processes: read once per process.
    source = Path(get_template(TEMPLATE).template.filename).read_bytes()  # type: ignore[attr-defined]
    return hashlib.blake2b(b"%d|%s" % (MARKUP_VERSION, source), digest_size=8).hexdigest()


def markup_fingerprint() -> str:
    """What stored markup was drawn with: the template, the code's version, the settings."""
    use_gravatar = DiscussionSettings.current().use_gravatar
    return f"{_template_digest()}-{int(use_gravatar)}"


def render_comment(comment: Comment) -> str:
    """The display HTML of one comment."""
    return render_comments([comment])[0]


def render_comments(comments: Iterable[Comment]) -> list[str]:
    """The display HTML of each comment, in order: the template looked up once, the
    settings read once (comments should come with `user__profile` selected)."""
    use_gravatar = DiscussionSettings.current().use_gravatar
    template = get_template(TEMPLATE)
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


def is_stale(rendered: str, rendered_with: str, fingerprint: str) -> bool:
    """Whether stored markup must be drawn again: missing, or drawn with something else."""
    return not rendered or rendered_with != fingerprint


def stored_markup(comments: Iterable[Comment]) -> list[str]:
    """Each comment's stored markup, drawn again and stored where it is missing or was
    drawn with another template or settings (a write: for services and tasks)."""
    comments = list(comments)
    fingerprint = markup_fingerprint()
    stale = [c for c in comments if is_stale(c.rendered, c.rendered_with, fingerprint)]
    if stale:
        for comment, html in zip(stale, render_comments(stale), strict=True):
            comment.rendered, comment.rendered_with = html, fingerprint
            # As update(): no save signal, no new content version; what readers see is
            # unchanged (it is what they would have seen), only kept. Its SQL written once,
            # not compiled again for every comment POST (issue 12).
            core.update_row(
                model=Comment,
                pk=comment.pk,
                values={"rendered": html, "rendered_with": fingerprint},
            )
    return [c.rendered for c in comments]


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
        # Plain values, not model instances: a thread of hundreds costs one query's tuples.
        rows = list(
            Comment.objects.filter(post_id=post_id, status=CommentStatus.APPROVED)
            .order_by("created_at", "pk")
            .values_list("pk", "parent_id", "rendered", "rendered_with")
        )
        fingerprint = markup_fingerprint()
        stale = [pk for pk, _, html, drawn_with in rows if is_stale(html, drawn_with, fingerprint)]
        drawn: dict[int, str] = {}
        if stale:
            # The template or the avatar setting changed since these were drawn: draw them
            # for this thread now, in memory (a page view never writes), and have every such
            # comment drawn and stored in the background, once.
            whole = list(Comment.objects.filter(pk__in=stale).select_related("user__profile"))
            drawn = dict(zip((c.pk for c in whole), render_comments(whole), strict=True))
            notifications.markup_outdated(fingerprint)
        return [Row(pk, parent, drawn.get(pk, html)) for pk, parent, html, _ in rows]

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
    pairs = (
        Comment.objects.filter(post_id=post_id, status=CommentStatus.APPROVED)
        .order_by("created_at", "pk")
        .values_list("pk", "parent_id")
    )
    return pages_of(
        pairs, pks, per_page=settings.threads_per_page, newest_first=settings.newest_first
    )


def pages_of(
    pairs: Iterable[tuple[int, int | None]],
    pks: Iterable[int],
    *,
    per_page: int,
    newest_first: bool,
) -> dict[int, int]:
    """The page each of `pks` is on, in a thread of these (comment, parent) pairs in the
    thread's order, paged as build_thread pages it (`per_page` threads a page, 0: one page);
    page 1 for a comment not among them."""
    parents = dict(pairs)
    pks = list(pks)
    if not per_page:
        return dict.fromkeys(pks, 1)
    top = [pk for pk, parent in parents.items() if parent not in parents]
    if newest_first:
        top.reverse()
    position = {pk: index for index, pk in enumerate(top)}
    pages = {}
    for pk in pks:
        root, seen = pk, set()
        while (parent := parents.get(root)) is not None and parent in parents:
            if root in seen:
                break
            seen.add(root)
            root = parent
        index = position.get(root)
        pages[pk] = 1 if index is None else index // per_page + 1
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
