"""The embedded discussion's server side (stoa.api.embed): CORS for the sites allowed to
embed, the thread a page's address names or has made for it (allowed sites only), the
login window (its origin and state checks, consent, the token it hands over), the token's
scope, origin and end, and that nothing the script receives carries an email or an IP."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any
from urllib.parse import urlencode

import freezegun
import pytest
from django.test import Client
from django.utils import timezone

from stoa.api.models import ApiToken, EmbeddedThread
from stoa.api.tests.conftest import Api, token_for
from stoa.discussion.models import Comment, CommentStatus
from stoa.discussion.tests.factories import CommentFactory, ModeratorFactory
from stoa.members.tests.factories import UserFactory
from stoa.members.tests.helpers import verified_member
from stoa.publishing.models import Post, PostStatus
from stoa.publishing.tests.factories import PostFactory

pytestmark = pytest.mark.django_db

SITE = "https://partner.example"  # allowed to embed
APP = "https://app.example"  # CORS only: an app, not a site that embeds
OTHER = "https://elsewhere.example"
PAGE = f"{SITE}/2026/an-article/"
STATE = "s" * 32
GUEST = {"name": "Ada Guest", "email": "ada.guest@example.net"}
IP = "203.0.113.7"  # and a digit: each comment its own address (the flood rule)


@pytest.fixture(autouse=True)
def _origins(settings: Any) -> None:
    settings.STOA_API = {**settings.STOA_API, "EMBED_ORIGINS": [SITE], "CORS_ORIGINS": [APP]}


def _cross(origin: str) -> dict[str, str]:
    """What Chromium sends with a fetch from another site's page."""
    return {"Origin": origin, "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "cors"}


def make_thread(api: Api, url: str = PAGE, origin: str = SITE, title: str = "An article") -> Any:
    return api.send("POST", "/embed/threads", {"url": url, "title": title}, **_cross(origin))


# --------------------------------------------------------------------------- CORS


@pytest.mark.parametrize("origin", [SITE, APP])
def test_a_site_allowed_to_embed_and_a_cors_app_pass_the_preflight(api: Api, origin: str) -> None:
    preflight = api.client.options(
        "/api/v1/embed/threads",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,authorization",
        },
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == origin
    assert "Authorization" in preflight["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in preflight


def test_another_origin_gets_no_cors_and_a_refused_preflight(api: Api) -> None:
    preflight = api.client.options(
        "/api/v1/embed/threads",
        headers={"Origin": OTHER, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 403 and "Access-Control-Allow-Origin" not in preflight
    read = api.get(f"/embed/thread?url={PAGE}", Origin=OTHER)
    assert "Access-Control-Allow-Origin" not in read
    assert "Origin" in read["Vary"]


# --------------------------------------------------------------------------- threads


def test_a_stoa_posts_own_address_names_it(api: Api) -> None:
    post = PostFactory()
    url = f"http://TESTSERVER{post.get_absolute_url()}#comments"
    answer = api.get(f"/embed/thread?url={url}", **_cross(SITE))
    assert answer.status_code == 200, answer.content
    assert answer.json()["post"] == post.pk
    assert answer.json()["url"] == f"http://testserver{post.get_absolute_url()}"
    assert answer["Access-Control-Allow-Origin"] == SITE


def test_a_page_of_an_allowed_site_has_a_post_made_once(api: Api) -> None:
    assert api.get(f"/embed/thread?url={PAGE}", **_cross(SITE)).status_code == 404
    made = make_thread(api, title="  An   article\nabout craft ")
    assert made.status_code == 201, made.content
    post = Post.objects.get(pk=made.json()["post"])
    assert post.title == "An article about craft" and post.is_live
    assert post.status == PostStatus.PUBLISHED and not post.is_members_only
    # Its title comes from the embedding page: read at its address, listed nowhere.
    assert not post.listed
    assert [c.slug for c in post.categories.all()] == ["elsewhere"]
    assert [p.name for p in post.authors.all()] == ["partner.example"]
    assert PAGE in post.body
    # The same page, however its address is written: the same thread, made once.
    for same in (f"{PAGE}#comment-3", "HTTPS://Partner.Example:443/2026/an-article/"):
        again = make_thread(api, url=same)
        assert again.status_code == 200 and again.json()["post"] == post.pk
        found = api.get(f"/embed/thread?url={same.replace('#', '%23')}", **_cross(SITE))
        assert found.json()["post"] == post.pk
    assert EmbeddedThread.objects.get().url == PAGE and Post.objects.count() == 1


@pytest.mark.parametrize(
    ("origin", "url"),
    [
        (APP, f"{APP}/page/"),  # CORS is not enough: the app may not have threads made
        (OTHER, f"{OTHER}/page/"),
        (SITE, f"{OTHER}/page/"),  # an allowed site, for another site's page
        ("", PAGE),  # no browser said where it came from
    ],
)
def test_a_thread_is_made_only_for_an_allowed_sites_own_page(
    api: Api, origin: str, url: str
) -> None:
    headers = _cross(origin) if origin else {}
    answer = api.send("POST", "/embed/threads", {"url": url, "title": "Mine"}, **headers)
    assert answer.status_code == 403
    assert answer.json()["type"].endswith("/embed-not-allowed")
    assert not Post.objects.exists() and not EmbeddedThread.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://partner.example/a",
        "/relative",
        "https://[::1/broken",
        "https://partner.example:99999/",
    ],
)
def test_an_address_that_is_not_http_is_a_400(api: Api, url: str) -> None:
    answer = make_thread(api, url=url)
    assert answer.status_code == 400 and answer.json()["errors"]["url"]


def test_threads_made_per_address_are_limited(api: Api, settings: Any) -> None:
    settings.STOA_API = {**settings.STOA_API, "EMBED_THREADS_PER_ADDRESS": (2, 3600)}
    assert make_thread(api, url=f"{SITE}/1/").status_code == 201
    assert make_thread(api, url=f"{SITE}/2/").status_code == 201
    refused = make_thread(api, url=f"{SITE}/3/")
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert Post.objects.count() == 2
    # Finding a thread already made is not making one.
    assert make_thread(api, url=f"{SITE}/1/").status_code == 200


def test_an_unpublished_threads_post_is_no_thread(api: Api) -> None:
    post = Post.objects.get(pk=make_thread(api).json()["post"])
    post.status = PostStatus.DRAFT
    post.save()
    assert api.get(f"/embed/thread?url={PAGE}", **_cross(SITE)).status_code == 404


def test_a_guest_posts_from_an_allowed_site_without_a_cookie(api: Api) -> None:
    post_id = make_thread(api).json()["post"]
    answer = api.send(
        "POST",
        f"/posts/{post_id}/comments",
        {"body": "From the partner's page.", **GUEST},
        **_cross(SITE),
    )
    assert answer.status_code == 201, answer.content
    assert answer["Access-Control-Allow-Origin"] == SITE
    assert answer.json()["owner_token"]
    assert not answer.cookies  # nothing for the browser to keep
    refused = api.send(
        "POST", f"/posts/{post_id}/comments", {"body": "Me too.", **GUEST}, **_cross(OTHER)
    )
    assert refused.status_code == 403 and refused.json()["text"] == "Me too."


# --------------------------------------------------------------------------- the login window


def _login_url(origin: str = SITE, state: str = STATE) -> str:
    return f"/api/embed/login/?{urlencode({'origin': origin, 'state': state})}"


@pytest.mark.parametrize(
    ("origin", "state"),
    [(OTHER, STATE), (APP, STATE), ("", STATE), (SITE, "short"), (SITE, "x" * 20 + "<>")],
)
def test_the_login_window_opens_only_for_an_allowed_site_with_a_state(
    origin: str, state: str
) -> None:
    client = Client()
    client.force_login(UserFactory())
    answer = client.get(_login_url(origin, state))
    assert answer.status_code == 400
    assert answer.get("Cross-Origin-Opener-Policy") == "same-origin"  # the site's own
    assert client.post(_login_url(origin, state), {"allow": "1"}).status_code == 400
    assert not ApiToken.objects.exists()


def test_a_visitor_logs_in_in_the_window_then_allows_the_site() -> None:
    member = verified_member(email="member.one@example.net")
    member.set_password("a long passphrase 4 tests")
    member.save()
    client = Client(enforce_csrf_checks=True)
    page = client.get(_login_url())
    assert page.status_code == 200
    # The window stays reachable from the page that opened it; nothing of it is kept.
    assert page["Cross-Origin-Opener-Policy"] == "unsafe-none"
    assert "no-store" in page["Cache-Control"]
    csrf = page.cookies["csrftoken"].value
    wrong = client.post(
        _login_url(),
        {"login": "member.one@example.net", "password": "nope", "csrfmiddlewaretoken": csrf},
    )
    assert wrong.status_code == 400 and "member.one@example.net" in wrong.content.decode()
    logged = client.post(
        _login_url(),
        {
            "login": "member.one@example.net",
            "password": "a long passphrase 4 tests",
            "csrfmiddlewaretoken": csrf,
        },
    )
    assert logged.status_code == 302 and logged["Location"] == _login_url()
    asked = client.get(_login_url())
    assert b"Allow and go back" in asked.content and not ApiToken.objects.exists()
    csrf = client.cookies["csrftoken"].value
    # The consent is a form of this site's: without its CSRF token it does nothing.
    assert client.post(_login_url(), {"allow": "1"}).status_code == 403
    assert not ApiToken.objects.exists()
    granted = client.post(_login_url(), {"allow": "1", "csrfmiddlewaretoken": csrf})
    assert granted.status_code == 200
    assert granted["Cross-Origin-Opener-Policy"] == "unsafe-none"
    assert "no-store" in granted["Cache-Control"]
    text = granted.content.decode()
    found = re.search(r'<script id="stoa-embed-grant" type="application/json">(.*?)</script>', text)
    assert found, text
    grant = json.loads(found.group(1))
    assert grant["type"] == "stoa:login" and grant["state"] == STATE and grant["origin"] == SITE
    token = ApiToken.objects.get()
    assert token.user == member and token.origin == SITE
    assert token.scope_list == ["read", "comment"]
    assert token.expires_at is not None
    lifetime = token.expires_at - token.created_at
    assert dt.timedelta(seconds=1799) < lifetime <= dt.timedelta(seconds=1800)
    assert grant["token"].startswith("stoa_") and grant["token"] not in token.digest
    assert "@" not in json.dumps(grant)


def _embed_token(member: Any = None) -> str:
    from stoa.api import services

    _, secret = services.create_embed_token(user=member or UserFactory(), origin=SITE)
    return secret


def test_an_embed_token_answers_only_its_sites_pages() -> None:
    secret = _embed_token()
    api = Api(secret)
    assert api.get("/posts", Origin=SITE).status_code == 200
    for elsewhere in ({"Origin": OTHER}, {"Origin": APP}, {}):
        refused = api.get("/posts", **elsewhere)
        assert refused.status_code == 401, elsewhere
        assert refused.json()["type"].endswith("/invalid-token")


def test_an_embed_token_ends_by_itself_and_the_next_login_clears_it() -> None:
    member = UserFactory()
    secret = _embed_token(member)
    personal = Api(token_for(member))
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    ApiToken.objects.filter(origin="").update(expires_at=None)
    assert Api(secret).get("/posts", Origin=SITE).status_code == 401
    fresh = _embed_token(member)
    assert Api(fresh).get("/posts", Origin=SITE).status_code == 200
    # The ended one is gone; the member's personal token (no end) is not touched.
    assert ApiToken.objects.filter(user=member).count() == 2
    assert personal.get("/posts").status_code == 200


def test_an_embed_token_reads_and_comments_but_never_moderates() -> None:
    moderator = ModeratorFactory()
    api = Api(_embed_token(moderator))
    post = PostFactory()
    written = api.send("POST", f"/posts/{post.pk}/comments", {"body": "As a member."}, Origin=SITE)
    assert written.status_code == 201 and written.json()["owner_token"] is None
    assert Comment.objects.get().user == moderator
    queue = api.get("/moderation/queue", Origin=SITE)
    assert queue.status_code == 403 and queue.json()["scope"] == "moderate"


def test_an_ended_embed_token_is_not_listed_on_the_account_page() -> None:
    member = UserFactory()
    _embed_token(member)
    client = Client()
    client.force_login(member)
    assert f"Comments on {SITE}" in client.get("/account/").content.decode()
    # The account page is kept for the member (stoa.members.cache) until, among other
    # things, the first of their tokens ends by itself: then it is drawn again.
    ends = ApiToken.objects.get(user=member).expires_at
    assert ends is not None
    with freezegun.freeze_time(ends + dt.timedelta(seconds=1)):
        assert f"Comments on {SITE}" not in client.get("/account/").content.decode()


# --------------------------------------------------------------------------- privacy


def test_nothing_the_embed_receives_carries_an_email_or_an_ip(api: Api) -> None:
    """Every answer the script reads on a thread with guests' and members' comments (held,
    spam and approved, each with an email and an address) holds neither."""
    post_id = make_thread(api).json()["post"]
    post = Post.objects.get(pk=post_id)
    member = UserFactory(email="member.two@example.net")
    emails = ["member.two@example.net"]
    statuses = (CommentStatus.APPROVED, CommentStatus.PENDING, CommentStatus.SPAM)
    for n, status in enumerate(statuses):
        comment = CommentFactory(post=post, status=status, ip_address=f"{IP}{n}")
        emails.append(comment.author_email)
    CommentFactory(post=post, user=member, ip_address=f"{IP}9")
    answers = [
        api.get(f"/embed/thread?url={PAGE}", **_cross(SITE)),
        make_thread(api),
        api.send(
            "POST",
            f"/posts/{post_id}/comments",
            {"body": "Held for me.", "name": "Guest", "email": "guest.three@example.net"},
            **_cross(SITE),
        ),
    ]
    emails.append("guest.three@example.net")
    owner = answers[-1].json()["owner_token"]
    approved = Comment.objects.filter(status=CommentStatus.APPROVED).first()
    assert approved is not None
    answers += [
        api.get(f"/posts/{post_id}/comments?owner_token={owner}", **_cross(SITE)),
        api.send("POST", f"/comments/{approved.pk}/report", **_cross(SITE)),
        Api(_embed_token(member)).get(f"/posts/{post_id}/comments", Origin=SITE),
    ]
    for answer in answers:
        assert answer.status_code in (200, 201), answer.content
        body = answer.content.decode()
        assert IP not in body
        assert not any(email in body for email in emails), body
        assert "@" not in body


def test_the_script_has_a_stable_address() -> None:
    answer = Client().get("/embed.js")
    assert answer.status_code == 302 and answer["Location"].endswith("/api/embed.js")
    assert "max-age=300" in answer["Cache-Control"]
