"""Operations on the assembled site, as gunicorn calls it (stoa.wsgi: RequestIds around
CachedPages around Django): the page cache's hits and misses counted for its hit ratio, and
the request id on every line a request logs, Django's own warnings included."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory

from stoa.core import metrics
from stoa.core.logs import RequestIdFilter, RequestIds
from stoa.core.pagecache import MIDDLEWARE_PATH, CachedPages
from stoa.publishing.tests.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings: Any) -> None:
    settings.MIDDLEWARE = [MIDDLEWARE_PATH, *settings.MIDDLEWARE]


@pytest.fixture
def application() -> Iterator[Any]:
    """stoa.wsgi's chain, built after the settings fixture; the test's transaction kept
    across the request signals, as the test client keeps it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield RequestIds(CachedPages(WSGIHandler()))
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def get(application: Any, path: str) -> tuple[int, dict[str, str]]:
    got: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        got["status"], got["headers"] = int(status[:3]), {k.lower(): v for k, v in headers}

    result = application(RequestFactory().get(path).environ, start_response)
    b"".join(result)
    if hasattr(result, "close"):
        result.close()
    return got["status"], got["headers"]


def counted(result: str) -> float:
    return metrics.PAGE_CACHE.labels(result)._value.get()


def served_from_cache() -> float:
    return metrics.REQUESTS.labels(metrics.PAGE_CACHE_VIEW, "GET", "200")._value.get()


def test_the_page_caches_hits_and_misses_are_counted(application: Any) -> None:
    post = PostFactory()
    hits, misses, served = counted("hit"), counted("miss"), served_from_cache()
    statuses = [get(application, post.get_absolute_url())[1]["x-stoa-cache"] for _ in range(3)]
    assert statuses == ["miss", "hit", "hit"]
    assert counted("miss") - misses == 1
    assert counted("hit") - hits == 2
    # The hits never reached Django: counted as requests of the cache itself.
    assert served_from_cache() - served == 2


def test_requests_that_are_not_shared_pages_are_no_lookups(application: Any) -> None:
    before = counted("hit") + counted("miss")
    get(application, "/healthz")
    get(application, "/?utm_source=mail")
    assert counted("hit") + counted("miss") == before


def test_a_line_django_logs_after_the_response_carries_the_request_id(application: Any) -> None:
    # "Not Found: ..." is logged by Django's handler once the middleware have returned.
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.addFilter(RequestIdFilter())  # as settings.LOGGING's console handler has it
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        status, headers = get(application, "/no-such-address/deeper/")
    finally:
        logger.removeHandler(handler)
    assert status == 404
    (record,) = records
    assert record.getMessage().startswith("Not Found")
    assert record.request_id == headers["x-request-id"]
