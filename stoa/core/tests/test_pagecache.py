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
