"""The discussion's pieces of pages it does not own (stoa.core.slots): the thread and form
under a post (POST_FOOTER), and the sections of a member's account and public pages. Each
decides what this reader sees and reads what it needs; its template only prints."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html

from stoa.core import readers
from stoa.core.cache import memoize
from stoa.core.conf import stoa_setting
from stoa.discussion import access, moderation, services, threads, tokens
from stoa.discussion.forms import CommentForm, remembered_commenter
from stoa.discussion.models import Comment, CommentStatus, DiscussionSettings, Subscription
from stoa.discussion.sanitizers import ALLOWED_COMMENT_TAGS_TEXT
from stoa.members.models import User
from stoa.publishing.models import Post

# --------------------------------------------------------------------------- a post's head


def post_feed_link(request: HttpRequest, post: Post) -> str:
    """The post's comment feed, advertised in the page's head as WordPress does
    (feed_links_extra: on a post whose comments are open or that has some, titled
    "Site » Post Comments Feed"). Not for a members-only post: its feed answers members
    only, and feed readers carry no login."""
    if post.is_members_only or not (post.comments_open or post.comment_count):
        return ""
    return format_html(
        '<link rel="alternate" type="application/rss+xml" title="{} » {} Comments Feed" href="{}">',
        stoa_setting("SITE_NAME"),
        post.title,
        reverse("discussion:post_feed", kwargs={"post_id": post.pk}),
    )


# --------------------------------------------------------------------------- under a post


def post_discussion(request: HttpRequest, post: Post, state: Mapping[str, Any]) -> str:
    """The "N Responses to …" section: the thread, this reader's own held comments and
    edit links, and the form in its place. A reader with nothing of their own on the page
    (stoa.core.readers) gets the section every such reader gets, kept until the content
    changes; a form handed back with errors (`state`) is this reader's own too."""
    page = _int(request.GET.get("cpage")) or 0
    if not state and not readers.is_personal(request.META):
        return memoize(
            f"discussion-section-{post.pk}-{page or 1}",
            lambda: _render_section(request, post, state, page or 1),
        )
    return _render_section(request, post, state, page)


def _render_section(request: HttpRequest, post: Post, state: Mapping[str, Any], page: int) -> str:
    """The section at comment page `page`; with 0 (none asked for), the page that holds the
    comment the address's owner token names (where a commenter is sent after writing or
    editing: views._own_url), else the first."""
    settings = DiscussionSettings.current()
    rows = threads.thread_rows(post.pk)
    before: dict[int, str] = {}
    after: dict[int, str] = {}
    token = request.GET.get("c", "")
    owned = tokens.owned_comment_id(token)
    for own in _viewer_comments(request, post):
        if own.status != CommentStatus.APPROVED and access.can_read_comment(
            request.user, own, owner_token_pk=owned
        ):
            # Spam is shown to its writer as held: nothing tells a spammer what happened.
            rows.append(threads.Row(own.pk, own.parent_id, threads.stored_markup([own])[0]))
            before[own.pk] = threads.awaiting_note()
        after[own.pk] = after.get(own.pk, "") + _own_links(request, own, token, post)
    member = request.user if request.user.is_authenticated else None
    form: CommentForm = state.get("comment_form") or CommentForm(
        initial=remembered_commenter(request), member=member is not None
    )
    reply_to = _int(request.GET.get("replytocom")) or _int(str(form["parent"].value() or ""))
    reply_to = reply_to if reply_to in {row.pk for row in rows} else None
    closed = moderation.comments_closed(
        moderation.Candidate(post=post, text="", author_name="", author_email=""),
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
                "preview": state.get("comment_preview"),
                "advice": state.get("comment_advice") or [],
                "first_comment_held": _first_comment_held(settings, member, state),
                "member": member,
            },
            request,
        )
    if reply_to is not None and form_html:
        # Replying without JavaScript (?replytocom=): the form sits under that comment.
        after[reply_to] = after.get(reply_to, "") + form_html
        form_html = ""
    per_page = settings.threads_per_page if settings.paginate else 0
    if not page:
        # Found here, in the rows the page reads anyway, rather than by the comment POST:
        # there it read the whole thread, a write costing more the longer the thread
        # (issue 12).
        pairs = ((row.pk, row.parent_id) for row in rows)
        found = threads.pages_of(
            pairs, [owned] if owned else [], per_page=per_page, newest_first=settings.newest_first
        )
        page = found.get(owned, 1) if owned else 1
    thread = threads.build_thread(
        rows,
        page=page,
        per_page=per_page,
        newest_first=settings.newest_first,
        before=before,
        after=after,
    )
    if page > thread.pages:
        # A comment page past the last is no page: a 404, never kept, rather than the last
        # page again under an address of its own (a new cache entry per number).
        raise Http404("No such comment page.")
    context = {
        "post": post,
        "heading": responses_heading(post.comment_count, post.title),
        "thread": thread,
        "form": form_html,
        "closed": closed.message if closed else "",
    }
    return render_to_string("discussion/thread.html", context, request)


def _first_comment_held(
    settings: DiscussionSettings, member: User | None, state: Mapping[str, Any]
) -> bool:
    """Whether a preview says that a first comment waits for a moderator. The same for every
    guest, whatever address they typed: the preview tells nobody whether an address has
    commented before (the first-comment rule is not advisory). A member is told by their
    own account."""
    if not state.get("comment_preview") or not settings.hold_first_comment:
        return False
    return not moderation.in_good_standing(member)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _viewer_comments(request: HttpRequest, post: Post) -> list[Comment]:
    """This reader's own recent comments under the post (held ones included): named by the
    token in the address after posting, or by their account."""
    owned = tokens.owned_comment_id(request.GET.get("c", ""))
    if not request.user.is_authenticated and owned is None:
        return []
    return list(
        Comment.objects.filter(post=post)
        .written_by(request.user, owner_token_pk=owned)
        .exclude(status=CommentStatus.TRASH)
        .select_related("user__profile")
        .order_by("created_at", "pk")
    )


def _author_of(pk: int | None) -> str:
    if pk is None:
        return ""
    return Comment.objects.filter(pk=pk).values_list("author_name", flat=True).first() or ""


def _own_links(request: HttpRequest, comment: Comment, token: str, post: Post) -> str:
    owned = tokens.owned_comment_id(token)
    if not access.can_edit_comment(request.user, comment, owner_token_pk=owned):
        return ""
    return render_to_string(
        "discussion/own_links.html", {"comment": comment, "token": token, "post": post}
    )


def responses_heading(count: int, title: str) -> str:
    """ "7 Responses to …", "One Response to …", "No Responses yet", as WordPress says it."""
    if count == 0:
        return "No Responses yet"
    if count == 1:
        return f"One Response to “{title}”"
    return f"{count} Responses to “{title}”"


# --------------------------------------------------------------------------- a member's pages


def account_comments(request: HttpRequest, member: User) -> str:
    """The member's own comments, held ones too, on their account page."""
    mine = member_comments(member, viewer=member, public=False)
    return render_to_string("discussion/account_comments.html", {"comments": mine}, request)


def account_guest_comments(request: HttpRequest, member: User) -> str:
    """The guest comments written with one of the member's verified addresses that they
    have not yet said are theirs or not, each with a box to tick: the ticked ones become
    theirs, the others are not offered again (views.claim, services.claim_guest_comments).
    Nothing at all when there are none."""
    offered = list(
        services.offered_comments(user=member)
        .select_related("post")
        .order_by("-created_at", "-pk")[:100]
    )
    if not offered:
        return ""
    comments = [
        GuestComment(
            pk=c.pk,
            post_title=c.post.title,
            post_url=c.post.get_absolute_url(),
            signed=c.author_name,
            excerpt=c.excerpt,
            created_at=c.created_at,
            published=c.status == CommentStatus.APPROVED,
        )
        for c in offered
    ]
    return render_to_string(
        "discussion/account_guest_comments.html", {"comments": comments}, request
    )


def account_subscriptions(request: HttpRequest, member: User) -> str:
    """The threads whose new comments are emailed to the member, each with its unsubscribe."""
    found = Subscription.objects.filter(user=member).select_related("post").order_by("-pk")
    subscriptions = [
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
    return render_to_string(
        "discussion/account_subscriptions.html", {"subscriptions": subscriptions}, request
    )


def profile_comments(request: HttpRequest, member: User) -> str:
    """The member's approved comments that this viewer may read, on their public page."""
    published = member_comments(member, viewer=request.user)
    return render_to_string("discussion/profile_comments.html", {"comments": published}, request)


@dataclass(frozen=True)
class MemberComment:
    """One of a member's comments, as their pages list it."""

    post_title: str
    url: str
    excerpt: str
    created_at: dt.datetime
    published: bool


@dataclass(frozen=True)
class GuestComment:
    """A guest comment a member is asked about: theirs, or not?"""

    pk: int
    post_title: str
    post_url: str
    signed: str
    excerpt: str
    created_at: dt.datetime
    published: bool


@dataclass(frozen=True)
class MemberSubscription:
    """A thread a member asked to hear about, with its one-click unsubscribe address."""

    post_title: str
    post_url: str
    unsubscribe_url: str
    confirmed: bool


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
        if access.can_read_comment(viewer, c)
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
