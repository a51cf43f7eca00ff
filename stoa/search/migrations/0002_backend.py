"""The configured backend's full-text structures beside search_document (an FTS5 table and
its triggers on SQLite; generated tsvector columns and GIN indexes on PostgreSQL), and the
index filled from what the site already holds (a site that had no search yet)."""

from typing import Any

from django.db import migrations


def install(apps: Any, schema_editor: Any) -> None:
    from stoa.search.backends import backend

    backend().install(schema_editor)


def uninstall(apps: Any, schema_editor: Any) -> None:
    from stoa.search.backends import backend

    backend().uninstall(schema_editor)


def fill(apps: Any, schema_editor: Any) -> None:
    # The index is derived data, rebuilt from the live models by the same code as
    # `stoa reindex` (historical models cannot say what readers may see).
    from stoa.search import services

    services.reindex()


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
        ("publishing", "__latest__"),
        # Not "__latest__": that names whatever migration is discussion's last when migrate
        # runs, so a database migrated before discussion's next one had this applied before
        # its "dependency" and Django refused to migrate it (InconsistentMigrationHistory).
        ("discussion", "0009_comment_reported_index"),
        ("webcasts", "__latest__"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
