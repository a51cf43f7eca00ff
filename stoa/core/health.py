"""What `/readyz` asks before a load balancer sends this process readers, and what the task
queue holds (for `/metrics`): each a short question to a service Stoa needs.

A check raises when its service cannot be used; the view reports the check's *name* only.
What failed and where (a DSN, a host, a port) goes to this process's log, never to whoever
asked: the probe is public.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.core.cache import cache
from django.db import connections
from django.db.models import Count
from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)

# Backends that queue nothing outside the process (tests, a site without a worker).
IN_PROCESS_BACKENDS = ("django_tasks.backends.immediate.", "django_tasks.backends.dummy.")
RQ_MODULE = "django_tasks_rq."


def check_database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("the database answered SELECT 1 with something else")


def check_cache() -> None:
    # A write and a read: a cache that takes writes but loses them (a full disk under the
    # file cache, a read-only Redis replica) cannot carry the content version.
    key, value = "stoa:readyz", secrets.token_hex(8)
    cache.set(key, value, 30)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not give back what was written to it")


def _backend() -> Any:
    return task_backends["default"]


def _module(backend: Any) -> str:
    return f"{type(backend).__module__}.{type(backend).__name__}"


def _rq_queues(backend: Any) -> list[Any]:
    """RQ's queues for the backend's queue names (django-tasks-rq), through django-rq."""
    django_rq = import_module("django_rq")
    return [django_rq.get_queue(name) for name in sorted(backend.queues)]


def check_task_queue() -> None:
    backend = _backend()
    if isinstance(backend, DatabaseBackend):
        # The queue's own table, through the index on ready tasks: a missing migration or a
        # database the worker cannot use fails here, not at the first comment.
        DBTaskResult.objects.ready().exists()
    elif _module(backend).startswith(RQ_MODULE):
        for queue in _rq_queues(backend):
            queue.connection.ping()
    elif not _module(backend).startswith(IN_PROCESS_BACKENDS):
        raise RuntimeError(f"no readiness check for the task backend {_module(backend)}")


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "task_queue": check_task_queue,
}


def failed_checks() -> list[str]:
    """The names of the checks that failed, each failure logged with its reason."""
    failed = []
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:  # noqa: BLE001 - any failure means "not ready", said by name
            logger.exception("Readiness check %r failed", name)
            failed.append(name)
    return failed


def queue_depths() -> dict[str, int]:
    """Tasks waiting to be run, by queue (a queue with none is 0); {} for a backend that
    runs tasks in the request's own process."""
    backend = _backend()
    depths = dict.fromkeys(sorted(getattr(backend, "queues", ()) or ()), 0)
    if isinstance(backend, DatabaseBackend):
        waiting = DBTaskResult.objects.ready().order_by().values("queue_name")
        depths.update(waiting.annotate(n=Count("id")).values_list("queue_name", "n"))
        return depths
    if _module(backend).startswith(RQ_MODULE):
        return {queue.name: int(queue.count) for queue in _rq_queues(backend)}
    return {}
