"""The one signal search listens to: an import's run saved done. Everything else the index
follows comes through core's freshness (stoa.search.freshness.follow), as the page cache's
content version does."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models.signals import post_save

from stoa.core.tasks import enqueue
from stoa.search.tasks import catch_up_index

UID = "stoa-search"


def _import_finished(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """An import's bulk writes send no signals: once its run is saved done (and not a dry
    run), a task brings the index level with what it brought (tasks.catch_up_index), queued
    with the run: catching up in the import's own process took minutes and several hundred
    MB more at 400,000 comments, counted against the import (issue 11)."""
    if raw or getattr(instance, "status", "") != "done" or getattr(instance, "dry_run", False):
        return
    enqueue(catch_up_index)


def connect() -> None:
    # The import app is a sibling (neither imports the other): its run is named by label.
    if apps.is_installed("stoa.wordpress"):
        post_save.connect(
            _import_finished, sender="wordpress.ImportRun", dispatch_uid=f"{UID}-import"
        )
