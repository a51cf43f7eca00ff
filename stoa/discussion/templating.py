"""What the post page's discussion slot and the recent-comments widget print."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from jinja2 import pass_context
from jinja2.runtime import Context

from stoa.core.cache import memoize
from stoa.core.sanitizers import ALLOWED_COMMENT_TAGS_TEXT
from stoa.discussion import moderation, services, threads, tokens
from stoa.discussion.forms import CommentForm
from stoa.discussion.models import Comment, CommentStatus, DiscussionSettings, Subscription
from stoa.members.models import User
from stoa.publishing.models import Post, can_read_full_post


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _viewer_comments(request: HttpRequest, post: Post) -> list[Comment]:
    """This reader's own recent comments under the post (held ones included): named by the
    token in the address after posting, or by their account."""
    owned = tokens.owned_comment_id(request.GET.get("c", ""))
    if not request.user.is_authenticated and owned is None:
        return []
    mine = Comment.objects.filter(post=post).exclude(status=CommentStatus.TRASH)
    if request.user.is_authenticated:
        return list(mine.filter(user=request.user).order_by("created_at", "pk"))
    return list(mine.filter(pk=owned or 0))


def _author_of(pk: int | None) -> str:
    if pk is None:
        return ""
    return Comment.objects.filter(pk=pk).values_list("author_name", flat=True).first() or ""


def _own_links(comment: Comment, token: str, post: Post) -> str:
    if not services.within_edit_window(comment):
        return ""
    return render_to_string(
        "discussion/own_links.html", {"comment": comment, "token": token, "post": post}
    )


def _is_anonymous_reader(context: Context, request: HttpRequest) -> bool:
    """A reader with nothing of their own on the page: no account, no comment of theirs, no
    reply in progress, no remembered details. Most readers; they all see the same section."""
    from stoa.discussion.views import REMEMBER_COOKIE

    return not (
        request.user.is_authenticated
        or "c" in request.GET
        or "replytocom" in request.GET
        or context.get("comment_form") is not None
        or REMEMBER_COOKIE in request.COOKIES
    )


@pass_context
def discussion(context: Context, post: Post) -> dict[str, Any]:
    """Everything the thread template needs, per viewer: the shared thread from stored
    pieces, this reader's held comments and edit links, and the form in its place."""
    request: HttpRequest = context["request"]
    page = _int(request.GET.get("cpage")) or 1
    if _is_anonymous_reader(context, request):
        # Kept whole until the content changes (a comment approved, the post edited).
        return memoize(f"discussion-{post.pk}-{page}", lambda: _discussion(context, post, page))
    return _discussion(context, post, page)


def _discussion(context: Context, post: Post, page: int) -> dict[str, Any]:
    request: HttpRequest = context["request"]
    settings = DiscussionSettings.current()
    rows = threads.thread_rows(post.pk)
    before: dict[int, str] = {}
    after: dict[int, str] = {}
    token = request.GET.get("c", "")
    for own in _viewer_comments(request, post):
        if own.status in (CommentStatus.PENDING, CommentStatus.SPAM):
            # Spam is shown to its writer as held: nothing tells a spammer what happened.
            rows.append(threads.Row(own.pk, own.parent_id, threads.render_comment(own)))
            before[own.pk] = threads.awaiting_note()
        after[own.pk] = after.get(own.pk, "") + _own_links(own, token, post)
    form: CommentForm = context.get("comment_form") or CommentForm(
        initial=_remembered(request), member=request.user.is_authenticated
    )
    reply_to = _int(request.GET.get("replytocom")) or _int(str(form["parent"].value() or ""))
    shown = {row.pk for row in rows}
    reply_to = reply_to if reply_to in shown else None
    closed = moderation.comments_closed(
        moderation.Candidate(post=post, text="", html="", author_name="", author_email=""),
        settings,
    )
    form_html = ""
    if closed is None:
        form_html = render_to_string(
            "discussion/form.html",
            {
                "form": form,
                "post": post,
                "reply_to": reply_to,
                "reply_name": _author_of(reply_to),
                "allowed_tags": ALLOWED_COMMENT_TAGS_TEXT,
                "preview": context.get("comment_preview"),
                "advice": context.get("comment_advice") or [],
                "member": request.user if request.user.is_authenticated else None,
            },
            request,
        )
    if reply_to is not None and form_html:
        # Replying without JavaScript (?replytocom=): the form sits under that comment.
        after[reply_to] = after.get(reply_to, "") + form_html
        form_html = ""
    thread = threads.build_thread(
        rows,
        page=page,
        per_page=settings.threads_per_page if settings.paginate else 0,
        newest_first=settings.newest_first,
        before=before,
        after=after,
    )
    return {
        "count": post.comment_count,
        "thread": thread.html,
        "page": thread.page,
        "pages": thread.pages,
        "form": mark_safe(form_html),  # noqa: S308 - rendered with autoescape
        "closed": closed.message if closed else "",
    }


def _remembered(request: HttpRequest) -> dict[str, str]:
    from stoa.discussion.views import remembered_commenter

    return remembered_commenter(request)


def responses_heading(count: int, title: str) -> str:
    """ "7 Responses to …", "One Response to …", "No Responses yet", as WordPress says it."""
    if count == 0:
        return "No Responses yet"
    if count == 1:
        return f"One Response to “{title}”"
    return f"{count} Responses to “{title}”"


def recent_comments(count: int = 5) -> list[tuple[str, str, str, str]]:
    """(author, post title, excerpt, address) of the newest approved comments."""

    def build() -> list[tuple[str, str, str, str]]:
        return [
            (c.author_name, c.post.title, c.excerpt, c.get_absolute_url())
            for c in Comment.objects.recent(count)
        ]

    return memoize(f"recent-comments-{count}", build)


@dataclass(frozen=True)
class MemberComment:
    """One of a member's comments, as their pages list it."""

    post_title: str
    url: str
    excerpt: str
    created_at: dt.datetime
    published: bool


def member_comments(
    member: User, *, viewer: User | AnonymousUser, public: bool = True, limit: int = 50
) -> list[MemberComment]:
    """A member's comments on live posts the viewer may read in full (as the post page
    shows its thread), newest first: approved ones (their public page), or with their held
    ones too (their own account page)."""
    found = Comment.objects.on_live_posts().filter(user=member)
    found = found.approved() if public else found.exclude(status=CommentStatus.TRASH)
    comments = [
        c
        for c in found.select_related("post").order_by("-created_at", "-pk")[:limit]
        if can_read_full_post(viewer, c.post)
    ]
    urls = threads.comment_urls(c for c in comments if c.status == CommentStatus.APPROVED)
    return [
        MemberComment(
            post_title=c.post.title,
            # Held comments have no place of their own yet: the post, where the member sees
            # theirs with its note. Spam is shown to its writer as held, as everywhere.
            url=urls.get(c.pk) or f"{c.post.get_absolute_url()}#comments",
            excerpt=c.excerpt,
            created_at=c.created_at,
            published=c.status == CommentStatus.APPROVED,
        )
        for c in comments
    ]


@dataclass(frozen=True)
class MemberSubscription:
    """A thread a member asked to hear about, with its one-click unsubscribe address."""

    post_title: str
    post_url: str
    unsubscribe_url: str
    confirmed: bool


def member_subscriptions(member: User) -> list[MemberSubscription]:
    """The threads whose new comments are emailed to the member, newest first."""
    found = Subscription.objects.filter(user=member).select_related("post").order_by("-pk")
    return [
        MemberSubscription(
            post_title=s.post.title,
            post_url=s.post.get_absolute_url(),
            unsubscribe_url=reverse(
                "discussion:unsubscribe", args=[tokens.subscription_token(s.pk, "unsubscribe")]
            ),
            confirmed=s.confirmed_at is not None,
        )
        for s in found
    ]


GLOBALS: dict[str, Callable[..., Any]] = {
    "discussion": discussion,
    "responses_heading": responses_heading,
    "recent_comments": recent_comments,
    "member_comments": member_comments,
    "member_subscriptions": member_subscriptions,
}
FILTERS: dict[str, Callable[..., Any]] = {}
