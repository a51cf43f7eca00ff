"""The operations probes (stoa.core.views, stoa.core.health): /healthz says the process is
up and touches nothing else; /readyz asks the database, the cache and the task queue, and
names what failed without telling the public where it lives."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings

from stoa.core import readers
from stoa.core.pagecache import MIDDLEWARE_PATH

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A Redis nobody listens on: port 9 (discard) on loopback refuses the connection.
DOWN_REDIS = "redis://127.0.0.1:9/0"
# The cache down for the time of a `with` (the suite's own teardown clears the cache after).
CACHE_DOWN = override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DOWN_REDIS,
        }
    }
)


def test_the_liveness_probe_answers_without_touching_the_database(client: Client) -> None:
    # No django_db mark: any query, or even a connection, would raise here.
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.content == b"ok\n"
    assert answer["Content-Type"].startswith("text/plain")
    assert answer["Cache-Control"] == "no-store"


def test_the_liveness_probe_answers_while_the_cache_is_down(client: Client) -> None:
    with CACHE_DOWN:
        assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_the_readiness_probe_asks_the_database_the_cache_and_the_queue(
    client: Client, settings: Any, django_assert_num_queries
) -> None:
    settings.TASKS = DB_TASKS
    with django_assert_num_queries(2):  # SELECT 1, and the queue's table
        answer = client.get("/readyz")
    assert answer.status_code == 200
    assert answer.content == b"ready: database, cache, task_queue\n"
    assert answer["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_an_unreachable_cache_answers_503_naming_the_check_not_the_host(
    client: Client, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.TASKS = DB_TASKS
    with CACHE_DOWN:
        answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.content == b"not ready: cache\n"
    assert answer["Cache-Control"] == "no-store"
    # The reason is in the log, for the operator.
    assert "Readiness check 'cache' failed" in caplog.text


@pytest.mark.django_db
def test_a_task_queue_without_its_table_answers_503(client: Client, settings: Any) -> None:
    settings.TASKS = DB_TASKS
    with connection.cursor() as cursor:  # undone with the test's transaction
        cursor.execute("ALTER TABLE django_tasks_database_dbtaskresult RENAME TO gone")
    answer = client.get("/readyz")
    assert answer.status_code == 503
    assert answer.content == b"not ready: task_queue\n"


def test_probes_are_never_looked_up_in_the_page_cache_nor_kept(
    client: Client, settings: Any
) -> None:
    settings.MIDDLEWARE = [MIDDLEWARE_PATH, *settings.MIDDLEWARE]
    for path in ("/healthz", "/readyz", "/metrics"):
        assert readers.classify({"REQUEST_METHOD": "GET", "PATH_INFO": path}) == "unshared"
    # A page whose address merely starts the same way is still a page like any other.
    shared = {"REQUEST_METHOD": "GET", "PATH_INFO": "/metrics-for-therapists/"}
    assert readers.classify(shared) == "shared"
    assert "X-Stoa-Cache" not in client.get("/healthz")


def test_probes_answer_head_and_refuse_posts(client: Client) -> None:
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405
