"""Prometheus metrics (prometheus_client), served at /metrics to the scraper only.

What is counted:
- `stoa_http_requests_total{view, method, status}` and
  `stoa_http_request_duration_seconds{view}`: every request Django answers, by the route's
  name (`publishing:post`, not /2024/05/a-post/: a label per address would grow without end);
  the page cache's hits answered before Django are counted (view `pagecache`), not timed.
- `stoa_page_cache_requests_total{result}`: the page cache's lookups, `hit` or `miss`; the
  hit ratio is hit / (hit + miss).
- At scrape time, one cheap query each: `stoa_task_queue_depth{queue}` (tasks waiting) and
  what the apps add through `settings.STOA_METRICS["COLLECTORS"]` (the discussion's
  `stoa_comments_held`), functions returning prometheus_client metric families.

gunicorn runs several worker processes, each counting for itself: with
PROMETHEUS_MULTIPROC_DIR set (docs/deploy.md; gunicorn.conf.py empties it at start and marks
dead workers), each writes its counts to files there and a scrape adds up all of them
(prometheus_client's multiprocess mode). Without it (one process: `stoa runserver`, tests)
the counts are this process's own.

Who may read them (settings.STOA_METRICS): a client whose address, as stoa.core.clients
reads it behind the proxies Stoa trusts, is in ALLOWED_IPS (addresses or networks), or one
that sends `Authorization: Bearer <TOKEN>`. With neither set, /metrics answers 404.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import secrets
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.utils.module_loading import import_string
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from stoa.core.clients import client_ip

logger = logging.getLogger(__name__)

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
PAGE_CACHE_VIEW = "pagecache"  # the view label of a page answered from the cache
UNMATCHED_VIEW = "unmatched"  # no route: a 404, or an answer from a middleware before routing
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

# No `_created` series (a time per label set): PromQL's rate() does not need them, and they
# doubled what a scrape reads.
disable_created_metrics()

REQUESTS = Counter(
    "stoa_http_requests",
    "Requests answered, by route name, method and status.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "stoa_http_request_duration_seconds",
    "Time to answer a request, by route name.",
    ["view"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
PAGE_CACHE = Counter(
    "stoa_page_cache_requests", "Page cache lookups, by result (hit, miss).", ["result"]
)


def method_label(method: str | None) -> str:
    """The request's method, or `other`: a client may send any word there."""
    return method if method in METHODS else "other"


# Each label set's own counter and histogram, looked up once: `labels()` takes a lock and
# checks its arguments on every call, several times the cost of the count itself, and the
# page cache's hits (tens of microseconds each) are counted on the fast path.
_bound: dict[tuple[str, str, int], tuple[Any, Any]] = {}
_counted: dict[tuple[str, str, str], Any] = {}
_page_cache: dict[str, Any] = {}


def observe_request(view: str, method: str | None, status: int, seconds: float) -> None:
    key = (view, method_label(method), status)
    bound = _bound.get(key)
    if bound is None:
        bound = _bound[key] = (REQUESTS.labels(key[0], key[1], str(status)), LATENCY.labels(view))
    bound[0].inc()
    bound[1].observe(seconds)


def count_request(view: str, method: str | None, status: str) -> None:
    """Count a request without timing it: a page the cache answers before Django takes tens
    of microseconds, below the histogram's first bucket (1 ms), where every one would land,
    and observing it cost as much as the rest of the counting on that path."""
    key = (view, method_label(method), str(status)[:3])
    counter = _counted.get(key)
    if counter is None:
        counter = _counted[key] = REQUESTS.labels(*key)
    counter.inc()


def count_page_cache(result: str) -> None:
    counter = _page_cache.get(result)
    if counter is None:
        counter = _page_cache[result] = PAGE_CACHE.labels(result)
    counter.inc()


# ---------------------------------------------------------------------------- a scrape


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, "STOA_METRICS", {}).get(name, default)


class ScrapeTimeCollector(Collector):
    """The gauges read when Prometheus asks: the task queue's depth, then the apps'."""

    def collect(self) -> Iterator[Metric]:
        sources: list[Callable[[], Iterable[Metric]]] = [task_queue_depth]
        sources += [import_string(path) for path in _setting("COLLECTORS", [])]
        for source in sources:
            try:
                yield from source()
            except Exception:  # noqa: BLE001 - one source down must not hide the others
                logger.exception("Metrics: %s failed", getattr(source, "__name__", source))


def task_queue_depth() -> Iterator[Metric]:
    from stoa.core.health import queue_depths  # models: not at import (stoa.wsgi, pagecache)

    gauge = GaugeMetricFamily(
        "stoa_task_queue_depth", "Tasks waiting to be run, by queue.", labels=["queue"]
    )
    for queue, depth in queue_depths().items():
        gauge.add_metric([queue], depth)
    yield gauge


def exposition() -> bytes:
    """The metrics in Prometheus's text format: every worker's counts, then the gauges."""
    if os.environ.get(MULTIPROCESS_ENV):
        counted = CollectorRegistry()
        multiprocess.MultiProcessCollector(counted)
    else:
        counted = REGISTRY
    now = CollectorRegistry(auto_describe=False)
    now.register(ScrapeTimeCollector())
    return generate_latest(counted) + generate_latest(now)


# ---------------------------------------------------------------------------- who may read


def _networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    try:
        return [ipaddress.ip_network(item, strict=False) for item in _setting("ALLOWED_IPS", [])]
    except ValueError as error:
        raise ImproperlyConfigured(f"STOA_METRICS_ALLOWED_IPS: {error}") from error


def scrape_enabled() -> bool:
    return bool(_setting("TOKEN", "") or _setting("ALLOWED_IPS", []))


def may_scrape(request: HttpRequest) -> bool:
    """The bearer token, or an allowed address as the trusted proxies report it (never what
    the client wrote in X-Forwarded-For: stoa.core.clients)."""
    token = str(_setting("TOKEN", ""))
    scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if token and scheme.lower() == "bearer":
        return secrets.compare_digest(given.strip().encode(), token.encode())
    address = client_ip(request)
    if not address:
        return False
    ip = ipaddress.ip_address(address)
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip in network for network in _networks())


def metrics_response() -> HttpResponse:
    response = HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response
