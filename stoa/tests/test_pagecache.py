"""Anonymous readers' pages from the cache (stoa.core.pagecache), on the assembled site: what
is kept, what is never kept, and that a kept page is never shown once what it shows has
changed: real posts, comments, feeds and members through the page cache and the middleware.
(The cache's own rules, with stand-in views, are core's: stoa/core/tests/test_pagecache.py.)

Two ways in: the test client (Django with PageCacheMiddleware first in MIDDLEWARE, which
stores pages and, with nothing in front, answers from the cache), and a small WSGI harness
calling CachedPages around Django's WSGI handler, as gunicorn calls stoa.wsgi.application.
"""

from __future__ import annotations

import datetime as dt
import gzip
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connections, transaction
from django.test import Client, RequestFactory
from django.urls import set_script_prefix
from django.utils import timezone
from django.utils.http import http_date, parse_http_date

from stoa.core import pagecache, readers
from stoa.core.pagecache import MIDDLEWARE_PATH, CachedPages
from stoa.discussion import services, tokens
from stoa.discussion.forms import REMEMBER_COOKIE
from stoa.discussion.models import CommentStatus, DiscussionSettings
from stoa.discussion.tests.factories import CommentFactory
from stoa.publishing import services as publishing
from stoa.publishing.models import Post
from stoa.publishing.tests.factories import PageFactory, PostFactory, UserFactory

pytestmark = pytest.mark.django_db

CACHE_HEADER = "X-Stoa-Cache"
AGO = timezone.now() - dt.timedelta(
    hours=2
)  # a returning commenter's first comment: past the flood interval


@pytest.fixture(autouse=True)
def page_cache(settings: Any) -> None:
    """PageCacheMiddleware first in MIDDLEWARE, as in production."""
    settings.MIDDLEWARE = [
        MIDDLEWARE_PATH,
        *(m for m in settings.MIDDLEWARE if m != MIDDLEWARE_PATH),
    ]


@pytest.fixture
def post() -> Post:
    return PostFactory(title="On Listening")


# --- The WSGI harness -------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def __getitem__(self, name: str) -> str:
        return self.headers[name.lower()]

    def get(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class Harness:
    """stoa.wsgi's application, built here (after the settings fixture changed MIDDLEWARE),
    counting the requests that reach Django."""

    def __init__(self) -> None:
        self.reached_django = 0
        django_app = WSGIHandler()

        def counting(environ: dict[str, Any], start_response: Any) -> Any:
            self.reached_django += 1
            return django_app(environ, start_response)

        self.app = CachedPages(counting)

    def request(
        self, path: str, method: str = "GET", script_name: str | None = None, **headers: str
    ) -> Answer:
        environ = RequestFactory().generic(method, path, **headers).environ
        if script_name is not None:  # as the server passes it (WSGIRequest applied Django's)
            environ["SCRIPT_NAME"] = script_name
        got: dict[str, Any] = {}

        def start_response(status: str, response_headers: list[tuple[str, str]]) -> None:
            got["status"] = int(status.split()[0])
            got["headers"] = {k.lower(): v for k, v in response_headers}

        # As the test client does: the test's transaction must survive the request signals.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            result = self.app(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return Answer(got["status"], got["headers"], body)


@pytest.fixture
def wsgi() -> Harness:
    return Harness()


# --- Served from the cache --------------------------------------------------------------------


def test_second_anonymous_get_is_a_hit_with_the_same_page(client: Client, post: Post) -> None:
    first = client.get(post.get_absolute_url())
    second = client.get(post.get_absolute_url())
    assert first.status_code == second.status_code == 200
    assert first[CACHE_HEADER] == "miss"
    assert second[CACHE_HEADER] == "hit"
    assert second.content == first.content
    assert b"On Listening" in second.content
    for name in ("ETag", "Last-Modified", "Cache-Control", "Content-Type"):
        assert second[name] == first[name]


def test_a_page_from_the_cache_keeps_every_header(client: Client, post: Post) -> None:
    first = client.get(post.get_absolute_url())
    second = client.get(post.get_absolute_url())
    for name in (
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "Vary",
    ):
        assert second[name] == first[name], name
    assert "Set-Cookie" not in second
    assert not second.cookies


def test_validators_and_cache_control(client: Client, post: Post) -> None:
    response = client.get(post.get_absolute_url())
    etag = response["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) > 10  # strong, quoted
    assert response["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert response["X-Accel-Expires"] == "1"
    modified = parse_http_date(response["Last-Modified"])
    assert abs(time.time() - modified) < 5


def test_conditional_gets_are_answered_304(client: Client, post: Post) -> None:
    url = post.get_absolute_url()
    page = client.get(url)
    etag, modified = page["ETag"], page["Last-Modified"]

    by_etag = client.get(url, headers={"If-None-Match": etag})
    assert by_etag.status_code == 304
    assert by_etag.content == b""
    assert by_etag["ETag"] == etag
    assert by_etag["Last-Modified"] == modified
    assert by_etag["Cache-Control"] == "public, max-age=0, must-revalidate"

    assert client.get(url, headers={"If-None-Match": f'"x", W/{etag}'}).status_code == 304
    assert client.get(url, headers={"If-None-Match": "*"}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    later = http_date(time.time() + 60)
    assert client.get(url, headers={"If-Modified-Since": later}).status_code == 304

    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    earlier = http_date(time.time() - 3600)
    assert client.get(url, headers={"If-Modified-Since": earlier}).status_code == 200
    # If-None-Match decides when both are sent.
    both = {"If-None-Match": '"other"', "If-Modified-Since": later}
    assert client.get(url, headers=both).status_code == 200


def test_a_conditional_get_is_answered_304_on_a_miss_too(client: Client, post: Post) -> None:
    url = post.get_absolute_url()
    etag = client.get(url)["ETag"]
    cache.clear()  # dropped (expired, evicted): made again, the same page
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again[CACHE_HEADER] == "miss"


def test_head_is_answered_from_the_cache(client: Client, post: Post) -> None:
    url = post.get_absolute_url()
    page = client.get(url)
    head = client.head(url)
    assert head.status_code == 200
    assert head[CACHE_HEADER] == "hit"
    assert head.content == b""
    assert head["ETag"] == page["ETag"]


def test_feeds_sitemap_and_robots_are_kept_with_their_types(client: Client, post: Post) -> None:
    CommentFactory(post=post)
    for path, content_type in [
        ("/feed/", "application/rss+xml"),
        ("/feed/atom/", "application/atom+xml"),
        ("/comments/feed/", "application/rss+xml"),
        (f"/comments/post/{post.pk}/feed/", "application/rss+xml"),
        ("/sitemap.xml", "application/xml"),
        ("/robots.txt", "text/plain"),
    ]:
        first, second = client.get(path), client.get(path)
        assert first[CACHE_HEADER] == "miss", path
        assert second[CACHE_HEADER] == "hit", path
        assert second["Content-Type"].startswith(content_type), path
        assert second.content == first.content


def test_a_kept_page_costs_no_query(
    client: Client, post: Post, django_assert_num_queries: Any
) -> None:
    CommentFactory(post=post)
    category = post.categories.get()
    for url in ("/", post.get_absolute_url(), category.get_absolute_url(), "/feed/"):
        client.get(url)
        with django_assert_num_queries(0):
            assert client.get(url)[CACHE_HEADER] == "hit"


def test_pages_of_a_thread_are_kept_apart(client: Client, post: Post) -> None:
    settings_row = DiscussionSettings.current()
    settings_row.paginate, settings_row.threads_per_page = True, 1
    settings_row.save()
    for n in range(3):
        CommentFactory(post=post, text=f"Top-level comment {n}.")
    url = post.get_absolute_url()
    for query in ("?cpage=2", "?cpage=3"):
        client.get(f"{url}{query}")
        assert client.get(f"{url}{query}")[CACHE_HEADER] == "hit", query
    assert client.get(url)[CACHE_HEADER] == "miss"


def test_scheme_and_host_are_part_of_the_address(client: Client, post: Post, settings) -> None:
    settings.ALLOWED_HOSTS = ["testserver", "other.example"]
    url = post.get_absolute_url()
    client.get(url)
    assert client.get(url)[CACHE_HEADER] == "hit"
    over_https = client.get(url, secure=True)
    assert over_https[CACHE_HEADER] == "miss"
    assert b"https://testserver/" in over_https.content
    other = client.get(url, headers={"Host": "other.example"})
    assert other[CACHE_HEADER] == "miss"
    assert b"http://other.example/" in other.content


def test_an_unknown_host_is_refused_not_kept(client: Client, post: Post) -> None:
    url = post.get_absolute_url()
    assert client.get(url, headers={"Host": "evil.example"}).status_code == 400
    assert client.get(url, headers={"Host": "evil.example"}).status_code == 400


# --- Never stale ------------------------------------------------------------------------------


def test_a_reader_never_sees_a_stale_thread_after_an_approval(client: Client, post: Post) -> None:
    held = CommentFactory(post=post, status=CommentStatus.PENDING, text="Held for moderation.")
    url = post.get_absolute_url()
    client.get(url)
    cached = client.get(url)
    assert cached[CACHE_HEADER] == "hit"
    assert b"Held for moderation." not in cached.content

    services.approve_comment(comment=held)
    after = client.get(url)
    assert after[CACHE_HEADER] == "miss"
    assert b"Held for moderation." in after.content
    assert after["ETag"] != cached["ETag"]
    # A reader revalidating their copy gets the new page, not 304.
    assert client.get(url, headers={"If-None-Match": cached["ETag"]}).status_code == 200


def test_the_same_through_wsgi(wsgi: Harness, post: Post) -> None:
    held = CommentFactory(post=post, status=CommentStatus.PENDING, text="Held for moderation.")
    url = post.get_absolute_url()
    wsgi.request(url)
    wsgi.request(url)
    assert wsgi.reached_django == 1
    # And again from this process's memory.
    assert b"Held for moderation." not in wsgi.request(url).body
    assert wsgi.reached_django == 1

    services.approve_comment(comment=held)
    after = wsgi.request(url)
    assert wsgi.reached_django == 2
    assert after[CACHE_HEADER] == "miss"
    assert b"Held for moderation." in after.body
    assert b"Held for moderation." in wsgi.request(url).body


def test_a_post_edit_is_seen_at_once(client: Client, wsgi: Harness, post: Post) -> None:
    url = post.get_absolute_url()
    for _ in range(2):
        client.get(url)
        wsgi.request(url)
    post.body = "<p>A corrected paragraph.</p>"
    publishing.save_post(post=post)
    assert b"A corrected paragraph." in client.get(url).content
    assert b"A corrected paragraph." in wsgi.request(url).body


def test_a_published_post_appears_on_the_home_page(client: Client, post: Post) -> None:
    client.get("/")
    assert client.get("/")[CACHE_HEADER] == "hit"
    PostFactory(title="Fresh from the press")
    assert b"Fresh from the press" in client.get("/").content


def test_a_scheduled_post_appears_when_its_time_comes(
    client: Client, wsgi: Harness, post: Post, monkeypatch: pytest.MonkeyPatch
) -> None:
    PostFactory(title="Coming on Monday", scheduled=True, is_featured=True)
    url = post.get_absolute_url()
    for _ in range(2):
        assert b"Coming on Monday" not in client.get(url).content
        assert b"Coming on Monday" not in wsgi.request(url).body
    assert client.get(url)[CACHE_HEADER] == "hit"

    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + dt.timedelta(days=3))
    # The featured teaser in the sidebar, on every page.
    assert b"Coming on Monday" in wsgi.request(url).body
    assert b"Coming on Monday" in client.get(url).content


def test_a_returning_commenters_comment_is_seen_at_once(client: Client, post: Post) -> None:
    CommentFactory(post=post, author_name="Ann", author_email="ann@example.net", created_at=AGO)
    url = post.get_absolute_url()
    client.get(url)
    assert client.get(url)[CACHE_HEADER] == "hit"
    comment = services.post_comment(
        post=post,
        author=services.Guest(name="Ann", email="ann@example.net"),
        body="Back again, with a second thought.",
    )
    assert comment.status == CommentStatus.APPROVED
    assert b"Back again, with a second thought." in client.get(url).content


def test_a_comment_posted_through_the_site_is_seen_at_once(client: Client, post: Post) -> None:
    CommentFactory(post=post, author_name="Ann", author_email="ann@example.net", created_at=AGO)
    url = post.get_absolute_url()
    client.get(url)
    assert client.get(url)[CACHE_HEADER] == "hit"
    data = {"name": "Ann", "email": "ann@example.net", "body": "Posted through the form."}
    assert Client().post(f"/comments/post/{post.pk}/", data).status_code == 302
    assert b"Posted through the form." in client.get(url).content


def test_a_page_changed_within_the_same_second_gets_no_last_modified(
    client: Client, post: Post, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Last-Modified has whole seconds: a new page with the old page's Last-Modified would
    be answered 304 to a reader asking If-Modified-Since with the old one."""
    clock = [1_900_000_000.2]
    monkeypatch.setattr(pagecache.time, "time", lambda: clock[0])
    url = post.get_absolute_url()
    old = client.get(url)
    since = {"If-Modified-Since": old["Last-Modified"]}
    assert client.get(url, headers=since).status_code == 304
    CommentFactory(post=post, text="A new comment.")
    clock[0] += 0.5  # the same second
    fresh = client.get(url, headers=since)
    assert fresh.status_code == 200
    assert b"A new comment." in fresh.content
    assert fresh[CACHE_HEADER] == "miss"
    assert "Last-Modified" not in fresh
    assert client.get(url, headers={"If-None-Match": fresh["ETag"]}).status_code == 304
    hit = client.get(url, headers=since)
    assert hit.status_code == 200 and hit[CACHE_HEADER] == "hit"

    CommentFactory(post=post, text="Another one.")
    clock[0] += 1
    later = client.get(url, headers=since)
    assert later.status_code == 200
    assert b"Another one." in later.content
    assert later["Last-Modified"] == http_date(clock[0])


def test_an_unchanged_page_keeps_its_validators_across_versions(client: Client) -> None:
    PostFactory()
    first = client.get("/robots.txt")
    PostFactory()  # a new version; robots.txt is the same
    again = client.get("/robots.txt")
    assert again[CACHE_HEADER] == "miss"
    assert again["ETag"] == first["ETag"]
    assert again["Last-Modified"] == first["Last-Modified"]


# --- Personal pages are never kept -----------------------------------------------------------


def assert_never_kept(client: Client, url: str, **extra: Any) -> None:
    for _ in range(2):
        response = client.get(url, **extra)
        assert CACHE_HEADER not in response, response.get(CACHE_HEADER)
        assert "ETag" not in response
    # Nor did it leave anything a reader without it could be given.
    plain = url.split("?", 1)[0]
    assert Client().get(plain)[CACHE_HEADER] == "miss"


def test_a_session_cookie_is_never_served_nor_stored(client: Client, post: Post) -> None:
    url = post.get_absolute_url()
    client.cookies["sessionid"] = "not-a-real-session"
    assert_never_kept(client, url)
    assert client.get(url)["Cache-Control"] == "private"


def test_a_member_gets_fresh_pages(client: Client, post: Post) -> None:
    url = post.get_absolute_url()
    Client().get(url)  # kept for anonymous readers
    client.force_login(UserFactory(first_name="Mia", last_name="Member"))
    page = client.get(url)
    assert CACHE_HEADER not in page
    assert b"Logged in as Mia Member" in page.content
    assert page["Cache-Control"] == "private"


def test_a_remembered_commenter_is_never_served_nor_stored(client: Client, post: Post) -> None:
    assert REMEMBER_COOKIE in readers.rules().personal_cookies
    data = {"name": "Rae", "email": "rae@example.net", "body": "First!", "remember": "on"}
    client.post(f"/comments/post/{post.pk}/", data)
    assert REMEMBER_COOKIE in client.cookies
    cache.clear()
    assert_never_kept(client, post.get_absolute_url())
    assert b'value="rae@example.net"' in client.get(post.get_absolute_url()).content


def test_a_held_comments_writer_sees_it_never_from_the_cache(client: Client, post: Post) -> None:
    held = CommentFactory(post=post, status=CommentStatus.PENDING, text="Mine, held.")
    url = f"{post.get_absolute_url()}?c={tokens.owner_token(held.pk)}"
    assert_never_kept(client, url)
    assert b"Mine, held." in client.get(url).content
    assert b"Mine, held." not in Client().get(post.get_absolute_url()).content


def test_a_reply_in_progress_is_never_kept(client: Client, post: Post) -> None:
    comment = CommentFactory(post=post)
    assert_never_kept(client, f"{post.get_absolute_url()}?replytocom={comment.pk}")


def test_arbitrary_queries_are_served_fresh(client: Client, post: Post) -> None:
    for query in ("?utm_source=mail", "?page=x", "?page=1&page=2&page=3", "?cpage=1&c=x"):
        response = client.get(f"{post.get_absolute_url()}{query}")
        assert CACHE_HEADER not in response, query


def test_posts_are_never_served_nor_stored(client: Client, post: Post) -> None:
    url = post.get_absolute_url()
    client.get(url)
    for _ in range(2):
        assert CACHE_HEADER not in client.post(url)
    assert client.post(f"/comments/post/{post.pk}/", {"body": ""}).status_code == 400


def test_missing_pages_are_not_kept(client: Client, post: Post) -> None:
    for _ in range(2):
        response = client.get("/no-such-page/")
        assert response.status_code == 404
        assert CACHE_HEADER not in response


def test_redirects_are_not_kept(client: Client, post: Post) -> None:
    wrong_date = post.get_absolute_url().replace(f"/{post.published_at:%Y}/", "/1999/")
    for _ in range(2):
        response = client.get(wrong_date)
        assert response.status_code == 301
        assert CACHE_HEADER not in response


def test_without_the_middleware_nothing_is_cached(
    client: Client, wsgi: Harness, post: Post, settings
) -> None:
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != MIDDLEWARE_PATH]
    url = post.get_absolute_url()
    for _ in range(2):
        assert CACHE_HEADER not in client.get(url)
    harness = Harness()
    for _ in range(2):
        assert harness.request(url).get(CACHE_HEADER) is None
    assert harness.reached_django == 2


# --- One address, however it is written (issue 10, item 8) ------------------------------------


def test_the_first_pages_other_address_is_answered_from_the_bare_page_and_never_kept(
    wsgi: Harness, post: Post
) -> None:
    # The site's links and canonical addresses never write page 1: `?page=1` and `?cpage=1`
    # are the bare page, answered from its entry; never a new one.
    bare = wsgi.request("/")
    for query in ("?page=1", "?cpage=1", "?cpage=1&page=1"):
        again = wsgi.request(f"/{query}")
        assert again[CACHE_HEADER] == "hit", query
        assert again.body == bare.body, query
    assert wsgi.reached_django == 1
    cache.clear()
    for _ in range(2):
        first_page = wsgi.request("/?page=1")
        assert first_page.status == 200
        assert first_page.get(CACHE_HEADER) is None  # made, not kept
    assert wsgi.request("/")[CACHE_HEADER] == "miss"
    assert wsgi.reached_django == 4


@pytest.mark.parametrize("query", ["?page=3", "?page=3&cpage=2", "?cpage=2&page=3"])
def test_a_page_number_an_article_does_not_use_is_a_404_never_kept(
    wsgi: Harness, post: Post, query: str
) -> None:
    for _ in range(2):
        answer = wsgi.request(f"{post.get_absolute_url()}{query}")
        assert answer.status == 404
        assert answer.get(CACHE_HEADER) is None
    assert wsgi.reached_django == 2


def test_a_comment_page_past_the_last_and_on_a_list_are_404s_never_kept(
    wsgi: Harness, post: Post
) -> None:
    for address in (f"{post.get_absolute_url()}?cpage=2", "/?cpage=2"):
        for _ in range(2):
            answer = wsgi.request(address)
            assert answer.status == 404, address
            assert answer.get(CACHE_HEADER) is None
    assert wsgi.reached_django == 4


@pytest.mark.parametrize(
    "query", ["?page=01", "?page=0", "?cpage=0", "?cpage=002", "?page=2&page=2"]
)
def test_padded_zero_or_repeated_page_numbers_are_answered_fresh_and_never_kept(
    wsgi: Harness, post: Post, query: str
) -> None:
    for _ in range(2):
        answer = wsgi.request(f"/{query}")
        assert answer.get(CACHE_HEADER) is None
    assert wsgi.reached_django == 2
    assert wsgi.request("/")[CACHE_HEADER] == "miss"


def test_a_page_number_past_the_last_page_is_a_404_never_kept(wsgi: Harness, post: Post) -> None:
    for _ in range(2):
        past = wsgi.request("/?page=999999")
        assert past.status == 404
        assert past.get(CACHE_HEADER) is None
    assert wsgi.reached_django == 2


@pytest.mark.parametrize("host", ["LOCALHOST.", "localhost:80", "LocalHost"])
def test_a_host_spelt_another_way_is_answered_from_the_page_of_its_address(
    wsgi: Harness, post: Post, host: str
) -> None:
    url = post.get_absolute_url()
    kept = wsgi.request(url, HTTP_HOST="localhost")
    assert b"http://localhost/" in kept.body
    other = wsgi.request(url, HTTP_HOST=host)
    assert other[CACHE_HEADER] == "hit"
    assert other.body == kept.body
    assert wsgi.reached_django == 1


def test_a_page_made_for_a_host_spelt_another_way_is_never_kept(wsgi: Harness, post: Post) -> None:
    url = post.get_absolute_url()
    for _ in range(2):
        odd = wsgi.request(url, HTTP_HOST="LOCALHOST.")
        assert odd.status == 200
        assert odd.get(CACHE_HEADER) is None
    first = wsgi.request(url, HTTP_HOST="localhost")
    assert first[CACHE_HEADER] == "miss"
    assert b"LOCALHOST." not in first.body
    assert wsgi.reached_django == 3


@pytest.fixture
def script_prefix() -> Iterator[None]:
    """Django keeps the last request's SCRIPT_NAME for reverse() in the thread: put it back."""
    yield
    set_script_prefix("/")


@pytest.mark.usefixtures("script_prefix")
def test_a_script_name_header_cannot_store_one_page_under_anothers_address(
    wsgi: Harness, post: Post
) -> None:
    # The attack seen on gunicorn: `GET /about/?page=1` with `SCRIPT_NAME: /about` from a
    # trusted peer is (SCRIPT_NAME "/about", PATH_INFO "/"): the home page, which was kept
    # under "/about/" + "?page=1". gunicorn.conf.py no longer takes that header; whatever
    # sets SCRIPT_NAME, only the configured prefix ("") is kept or served.
    about = PageFactory(title="About the Review", slug="about").get_absolute_url()
    assert about == "/about/"
    for _ in range(2):
        attack = wsgi.request("/?page=1", script_name="/about")
        assert attack.get(CACHE_HEADER) is None
    page = wsgi.request(about)
    assert page[CACHE_HEADER] == "miss"
    assert b"About the Review" in page.body
    assert b"On Listening" not in page.body
    assert wsgi.request("/about/?page=1")[CACHE_HEADER] == "hit"  # the about page's first page
    assert wsgi.reached_django == 3


@pytest.mark.usefixtures("script_prefix")
def test_under_a_configured_prefix_only_that_prefix_is_answered_before_django(
    wsgi: Harness, post: Post, settings
) -> None:
    url = post.get_absolute_url()
    settings.FORCE_SCRIPT_NAME = "/review"
    wsgi.request(url, script_name="/review")
    hit = wsgi.request(url, script_name="/review")
    assert hit[CACHE_HEADER] == "hit"
    assert b'href="/review/' in hit.body
    assert wsgi.reached_django == 1
    # Another prefix goes to Django, which makes every page under the configured one: the
    # answer is the page of that address.
    other = wsgi.request(url, script_name="/about")
    assert wsgi.reached_django == 2
    assert other.body == hit.body


# --- Gzipped for readers who ask ---------------------------------------------------------------


def test_a_reader_asking_for_gzip_gets_the_same_page_gzipped(client: Client, post: Post) -> None:
    url = post.get_absolute_url()
    plain = client.get(url)
    packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert packed[CACHE_HEADER] == "hit"
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert len(packed.content) < len(plain.content) / 3
    assert int(packed["Content-Length"]) == len(packed.content)
    assert "Accept-Encoding" in packed["Vary"] and "Accept-Encoding" in plain["Vary"]
    # Two representations, two strong validators.
    assert packed["ETag"] != plain["ETag"]
    assert packed["Content-Security-Policy"] == plain["Content-Security-Policy"]


def test_the_first_reader_asking_for_gzip_gets_it_too(client: Client, post: Post) -> None:
    first = client.get(post.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip")
    assert first[CACHE_HEADER] == "miss"
    assert first["Content-Encoding"] == "gzip"
    assert b"On Listening" in gzip.decompress(first.content)


@pytest.mark.parametrize("accept", ["", "identity", "gzip;q=0", "br", "deflate, *;q=0"])
def test_a_reader_not_accepting_gzip_gets_the_plain_page(
    client: Client, post: Post, accept: str
) -> None:
    url = post.get_absolute_url()
    client.get(url)
    answer = client.get(url, HTTP_ACCEPT_ENCODING=accept)
    assert answer[CACHE_HEADER] == "hit"
    assert not answer.has_header("Content-Encoding")
    assert b"On Listening" in answer.content


@pytest.mark.parametrize("accept", ["gzip", "GZIP;q=0.5", "deflate, gzip;q=1.0", "*"])
def test_gzip_is_given_whenever_accepted(client: Client, post: Post, accept: str) -> None:
    url = post.get_absolute_url()
    client.get(url)
    assert client.get(url, HTTP_ACCEPT_ENCODING=accept)["Content-Encoding"] == "gzip"


def test_a_gzipped_page_is_revalidated_by_its_own_etag(wsgi: Harness, post: Post) -> None:
    url = post.get_absolute_url()
    wsgi.request(url)
    packed = wsgi.request(url, HTTP_ACCEPT_ENCODING="gzip")
    again = wsgi.request(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=packed["ETag"])
    assert again.status == 304 and again["ETag"] == packed["ETag"]
    # The plain page's validator does not stand for the gzipped bytes.
    plain = wsgi.request(url)
    other = wsgi.request(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=plain["ETag"])
    assert other.status == 200 and other["Content-Encoding"] == "gzip"
    head = wsgi.request(url, method="HEAD", HTTP_ACCEPT_ENCODING="gzip")
    assert head.body == b"" and head["Content-Length"] == str(len(packed.body))
    assert wsgi.reached_django == 1


# --- Through WSGI -----------------------------------------------------------------------------


def test_wsgi_hits_skip_django(wsgi: Harness, post: Post) -> None:
    url = post.get_absolute_url()
    first = wsgi.request(url)
    second = wsgi.request(url)
    assert wsgi.reached_django == 1
    assert first.status == second.status == 200
    assert first[CACHE_HEADER] == "miss" and second[CACHE_HEADER] == "hit"
    assert second.body == first.body
    assert int(second["Content-Length"]) == len(second.body)
    for name in ("ETag", "Last-Modified", "Cache-Control", "Content-Security-Policy", "Vary"):
        assert second[name] == first[name]


def test_wsgi_headers_tell_nginx_how_long_before_cache_control(wsgi: Harness, post: Post) -> None:
    # nginx before 1.23 reads them in order: max-age=0 first would make the page uncacheable.
    url = post.get_absolute_url()
    for answer in (wsgi.request(url), wsgi.request(url)):
        names = list(answer.headers)
        assert answer["X-Accel-Expires"] == "1"
        assert names.index("x-accel-expires") < names.index("cache-control")


def test_wsgi_head_and_conditional_gets(wsgi: Harness, post: Post) -> None:
    url = post.get_absolute_url()
    page = wsgi.request(url)
    head = wsgi.request(url, method="HEAD")
    assert head.status == 200 and head.body == b""
    assert head["Content-Length"] == str(len(page.body))
    not_modified = wsgi.request(url, HTTP_IF_NONE_MATCH=page["ETag"])
    assert not_modified.status == 304
    assert not_modified.body == b""
    assert not_modified["ETag"] == page["ETag"]
    assert not_modified.get("Content-Length") is None
    since = wsgi.request(url, HTTP_IF_MODIFIED_SINCE=page["Last-Modified"])
    assert since.status == 304
    assert wsgi.reached_django == 1


def test_wsgi_personal_requests_reach_django(wsgi: Harness, post: Post) -> None:
    url = post.get_absolute_url()
    wsgi.request(url)
    comment = CommentFactory(post=post, status=CommentStatus.PENDING)
    wsgi.request(url)
    for path, headers in [
        (url, {"HTTP_COOKIE": "sessionid=abc"}),
        (url, {"HTTP_COOKIE": f"csrftoken=x; {REMEMBER_COOKIE}=y"}),
        (f"{url}?c={tokens.owner_token(comment.pk)}", {}),
        (f"{url}?replytocom={comment.pk}", {}),
    ]:
        before = wsgi.reached_django
        answer = wsgi.request(path, **headers)
        assert wsgi.reached_django == before + 1, (path, headers)
        assert answer.get(CACHE_HEADER) is None
    # A cookie that makes nothing personal is served the shared page.
    before = wsgi.reached_django
    assert wsgi.request(url, HTTP_COOKIE="csrftoken=x")[CACHE_HEADER] == "hit"
    assert wsgi.reached_django == before


def test_wsgi_posts_reach_django(wsgi: Harness, post: Post) -> None:
    url = post.get_absolute_url()
    wsgi.request(url)
    answer = wsgi.request(url, method="POST")
    assert answer.status == 403  # no CSRF token: Django answered
    assert wsgi.reached_django == 2


def test_wsgi_falls_back_to_django_when_the_cache_fails(
    wsgi: Harness, post: Post, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise ConnectionError("cache down")

    url = post.get_absolute_url()
    wsgi.request(url)
    monkeypatch.setattr(pagecache, "content_version", broken)
    assert wsgi.request(url).status == 200
    assert wsgi.reached_django == 2


def test_wsgi_memory_is_bounded(wsgi: Harness, post: Post, settings) -> None:
    other = PostFactory()
    # Room for one kept page (its plain and gzipped bodies and headers, about 1.6 times the
    # plain body), not two.
    settings.STOA_PAGE_CACHE_LOCAL_BYTES = 2 * len(wsgi.request(post.get_absolute_url()).body)
    wsgi.request(other.get_absolute_url())
    for url in (post.get_absolute_url(), other.get_absolute_url()):
        assert wsgi.request(url)[CACHE_HEADER] == "hit"
    assert len(wsgi.app._pages) == 1
    assert wsgi.app._bytes <= settings.STOA_PAGE_CACHE_LOCAL_BYTES


def test_the_stoa_wsgi_module_serves_from_the_cache() -> None:
    from stoa import wsgi as module
    from stoa.core.logs import RequestIds

    # Inside the request ids (stoa.core.logs), which every response carries, a cached one too.
    assert isinstance(module.application, RequestIds)
    assert isinstance(module.application.app, CachedPages)


# --- A change being committed ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_page_made_while_a_change_commits_is_not_kept(client: Client) -> None:
    """The content version changes when a row is saved, inside the writer's transaction; a
    reader in between makes the page from the rows before the commit, under the new version,
    so the version changes again once the change is committed (stoa.core.cache)."""
    post = PostFactory()
    held = CommentFactory(post=post, status=CommentStatus.PENDING, text="Held, then approved.")
    url = post.get_absolute_url()
    client.get(url)
    saved, read = threading.Event(), threading.Event()
    errors: list[str] = []

    def approve() -> None:
        try:
            with transaction.atomic():
                services.approve_comment(comment=held)
                saved.set()
                read.wait(timeout=30)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))
        finally:
            connections.close_all()

    writer = threading.Thread(target=approve)
    writer.start()
    assert saved.wait(timeout=30)
    during = client.get(url)  # another connection: the rows before the commit
    read.set()
    writer.join(timeout=30)
    assert errors == []
    assert b"Held, then approved." not in during.content
    assert b"Held, then approved." in client.get(url).content
