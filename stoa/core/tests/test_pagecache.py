"""The page cache's own rules (stoa.core.pagecache), with stand-in views: which responses are
never kept, whatever page they are, and which requests are personal.

The site's pages through the cache (posts, comments, feeds, what a change empties, the WSGI
application in front) are the assembled site's tests: stoa/tests/test_pagecache.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.test import Client, RequestFactory
from django.urls import path as route

from stoa.core import pagecache
from stoa.core.pagecache import MIDDLEWARE_PATH, classify

pytestmark = pytest.mark.django_db

CACHE_HEADER = "X-Stoa-Cache"


# Views for the responses no page of the site gives (ROOT_URLCONF = this module).
def _with_a_cookie(request: HttpRequest) -> HttpResponse:
    response = HttpResponse("<p>A page that sets a cookie.</p>")
    response.set_cookie("flavour", "oat")
    return response


def _with_headers(**headers: str) -> Any:
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse("<p>A page.</p>", headers=headers)

    return view


urlpatterns = [
    route("with-a-cookie/", _with_a_cookie),
    route("private/", _with_headers(**{"Cache-Control": "private"})),
    route("no-store/", _with_headers(**{"Cache-Control": "no-store"})),
    route("nonce/", _with_headers(**{"Content-Security-Policy": "script-src 'nonce-abc'"})),
    route("vary/", _with_headers(Vary="Cookie, Accept-Language")),
    route("vary-cookie/", _with_headers(Vary="Cookie")),
    route("streaming/", lambda request: StreamingHttpResponse(iter([b"<p>", b"a</p>"]))),
    route("json/", lambda request: JsonResponse({"a": 1})),
]


@pytest.fixture(autouse=True)
def page_cache(settings: Any) -> None:
    """PageCacheMiddleware first in MIDDLEWARE, as in production."""
    settings.MIDDLEWARE = [
        MIDDLEWARE_PATH,
        *(m for m in settings.MIDDLEWARE if m != MIDDLEWARE_PATH),
    ]


# --- Personal pages are never kept -----------------------------------------------------------


def test_the_back_office_is_never_kept(client: Client) -> None:
    for _ in range(2):
        response = client.get("/admin/login/")
        assert response.status_code == 200
        assert CACHE_HEADER not in response


def test_a_response_setting_a_cookie_is_never_stored(client: Client, settings) -> None:
    settings.ROOT_URLCONF = __name__
    for _ in range(2):
        response = client.get("/with-a-cookie/")
        assert response.status_code == 200
        assert "flavour" in response.cookies
        assert CACHE_HEADER not in response


def test_private_no_store_and_streaming_responses_are_never_stored(
    client: Client, settings
) -> None:
    settings.ROOT_URLCONF = __name__
    for path in ("/private/", "/no-store/", "/streaming/", "/json/", "/nonce/", "/vary/"):
        for _ in range(2):
            response = client.get(path)
            assert response.status_code == 200, path
            assert CACHE_HEADER not in response, path


def test_a_page_varying_on_cookies_alone_is_kept(client: Client, settings) -> None:
    settings.ROOT_URLCONF = __name__
    client.get("/vary-cookie/")
    assert client.get("/vary-cookie/")[CACHE_HEADER] == "hit"


def test_an_authorization_header_makes_a_request_personal() -> None:
    environ = RequestFactory().get("/", HTTP_AUTHORIZATION="Basic eDp5").environ
    assert classify(environ) == pagecache.PERSONAL


# --- Gzipped for readers who ask ---------------------------------------------------------------


def test_small_pages_are_not_gzipped(client: Client, settings) -> None:
    settings.ROOT_URLCONF = __name__
    client.get("/vary-cookie/")
    answer = client.get("/vary-cookie/", HTTP_ACCEPT_ENCODING="gzip")
    assert answer[CACHE_HEADER] == "hit"
    assert not answer.has_header("Content-Encoding")
    assert answer["Vary"] == "Cookie"


# --- One address, one key (issue 10, item 8) -------------------------------------------------


@pytest.mark.parametrize(
    ("host", "scheme", "kept_as"),
    [
        ("localhost", "http", "localhost"),
        ("LOCALHOST.", "http", "localhost"),
        ("localhost:80", "http", "localhost"),
        ("localhost:443", "https", "localhost"),
        ("localhost:443", "http", "localhost:443"),
        ("Magazine.Example.org.:8000", "http", "magazine.example.org:8000"),
        ("[::1]:80", "http", "[::1]"),
        # Refused by Django's host check: left as written, so nothing is ever kept under it.
        ("evil example", "http", "evil example"),
    ],
)
def test_a_host_is_kept_as_one_address_however_it_is_written(
    host: str, scheme: str, kept_as: str
) -> None:
    assert pagecache.normal_host(host, scheme) == kept_as


def test_script_name_and_path_info_are_a_pair_not_a_joined_string() -> None:
    home_under_about = RequestFactory().get("/", SCRIPT_NAME="/about").environ
    about = RequestFactory().get("/about/").environ
    assert pagecache.page_key(home_under_about, "v") != pagecache.page_key(about, "v")


def test_a_script_name_other_than_the_configured_one_is_neither_served_nor_stored(
    settings,
) -> None:
    environ = RequestFactory().get("/", SCRIPT_NAME="/about").environ
    environ["SCRIPT_NAME"] = "/about"  # as gunicorn passes it, before Django reads it
    assert classify(environ) == pagecache.OTHER
    settings.FORCE_SCRIPT_NAME = "/about"
    assert classify(environ) == pagecache.PAGE


@pytest.mark.parametrize(
    ("query", "kept_as"),
    [
        ("page=2", "page=2"),
        ("page=1", ""),
        ("cpage=1&page=1", ""),
        ("page=3&cpage=2", "cpage=2&page=3"),
        ("cpage=2&page=1", "cpage=2"),
    ],
)
def test_page_numbers_are_kept_under_one_spelling(query: str, kept_as: str) -> None:
    environ = RequestFactory().get(f"/?{query}").environ
    assert classify(environ) == pagecache.PAGE
    kept, as_written = pagecache.address(environ)
    assert kept.query == kept_as
    assert as_written == (query == kept_as)


@pytest.mark.parametrize("query", ["page=01", "page=0", "cpage=00", "page=2&page=2", "page=+2"])
def test_padded_zero_or_repeated_page_numbers_are_not_shared(query: str) -> None:
    environ = RequestFactory().get(f"/?{query}").environ
    assert classify(environ) == pagecache.OTHER
