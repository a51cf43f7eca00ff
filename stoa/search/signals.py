"""The signals search listens to: an import's run saved done, and a migrate that installed
the index. Everything else the index follows comes through core's freshness
(stoa.search.freshness.follow), as the page cache's content version does."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models.signals import post_migrate, post_save

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


def fill_after_migrate(sender: Any, plan: Any = None, **kwargs: Any) -> None:
    """A migrate that installed the index (search 0002: a new site, or one that had no
    search yet) fills it from what the site holds, once every app is migrated: the index is
    derived from the live models, which read their apps' latest columns. A flush or a
    migrate that did not install it sends no plan naming it."""
    installed = any(
        migration.app_label == "search" and migration.name == "0002_backend" and not backwards
        for migration, backwards in plan or ()
    )
    if installed:
        from stoa.search import services

        services.reindex()


def connect(config: Any) -> None:
    post_migrate.connect(fill_after_migrate, sender=config, dispatch_uid=f"{UID}-migrate")
    # The import app is a sibling (neither imports the other): its run is named by label.
    if apps.is_installed("stoa.wordpress"):
        post_save.connect(
            _import_finished, sender="wordpress.ImportRun", dispatch_uid=f"{UID}-import"
        )
