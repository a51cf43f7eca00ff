"""Background tasks: an import an editor started from the admin, run by the task worker
(`stoa db_worker`), never inside a request."""

from __future__ import annotations

from django_tasks import task

from stoa.wordpress import services
from stoa.wordpress.models import ImportRun


@task()
def import_uploaded_file(run_id: int) -> None:
    """Import the file of a queued run, with the importer its kind names (WordPress's or
    Disqus's export: services.run_import decides). Run again after a worker died, it finds the run
    running or finished: a finished one is left as it is; a running one is imported again
    (its transaction died with the worker, so nothing of it was written)."""
    run = ImportRun.objects.filter(pk=run_id).first()
    if run is not None:
        services.run_import(run=run)
