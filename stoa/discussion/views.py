"""The discussion's pages: writing, previewing, editing and reporting comments, and the
pages behind the links in its emails. Thin: every change goes through services."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import DisallowedHost, RequestDataTooBig, ValidationError
from django.core.exceptions import PermissionDenied as AccessDenied
from django.db import connections, router
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from stoa.core.clients import client_ip, client_key
from stoa.core.templating import login_url
from stoa.discussion import access, moderation, services, tokens
from stoa.discussion.forms import (
    REMEMBER_COOKIE,
    CommentForm,
    EditCommentForm,
    remember_commenter,
)
from stoa.discussion.models import Comment, DiscussionSettings, Subscription
from stoa.members.models import User
from stoa.publishing.models import Post, can_read_full_post
from stoa.publishing.views import live_post, render_post

# Refusals answer with the status that says why (RFC 9110 / RFC 6585).
REFUSAL_STATUS = {"closed": 403, "flood": 429, "duplicate": 409}
# Refusals that are most often a robot's (posting again at once; filling the hidden field):
# a short page with the text handed back, not the whole post page drawn for it, so that a
# robot's hundred posts a second cost the readers as little as they can (issue 10).
SHORT_REFUSALS = {
    "flood": (429, "Please wait a moment before commenting again"),
    "honeypot": (400, "Your comment was not sent"),
}


def cross_site(request: HttpRequest) -> bool:
    """Whether the browser says this POST comes from another site's page.

    Guests' forms carry no CSRF token, so that every reader can be given the same cached
    page (WordPress's have none either). A hostile page could still make a visitor's browser
    post a comment or a report, and set their remembered-details cookie. Browsers say where a
    POST comes from: `Sec-Fetch-Site` (Fetch Metadata), else `Origin` (RFC 6454; "null" from
    sandboxed and privacy-sensitive contexts). Neither header (a mail client's one-click
    unsubscribe, an old browser, a script): nothing to judge by, accepted as before."""
    fetch_site = request.headers.get("Sec-Fetch-Site", "").strip().lower()
    if fetch_site:
        return fetch_site not in ("same-origin", "none")
    origin = request.headers.get("Origin", "").strip()
    if not origin:
        return False
    return origin == "null" or origin not in _own_origins(request)


def _own_origins(request: HttpRequest) -> set[str]:
    origins = set(getattr(settings, "CSRF_TRUSTED_ORIGINS", []))
    with contextlib.suppress(DisallowedHost):  # an unknown host: no origin of ours
        origins.add(f"{request.scheme}://{request.get_host()}")
    return origins


def _csrf_refusal(request: HttpRequest) -> HttpResponse | None:
    """Members' comments are checked for CSRF; guests have no identity a forger could use,
    and a token would cost every cached post page a cookie (WordPress has none either)."""
    if not request.user.is_authenticated:
        return None

    def accept(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    return CsrfViewMiddleware(accept).process_view(request, accept, (), {})


def _refused_from_elsewhere(request: HttpRequest, back: str = "") -> HttpResponse:
    """403 for a POST another site's page made, with the reader's text handed back."""
    context = {
        "heading": "This form was sent from another site",
        "text": "Nothing was done. If you meant to write here, send it again from this site's "
        "own page.",
        "kept": _typed(request),
        "back": back,
    }
    return render(request, "discussion/message.html", context, status=403)


def _typed(request: HttpRequest) -> str:
    """What the reader typed, to hand back when their POST is refused."""
    try:
        return str(request.POST.get("body", ""))
    except RequestDataTooBig:
        return ""


def _too_big(request: HttpRequest, back: str = "") -> HttpResponse:
    """413 for a POST larger than the server takes (DATA_UPLOAD_MAX_MEMORY_SIZE): nothing of
    it was read, so the page says where the text still is rather than a bare Bad Request."""
    limit = getattr(settings, "DATA_UPLOAD_MAX_MEMORY_SIZE", None) or 0
    context = {
        "heading": "Your comment is too long to be received",
        "text": f"Comments are limited to {services.MAX_COMMENT_LENGTH:,} characters, and "
        f"this form sent over {limit // (1024 * 1024) or 1} MB, so none of it was read. "
        "Your text is still in the form: go back with your browser, shorten it, and send it "
        "again.",
        "back": back,
    }
    return render(request, "discussion/message.html", context, status=413)


def _body_too_big(request: HttpRequest) -> bool:
    try:
        request.POST  # noqa: B018 - parsing it is the check
    except RequestDataTooBig:
        return True
    return False


def _reject(request: HttpRequest, post: Any, form: CommentForm, status: int) -> HttpResponse:
    return render_post(request, live_post(post.pk), {"comment_form": form}, status=status)


# Stand-ins for the id and the time in the SQL of _open_post, written once and found again
# among its parameters by value.
_ID_STAND_IN = -918_273_645
_NOW_STAND_IN = dt.datetime(1901, 2, 3, 4, 5, 6, 789_012, tzinfo=dt.UTC)


@functools.cache
def _open_post_sql(alias: str) -> tuple[str, tuple[Any, ...], int, int]:
    """The SQL of Post.objects.published().get(pk=...) on this database, its parameters,
    and where among them the id and the time go: written by the ORM once per process, from
    published() itself (so the rule stays one), not compiled again for every comment."""
    query = Post.objects.using(alias).published(now=_NOW_STAND_IN).filter(pk=_ID_STAND_IN)
    sql, params = query.order_by().query.get_compiler(alias).as_sql()
    now = connections[alias].ops.adapt_datetimefield_value(_NOW_STAND_IN)
    # Each stand-in exactly once: a rule that compared the time twice would otherwise keep
    # the stand-in in the second place, silently.
    if params.count(_ID_STAND_IN) != 1 or params.count(now) != 1:
        raise RuntimeError(f"_open_post_sql: the id and the time not once each in {params!r}")
    return sql, tuple(params), params.index(_ID_STAND_IN), params.index(now)


def _open_post(post_id: int) -> Post:
    """The live post a comment is sent to, without what only its page needs (authors,
    categories, tags): most comments are written and redirected, and a robot's spam should
    cost as little as it can (the page is loaded whole only to show the form again)."""
    # One query by primary key, not kept per content version as the post page is: every
    # approved comment starts a new version, so the next comment found nothing kept and
    # paid for the new version (the content clocks' queries), the copy and its write to
    # the cache, about a third of a comment POST (issue 12); a kept copy saved a robot's
    # spam less than the query costs. Its SQL written once: the ORM's compiling of it
    # (the post's 18 columns, the rule, the model's ordering) cost ~0.6 ms in-process, three
    # times what the same query costs read as raw SQL.
    alias = router.db_for_read(Post)
    ops = connections[alias].ops
    # An id beyond the column's integers finds nothing (the ORM's lookups say so too); sent to
    # the driver, it would be an error (SQLite's OverflowError), a 500.
    lowest, highest = ops.integer_field_range(Post._meta.pk.get_internal_type())
    if not lowest <= post_id <= highest:
        raise Http404("No such post.")
    sql, template, at_id, at_now = _open_post_sql(alias)
    params = list(template)
    params[at_id] = post_id
    params[at_now] = ops.adapt_datetimefield_value(timezone.now())
    post = next(iter(Post.objects.using(alias).raw(sql, params)), None)
    if post is None:
        raise Http404("No such post.")
    return post


def at_the_door(request: HttpRequest, post_id: int) -> HttpResponse | None:
    """A guest's comment put to the policy's door rules (the flood, the honeypot) before
    the post is read or the form checked: the short refusal, or None to go on to `create`,
    where every rule judges it (middleware.CommentDoorMiddleware asks, for requests without
    a session). A robot's hundred POSTs a second cost one indexed query each, not a post
    loaded and a form validated (issue 10). A preview passes: it writes nothing, and the
    flood rule would refuse a person previewing their next comment soon after the last."""
    if _body_too_big(request):
        return _too_big(request)
    data = request.POST
    if "preview" in data:
        return None
    candidate = moderation.Candidate(
        post=Post(pk=post_id),  # by its id alone: door rules do not read the post
        text=data.get("body", ""),
        author_name=data.get("name", "").strip(),
        author_email=data.get("email", "").strip(),
        ip_address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        honeypot=data.get("homepage", ""),
    )
    verdict = moderation.policy().at_the_door(candidate, DiscussionSettings.current())
    if verdict.action != moderation.Action.REFUSE:
        return None
    return _short_refusal(request, verdict, kept=candidate.text, back=_came_from(request))


def _short_refusal(
    request: HttpRequest, verdict: moderation.Verdict, *, kept: str, back: str
) -> HttpResponse:
    status, heading = SHORT_REFUSALS.get(
        verdict.rule, (REFUSAL_STATUS.get(verdict.rule, 400), "Your comment was not sent")
    )
    context = {"heading": heading, "text": verdict.message, "kept": kept, "back": back}
    return render(request, "discussion/refused.html", context, status=status)


def _came_from(request: HttpRequest) -> str:
    """The page the form was on (the Referer, when it is this site's), else the front page:
    the way back from a refusal given before the post was read."""
    referer = request.headers.get("Referer", "")
    with contextlib.suppress(DisallowedHost):
        if referer and url_has_allowed_host_and_scheme(
            referer, {request.get_host()}, request.is_secure()
        ):
            return referer
    return "/"


def _own_url(comment: Comment) -> str:
    """The post page at this comment, carrying the token that lets its author see it. The
    page the token's comment is on, when comments are paged, is found by the post page
    (slots.post_discussion): finding it here read the whole thread on every comment POST,
    which then cost more the longer the thread (issue 12)."""
    query = f"?c={tokens.owner_token(comment.pk)}"
    return f"{comment.post.get_absolute_url()}{query}#comment-{comment.pk}"


@csrf_exempt
@require_POST
def create(request: HttpRequest, post_id: int) -> HttpResponse:
    """Write a comment, or preview it with the moderation rules' advice."""
    if _body_too_big(request):
        return _too_big(request)
    try:
        post = _open_post(post_id)
    except Http404:
        # Unpublished (or deleted) while the reader was writing: say so, and give the text
        # back rather than a bare 404 that loses it.
        context = {
            "heading": "This article is no longer open for comments",
            "text": "It was taken down while you were writing, so your comment was not sent.",
            "kept": _typed(request),
        }
        return render(request, "discussion/message.html", context, status=404)
    if not request.user.is_authenticated and cross_site(request):
        return _refused_from_elsewhere(request, post.get_absolute_url())
    if refusal := _csrf_refusal(request):
        return refusal
    if not can_read_full_post(request.user, post):
        # Who may join a members-only discussion is decided here, where the reader is known
        # (as for CSRF); the services also write what an import or the demo brings, whose
        # commenters are not logged in. The post page shows a visitor no form: say why here,
        # and hand the text back.
        context = {
            "heading": "This discussion is for members: log in to take part.",
            "log_in": login_url(post.get_absolute_url()),
            "kept": request.POST.get("body", ""),
            "back": post.get_absolute_url(),
        }
        return render(request, "discussion/message.html", context, status=403)
    member = request.user.is_authenticated
    form = CommentForm(request.POST, member=member)
    if not form.is_valid():
        return _reject(request, post, form, 400)
    data = form.cleaned_data
    author: User | services.Guest
    if member:
        author = request.user  # type: ignore[assignment]
    else:
        author = services.Guest(name=data["name"], email=data["email"], url=data["url"])
    origin = services.Origin(
        ip_address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        honeypot=data["homepage"],
    )
    parent = None
    if data["parent"]:
        parent = Comment.objects.filter(pk=data["parent"]).first()
        if parent is None:
            form.add_error(None, "The comment you are replying to no longer exists.")
            return _reject(request, post, form, 400)
    try:
        if "preview" in request.POST:
            candidate = services.candidate_for(
                post=post, author=author, body=data["body"], origin=origin
            )
            advice = moderation.policy().advise(candidate, DiscussionSettings.current())
            state = {"comment_form": form, "comment_preview": candidate, "comment_advice": advice}
            return render_post(request, live_post(post.pk), state)
        comment = services.post_comment(
            post=post,
            author=author,
            body=data["body"],
            parent=parent,
            origin=origin,
            subscribe=data["subscribe"],
        )
    except ValidationError as error:
        # A refused parent belongs to a hidden field: say it above the form instead.
        shown = {"name", "email", "url", "body"}
        for field, messages in error.message_dict.items():
            form.add_error(field if field in shown else None, messages)
        return _reject(request, post, form, 400)
    except services.CommentRefused as refused:
        if refused.verdict.rule in SHORT_REFUSALS:
            back = post.get_absolute_url()
            return _short_refusal(request, refused.verdict, kept=data["body"], back=back)
        form.add_error(None, refused.verdict.message)
        return _reject(request, post, form, REFUSAL_STATUS.get(refused.verdict.rule, 400))
    response = HttpResponseRedirect(_own_url(comment))
    if not member and data["remember"]:
        remember_commenter(response, data)
    elif not member and REMEMBER_COOKIE in request.COOKIES:
        response.delete_cookie(REMEMBER_COOKIE)
    return response


class PermissionDenied(Exception):
    """This reader may not change that comment."""


def _editable(request: HttpRequest, pk: int, *, writer_only: bool = False) -> tuple[Comment, str]:
    """The comment, if this reader may change it now (stoa.discussion.access); 403
    otherwise. `writer_only`: withdrawing is its writer's act, never a moderator's."""
    comment = get_object_or_404(Comment.objects.select_related("post"), pk=pk)
    token = request.POST.get("c") or request.GET.get("c") or ""
    owner = tokens.owned_comment_id(token)
    decision = access.can_edit_comment(request.user, comment, owner_token_pk=owner)
    if not decision:
        raise PermissionDenied(decision.reason.label)
    if writer_only and not access.is_writer(request.user, comment, owner_token_pk=owner):
        raise PermissionDenied(access.Reason.NOT_WRITER.label)
    return comment, token


def _forbidden(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "discussion/message.html", {"heading": reason}, status=403)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A commenter changes their comment within the edit window."""
    if request.method == "POST" and _body_too_big(request):
        return _too_big(request)
    if request.method == "POST" and not request.user.is_authenticated and cross_site(request):
        return _refused_from_elsewhere(request)
    if refusal := _csrf_refusal(request):
        return refusal
    try:
        comment, token = _editable(request, pk)
    except PermissionDenied as denied:
        return _forbidden(request, str(denied))
    form = EditCommentForm(request.POST or None, initial={"body": comment.text})
    if request.method == "POST" and form.is_valid():
        editor = request.user if request.user.is_authenticated else None
        try:
            services.edit_comment(
                comment=comment,
                body=form.cleaned_data["body"],
                editor=editor,
            )
        except ValidationError as error:
            form.add_error("body", error.messages)
        except services.CommentRefused as refused:
            # The configured policy may refuse an edit outright: the text stays in the form.
            form.add_error("body", refused.verdict.message)
        else:
            return HttpResponseRedirect(_own_url(comment))
    status = 400 if request.method == "POST" else 200
    context = {"comment": comment, "form": form, "token": token}
    return render(request, "discussion/edit.html", context, status=status)


@csrf_exempt
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    """A commenter withdraws their comment within the edit window."""
    if not request.user.is_authenticated and cross_site(request):
        return _refused_from_elsewhere(request)
    if refusal := _csrf_refusal(request):
        return refusal
    try:
        comment, _ = _editable(request, pk, writer_only=True)
    except PermissionDenied as denied:
        return _forbidden(request, str(denied))
    actor = request.user if request.user.is_authenticated else None
    services.delete_own_comment(comment=comment, actor=actor)
    return HttpResponseRedirect(f"{comment.post.get_absolute_url()}#comments")


def reporter_key(request: HttpRequest) -> str:
    """Who is reporting: the account, or a keyed hash of the address (never stored plain)."""
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    raw = f"{settings.SECRET_KEY}:{client_key(request)}".encode()
    return "ip:" + hashlib.sha256(raw).hexdigest()[:40]


@csrf_exempt
@require_POST
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """A reader reports a comment; a moderator decides (enough reports from members hide
    it until then: services.flag_comment)."""
    comment = get_object_or_404(Comment.objects.select_related("post"), pk=pk)
    if not access.can_report(request.user, comment):
        raise Http404("No comment to report here.")
    if not request.user.is_authenticated and cross_site(request):
        return _refused_from_elsewhere(request, comment.post.get_absolute_url())
    if _csrf_refusal(request):
        # A member's Report button sits in the comment's shared markup, which carries no
        # personal token: ask them to confirm on a page of their own, which does.
        context = {"comment": comment, "back": comment.post.get_absolute_url()}
        return render(request, "discussion/report.html", context)
    services.flag_comment(
        comment=comment,
        reporter=reporter_key(request),
        # A member's report may hide a comment; a visitor's only tells the moderators.
        reporter_is_member=request.user.is_authenticated,
    )
    return render(
        request,
        "discussion/message.html",
        {
            "heading": "Thank you for telling us",
            "text": "A moderator will read the comment and decide what happens to it.",
            "back": comment.post.get_absolute_url(),
        },
    )


def _comment_ids(values: list[str]) -> set[int]:
    """Comment ids sent by a form; ValueError for anything else (a number too long for the
    database included)."""
    if not all(value.isascii() and value.isdigit() and len(value) < 19 for value in values):
        raise ValueError("not a comment id")
    return {int(value) for value in values}


@login_required
@require_POST
def claim(request: HttpRequest) -> HttpResponse:
    """A member says which guest comments written with their verified addresses are theirs:
    the ticked ones become theirs, the others offered on the same form are not offered again
    (their account page's section: slots.account_guest_comments)."""
    try:
        chosen = _comment_ids(request.POST.getlist("claim"))
        offered = _comment_ids(request.POST.getlist("offered"))
    except ValueError:
        context = {
            "heading": "This form was not understood",
            "text": "Nothing was changed. Go back to your account page and try again.",
            "back": reverse("members:account"),
        }
        return render(request, "discussion/message.html", context, status=400)
    try:
        count = services.claim_guest_comments(
            user=cast(User, request.user), comment_ids=chosen, declined_ids=offered - chosen
        )
    except AccessDenied as refused:
        return _forbidden(request, str(refused))
    if count:
        messages.success(
            request, f"{count} comment{'s are' if count > 1 else ' is'} now signed with your name."
        )
    else:
        messages.success(request, "Nothing was changed; you will not be asked about those again.")
    return HttpResponseRedirect(reverse("members:account"))


@require_http_methods(["GET", "POST"])
def moderate_link(request: HttpRequest, token: str) -> HttpResponse:
    """A moderator's one-click link from an email: shows the comment and, on the button,
    does what the link says. The button is there because mail scanners follow links."""
    found = tokens.read_moderation_token(token)
    if found is None:
        return _forbidden(request, "This moderation link is not valid, or it has expired.")
    comment_id, action, moderator_id = found
    moderator = User.objects.filter(pk=moderator_id or 0).first()
    if not access.can_moderate(moderator):
        return _forbidden(request, "This moderation link is not valid, or it has expired.")
    comment = get_object_or_404(Comment.objects.select_related("post"), pk=comment_id)
    done = False
    if request.method == "POST":
        services.move_comment(comment=comment, move=access.Move(action), actor=moderator)
        done = True
    context = {"comment": comment, "action": action, "done": done}
    return render(request, "discussion/moderate.html", context)


@require_http_methods(["GET", "POST"])
def confirm_subscription(request: HttpRequest, token: str) -> HttpResponse:
    """The second step of the double opt-in: a page with a button, since mail scanners
    follow links (a GET confirms nothing), as for email verification."""
    pk = tokens.read_subscription_token(token, "confirm")
    subscription = Subscription.objects.filter(pk=pk or 0).select_related("post").first()
    if subscription is None:
        return _forbidden(request, "This confirmation link is not valid any more.")
    post = subscription.post
    if request.method == "GET" and subscription.confirmed_at is None:
        context = {
            "heading": "Confirm your subscription",
            "text": f"Email me when someone comments under “{post.title}”.",
            "button": "Yes, email me",
            "back": post.get_absolute_url(),
        }
        return render(request, "discussion/confirm.html", context)
    services.confirm_subscription(subscription=subscription)
    context = {
        "heading": "You are subscribed",
        "text": f"We will email you when someone replies under “{post.title}”. "
        "Every email has a link to stop them.",
        "back": post.get_absolute_url(),
    }
    return render(request, "discussion/message.html", context)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One-click unsubscribe (a POST from the mail client, RFC 8058, or a click)."""
    pk = tokens.read_subscription_token(token, "unsubscribe")
    subscription = Subscription.objects.filter(pk=pk or 0).select_related("post").first()
    if subscription is not None:
        post = subscription.post
        services.unsubscribe(subscription=subscription)
        text = f"You will get no more emails about replies under “{post.title}”."
    else:
        text = "This address was not subscribed (any more)."
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        # From a member's account page: back there, saying what happened.
        messages.success(request, text)
        return HttpResponseRedirect(back)
    return render(request, "discussion/message.html", {"heading": "Unsubscribed", "text": text})
