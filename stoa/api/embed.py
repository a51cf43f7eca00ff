"""A post's discussion on another site's page: `<script src="https://stoa.example/embed.js"
data-stoa-thread="URL">` (static/api/embed.js), as Isso and Remark42 embed theirs.

The script is a client of this API and nothing else: it reads the thread, posts, replies
and reports through the same endpoints as any app, across origins with CORS (stoa.api.cors)
and never with cookies, so no third-party cookie is needed: a guest posts as a guest (their
comment's owner key kept by the page, in its own storage), a member logs in through a window
of this site (`login`, below), which hands the page a short-lived token by postMessage.

What is here: which post a page's address names (`find_thread`), the post made for a page
of a site allowed to embed (`make_thread`, STOA_EMBED_ORIGINS only), the login window, and
the stable address of the script (`script`)."""

from __future__ import annotations

import re
from typing import Any, cast
from urllib.parse import urlencode, urlsplit, urlunsplit

from allauth.account.forms import LoginForm
from django.conf import settings
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import Resolver404, resolve
from django.utils.cache import add_never_cache_headers
from django.utils.html import json_script
from django.views.decorators.http import require_http_methods
from ninja import Field, Query, Router, Schema, Status

from stoa.api import cors, limits, services
from stoa.api.auth import caller_of
from stoa.api.models import EmbeddedThread
from stoa.api.problems import Problem, not_found
from stoa.api.reads import PROBLEMS
from stoa.api.schemas import NO_NUL
from stoa.core.clients import client_key
from stoa.members.models import User, display_name
from stoa.publishing.models import Post, can_read_full_post

router = Router(tags=["embed"])
# A login window's `state`: the page's random nonce, echoed back in the message (embed.js).
STATE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
MAX_URL = 500


class ThreadQuery(Schema):
    url: str = Field(
        max_length=MAX_URL, pattern=NO_NUL, description="The page's address (data-stoa-thread)"
    )


class NewThread(Schema):
    url: str = Field(
        max_length=MAX_URL, pattern=NO_NUL, description="The page's address (data-stoa-thread)"
    )
    title: str = Field("", max_length=300, pattern=NO_NUL, description="The page's title")


class EmbeddedThreadOut(Schema):
    post: int = Field(description="The post whose discussion this is (/posts/{post}/comments)")
    title: str
    url: str = Field(description="The discussion's address on this site")
    comments_open: bool
    members_only: bool
    readable: bool = Field(description="Whether this caller may read and write the discussion")


def _address(url: str) -> str:
    """The page's address as threads are keyed: http(s) only, scheme and host in lower case,
    no default port, no fragment (a page's #comments is the same page); its query kept (it
    may name the page). 400 for anything else."""
    try:
        parts = urlsplit(url.strip())
        scheme, port, hostname = parts.scheme.lower(), parts.port, parts.hostname
    except ValueError:  # a broken [IPv6] host, a port out of range
        parts, scheme, port, hostname = urlsplit(""), "", None, None
    if scheme not in ("http", "https") or not hostname:
        raise Problem(
            400,
            "data-stoa-thread must be the page's http or https address.",
            kind="invalid",
            title="The request was not valid",
            errors={"url": ["Not an http(s) address."]},
        )
    host = hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != {"http": 80, "https": 443}[scheme]:
        host = f"{host}:{port}"
    return urlunsplit((scheme, host, parts.path or "/", parts.query, ""))


def _origin(address: str) -> str:
    parts = urlsplit(address)
    return f"{parts.scheme}://{parts.netloc}"


def _own_origins(request: HttpRequest) -> set[str]:
    site = _origin(
        _address(str(getattr(settings, "STOA_SITE_URL", "")) or request.build_absolute_uri("/"))
    )
    return {site, _origin(request.build_absolute_uri("/"))}


def _own_post(address: str) -> Post | None:
    """The published post at this address of the site itself."""
    try:
        match = resolve(urlsplit(address).path)
    except Resolver404:
        return None
    if match.view_name != "publishing:post":
        return None
    return Post.objects.published().filter(slug=match.kwargs.get("slug")).first()


def _answer(request: HttpRequest, post: Post) -> dict[str, Any]:
    caller = caller_of(request)
    return {
        "post": post.pk,
        "title": post.title,
        "url": request.build_absolute_uri(post.get_absolute_url()),
        "comments_open": post.comments_open,
        "members_only": post.is_members_only,
        "readable": can_read_full_post(caller.user, post),
    }


def _found(request: HttpRequest, address: str) -> Post | None:
    if _origin(address) in _own_origins(request):
        return _own_post(address)
    row = EmbeddedThread.objects.select_related("post").filter(url=address).first()
    return row.post if row is not None and row.post.is_live else None


@router.get(
    "/embed/thread",
    response={200: EmbeddedThreadOut, **PROBLEMS},
    summary="The discussion a page shows",
)
def find_thread(request: HttpRequest, query: Query[ThreadQuery]) -> dict[str, Any]:
    """The post whose discussion the page at `url` embeds: a post of this site by its own
    address, or the post made for another site's page. 404 when there is none yet (a page
    of a site allowed to embed then asks `POST /embed/threads`)."""
    caller_of(request)
    post = _found(request, _address(query.url))
    if post is None:
        raise not_found("discussion for this page")
    return _answer(request, post)


@router.post(
    "/embed/threads",
    response={200: EmbeddedThreadOut, 201: EmbeddedThreadOut, **PROBLEMS},
    summary="The discussion a page shows, made for it the first time",
)
def make_thread(request: HttpRequest, data: NewThread) -> Status[dict[str, Any]]:
    """As `GET /embed/thread`, and for a page of a site allowed to embed discussions
    (STOA_EMBED_ORIGINS) that has none yet, a post made for it: only when the request comes
    from that site's own pages (its Origin is the page's), so no site makes threads for
    another's, and at most STOA_API["EMBED_THREADS_PER_ADDRESS"] an hour per address."""
    caller_of(request)
    address = _address(data.url)
    post = _found(request, address)
    if post is not None:
        return Status(200, _answer(request, post))
    origin = request.headers.get("Origin", "")
    if _origin(address) in _own_origins(request):
        raise not_found("post at this address")
    if origin not in cors.embed_origins() or origin != _origin(address):
        raise Problem(
            403,
            "Only a page of a site allowed to embed discussions (STOA_EMBED_ORIGINS) may have "
            "a discussion made for it, and only from its own pages.",
            kind="embed-not-allowed",
            title="This site may not have discussions made here",
        )
    limits.count(
        f"embed-thread:{client_key(request)}", limits.api_setting("EMBED_THREADS_PER_ADDRESS")
    )
    try:
        post, made = services.embedded_thread(url=address, title=data.title, origin=origin)
    except IntegrityError:
        # The same page's first two visits at once: the other one made it.
        post, made = EmbeddedThread.objects.select_related("post").get(url=address).post, False
    return Status(201 if made else 200, _answer(request, post))


# --------------------------------------------------------------------------- the login window


def _no_opener_policy(response: HttpResponse) -> HttpResponse:
    """The window must stay reachable from the page that opened it (window.opener), which
    the site's Cross-Origin-Opener-Policy (same-origin) would cut: these pages only, and only
    for an origin allowed to embed, say unsafe-none (SecurityMiddleware keeps a header a view
    set). Never kept by any cache: the last one carries a token."""
    response["Cross-Origin-Opener-Policy"] = "unsafe-none"
    add_never_cache_headers(response)
    response["Cache-Control"] += ", no-store"
    return response


@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """/api/embed/login/?origin=…&state=…, opened by embed.js as a popup on a click.

    A member not logged in logs in here (allauth's LoginForm and login flow; not at
    /accounts/login/, whose opener policy would cut the window from the page); a logged-in
    member is asked whether the site at `origin` may post comments as them, and on "Allow"
    a token is made (read and comment, short-lived, for that origin only) and handed to
    the opener by postMessage addressed to `origin` alone (static/api/embed-login.js)."""
    origin = request.GET.get("origin", "")
    state = request.GET.get("state", "")
    if origin not in cors.embed_origins() or not STATE.match(state):
        return render(request, "api/embed_refused.html", {"origin": origin}, status=400)
    here = f"{request.path}?{urlencode({'origin': origin, 'state': state})}"
    context: dict[str, Any] = {"origin": origin, "here": here}
    status = 200
    if not request.user.is_authenticated:
        form = LoginForm(data=request.POST or None, request=request)
        if request.method == "POST" and form.is_valid():
            # allauth's own login (its rate limits, its checks), then back here to allow.
            return _no_opener_policy(form.login(request, redirect_url=here))
        if request.method == "POST":
            status = 400
        context["form"] = form
        return _no_opener_policy(render(request, "api/embed_login.html", context, status=status))
    member = cast(User, request.user)
    context["name"] = display_name(member)
    if request.method == "POST" and request.POST.get("allow") == "1":
        token, secret = services.create_embed_token(user=member, origin=origin)
        context["grant"] = True
        # Read by embed-login.js (no inline script: the site's CSP allows none).
        context["grant_json"] = json_script(
            {
                "type": "stoa:login",
                "origin": origin,
                "state": state,
                "token": secret,
                "name": context["name"],
                "expires": token.expires_at.isoformat() if token.expires_at else None,
            },
            "stoa-embed-grant",
        )
    return _no_opener_policy(render(request, "api/embed_login.html", context))


def script(request: HttpRequest) -> HttpResponse:
    """/embed.js: the script's stable address, sent on to its fingerprinted static file
    (kept for a year by browsers); the redirect itself is kept for a few minutes."""
    response = HttpResponseRedirect(static("api/embed.js"))
    response["Cache-Control"] = "public, max-age=300"
    return response
