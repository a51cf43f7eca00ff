"""Background tasks of the search: bringing the index level after a bulk change. Run by the
task worker (`stoa db_worker`), never inside a request or an import's own process."""

from __future__ import annotations

from django_tasks import task

from stoa.search import services


@task()
def catch_up_index() -> dict[str, int]:
    """The index brought level with its sources (services.catch_up): queued when an import
    is done, so that the import's time and memory are the import's own (issue 11 measures
    them), the index following a moment later in the worker."""
    return services.catch_up()
