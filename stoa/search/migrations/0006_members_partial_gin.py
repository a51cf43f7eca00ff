"""PostgreSQL: a member's search reads the public vectors' index, OR-ed with an index of the
joined vectors of only the documents with a members' body (partial), in place of an index
of every document's joined vectors (which repeated the public index whole: half a rebuild's
index building, and every write's upkeep). Nothing changes on SQLite."""

from typing import Any

from django.db import migrations


def partial(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    from stoa.search.backends import backend, postgres

    for name in postgres.FORMER_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    backend().install(schema_editor)


def whole(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS search_document_members_gin")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS search_document_full_gin ON search_document "
        "USING gin ((public_vector || members_vector))"
    )


class Migration(migrations.Migration):
    dependencies = [("search", "0005_fts_kind")]

    operations = [migrations.RunPython(partial, whole)]
