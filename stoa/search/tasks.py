"""Background tasks of the search, run by the task worker (`stoa db_worker`), never inside
a request or an import's own process."""

from __future__ import annotations

from django.apps import apps
from django_tasks import task

from stoa.search import services
from stoa.search.related import related_backend


@task()
def catch_up_index() -> dict[str, int]:
    """The index brought level with its sources (services.catch_up): queued when an import
    is done, so that the import's time and memory are the import's own (issue 11 measures
    them), the index following a moment later in the worker."""
    counts = services.catch_up()
    if (chosen := related_backend()).follows:
        chosen.refresh()
    return counts


@task()
def index_comments(comment_ids: list[int]) -> int:
    """These comments found, or no longer found, as they now are (queued with the change by
    stoa.search.freshness: the comment POST does not wait for the index)."""
    services.index_comments(comment_ids=comment_ids)
    return len(comment_ids)


@task()
def index_posts_of(label: str, pk: int) -> None:
    """The posts printing this person's, category's or tag's name, indexed anew."""
    services.index_posts_of(model=apps.get_model(label), pk=pk)


@task()
def refresh_related(post_ids: list[int]) -> int:
    """These articles' data of the related-reading backend (the semantic mode's vectors)
    brought level with the index, after the commit that changed them (queued by
    stoa.search.freshness): an article costs about half a second of CPU to embed (bench/related.py),
    which must never be the editor's save's."""
    return related_backend().refresh(post_ids=post_ids)
