"""SQLite: the FTS5 table gains a `kind` column (the document's kind, one word), so a search
of one kind, and the per-kind counts, are narrowed by the index itself rather than by
reading search_document for every match of the text. The table is made again and rebuilt
from search_document (its external content: no text is copied). Nothing changes on
PostgreSQL."""

from typing import Any

from django.db import migrations


def remake(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    from stoa.search.backends import backend

    backend().uninstall(schema_editor)
    backend().install(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("search", "0004_embedding")]

    # Backwards, the table with `kind` serves the code before it (its column filters name
    # the text columns; a search of every column also reads one word of kind).
    operations = [migrations.RunPython(remake, migrations.RunPython.noop)]
