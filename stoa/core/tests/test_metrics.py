"""Prometheus's scrape (stoa.core.metrics): who may read it, and what it counts. Behind a real
nginx, with a client pretending to be local: stoa/tests/test_proxy_operations.py."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from django.test import Client
from django_tasks import task
from django_tasks_db.models import DBTaskResult
from prometheus_client.parser import text_string_to_metric_families

from stoa.core import metrics

TOKEN = "scrape-token-0123456789abcdef"
DB_TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "email"]}
}


@task()
def nothing() -> None:
    """A task to queue."""


def samples(client: Client, **extra: Any) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", **extra)
    assert answer.status_code == 200, answer.content
    found = {}
    for family in text_string_to_metric_families(answer.content.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def requests_of(found: dict[Any, float], view: str, status: str = "200") -> float:
    key = ("stoa_http_requests_total", (("method", "GET"), ("status", status), ("view", view)))
    return found.get(key, 0.0)


@pytest.fixture(autouse=True)
def scraping(settings: Any) -> None:
    settings.STOA_METRICS = {"ALLOWED_IPS": ["10.1.0.0/16", "2001:db8::/32"], "TOKEN": TOKEN}
    settings.TASKS = DB_TASKS


@pytest.mark.django_db  # a 404 looks in the redirect table
def test_metrics_are_not_served_when_no_scraper_is_configured(client: Client, settings):
    settings.STOA_METRICS = {}
    answer = client.get("/metrics", REMOTE_ADDR="127.0.0.1")
    assert answer.status_code == 404


@pytest.mark.parametrize(
    ("remote", "authorization", "status"),
    [
        ("10.1.2.3", "", 200),  # an allowed network
        ("2001:db8::7", "", 200),
        ("::ffff:10.1.2.3", "", 200),  # an IPv4 client on a dual-stack socket
        ("10.2.0.1", "", 403),
        ("127.0.0.1", "", 403),  # loopback is not allowed unless listed
        ("192.0.2.1", f"Bearer {TOKEN}", 200),  # the token, from anywhere
        ("192.0.2.1", f"bearer {TOKEN}", 200),
        ("192.0.2.1", "Bearer wrong-token", 403),
        ("10.1.2.3", "Bearer wrong-token", 403),  # wrong credentials are never ignored
        ("192.0.2.1", f"Basic {TOKEN}", 403),
    ],
)
@pytest.mark.django_db
def test_only_allowed_addresses_or_the_token_may_scrape(
    client: Client, remote: str, authorization: str, status: int
) -> None:
    extra = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    answer = client.get("/metrics", REMOTE_ADDR=remote, **extra)
    assert answer.status_code == status
    assert answer["Cache-Control"] == "no-store"
    if status == 200:
        assert answer["Content-Type"].startswith("text/plain; version=")
    else:
        assert b"stoa_" not in answer.content


@pytest.mark.django_db
def test_a_forwarded_address_counts_only_behind_a_trusted_proxy(client: Client, settings) -> None:
    forged = {"REMOTE_ADDR": "192.0.2.1", "HTTP_X_FORWARDED_FOR": "10.1.2.3"}
    settings.STOA_TRUSTED_PROXY_COUNT = 0
    assert client.get("/metrics", **forged).status_code == 403
    settings.STOA_TRUSTED_PROXY_COUNT = 1  # the proxy appended 10.1.2.3: believed
    assert client.get("/metrics", **forged).status_code == 200
    # What the client wrote left of the proxy's entry is never believed.
    written = {**forged, "HTTP_X_FORWARDED_FOR": "10.1.2.3, 192.0.2.9"}
    assert client.get("/metrics", **written).status_code == 403


@pytest.mark.django_db
def test_requests_are_counted_by_route_name_not_by_address(client: Client) -> None:
    before = samples(client)
    for _ in range(3):
        client.get("/healthz")
    client.get("/favicon.ico")
    client.post("/healthz")
    after = samples(client)
    assert requests_of(after, "core:healthz") - requests_of(before, "core:healthz") == 3
    assert requests_of(after, "favicon", "301") - requests_of(before, "favicon", "301") == 1
    refused = (
        "stoa_http_requests_total",
        (("method", "POST"), ("status", "405"), ("view", "core:healthz")),
    )
    assert after[refused] - before.get(refused, 0) == 1
    timed = ("stoa_http_request_duration_seconds_count", (("view", "core:healthz"),))
    assert after[timed] - before.get(timed, 0) == 4
    views = {dict(labels).get("view") for _, labels in after}
    assert not any(view and view.startswith("/") for view in views)


@pytest.mark.django_db
def test_a_method_no_one_uses_is_counted_as_other(client: Client) -> None:
    client.generic("BREW", "/healthz")
    key = (
        "stoa_http_requests_total",
        (("method", "other"), ("status", "405"), ("view", "core:healthz")),
    )
    assert samples(client)[key] >= 1


@pytest.mark.django_db
def test_the_queue_depth_is_read_when_prometheus_asks(client: Client) -> None:
    assert samples(client)[("stoa_task_queue_depth", (("queue", "default"),))] == 0
    for _ in range(2):
        nothing.enqueue()
    found = samples(client)
    assert found[("stoa_task_queue_depth", (("queue", "default"),))] == 2
    assert found[("stoa_task_queue_depth", (("queue", "email"),))] == 0
    DBTaskResult.objects.update(status="SUCCESSFUL")
    assert samples(client)[("stoa_task_queue_depth", (("queue", "default"),))] == 0


@pytest.mark.django_db
def test_every_worker_process_is_counted(tmp_path, monkeypatch) -> None:
    """gunicorn's workers are processes: with PROMETHEUS_MULTIPROC_DIR each writes its own
    counts there, and the scrape, in whichever worker, adds them all up."""
    env = {**os.environ, metrics.MULTIPROCESS_ENV: str(tmp_path)}
    count = (
        "from stoa.core import metrics\n"
        "for _ in range({n}): metrics.observe_request('publishing:post', 'GET', 200, 0.01)\n"
        "metrics.count_page_cache('hit')\n"
    )
    for n in (2, 3):  # two workers
        run = [sys.executable, "-c", count.format(n=n)]
        subprocess.run(run, env=env, check=True, timeout=60)  # noqa: S603 - our own code
    monkeypatch.setenv(metrics.MULTIPROCESS_ENV, str(tmp_path))
    text = metrics.exposition().decode()
    assert 'stoa_http_requests_total{method="GET",status="200",view="publishing:post"} 5.0' in text
    assert 'stoa_page_cache_requests_total{result="hit"} 2.0' in text
    assert 'stoa_task_queue_depth{queue="default"} 0.0' in text  # and the gauges, read now


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="RQ needs Redis (REDIS_URL)")
@pytest.mark.django_db(transaction=True)  # RQ's jobs are queued on commit
def test_the_queue_depth_on_rq_is_the_redis_queues_length(client: Client, settings) -> None:
    import django_rq

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default", "email"]}
    }
    settings.RQ_QUEUES = {name: {"URL": os.environ["REDIS_URL"]} for name in ("default", "email")}
    queue = django_rq.get_queue("default")
    queue.empty()
    try:
        nothing.enqueue()
        nothing.enqueue()
        found = samples(client)
        assert found[("stoa_task_queue_depth", (("queue", "default"),))] == 2
        assert client.get("/readyz").status_code == 200
    finally:
        queue.empty()
