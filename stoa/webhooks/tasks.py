"""The webhooks' work for the task worker: each attempt of a delivery, and a scheduled
post's announcement when its time comes."""

from __future__ import annotations

from django_tasks import task

from stoa.webhooks import services


@task()
def deliver(delivery_id: int, sequence: int) -> str:
    """One attempt of one delivery (services.deliver); its retry is a task of its own,
    queued to run after the backoff."""
    return services.deliver(delivery_id=delivery_id, sequence=sequence)


@task()
def announce_scheduled_post(post_id: int) -> bool:
    """A scheduled post's time has come: announce it if it is live now."""
    return services.announce_post(post_id=post_id) is not None


@task()
def prune_log() -> int:
    """The delivery log's daily pruning (services.prune_log)."""
    return services.prune_log()
