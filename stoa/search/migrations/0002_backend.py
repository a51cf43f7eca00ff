"""The configured backend's full-text structures beside search_document (an FTS5 table and
its triggers on SQLite; generated tsvector columns and GIN indexes on PostgreSQL)."""

from typing import Any

from django.db import migrations


def install(apps: Any, schema_editor: Any) -> None:
    from stoa.search.backends import backend

    backend().install(schema_editor)


def uninstall(apps: Any, schema_editor: Any) -> None:
    from stoa.search.backends import backend

    backend().uninstall(schema_editor)


class Migration(migrations.Migration):
    # Its own table only. The index is filled from what the site already holds (a site that
    # had no search yet) once every app is migrated: signals.fill_after_migrate. Here, it
    # would have to run after each source app's last migration, which no dependency can say
    # ("__latest__" names whichever is last when migrate runs, and so refused every database
    # migrated before an app's next migration: InconsistentMigrationHistory).
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
