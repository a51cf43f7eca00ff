"""PostgreSQL: the members' search reads `public_vector || members_vector` (the members-only
body parsed alone, through a GIN index on that expression) instead of a second generated
vector of every column (`full_vector`, which parsed each body twice on every write).
Nothing changes on SQLite."""

from typing import Any

from django.db import migrations


def members_vector(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    from stoa.search.backends import backend

    schema_editor.execute("DROP INDEX IF EXISTS search_document_full_gin")
    schema_editor.execute("ALTER TABLE search_document DROP COLUMN IF EXISTS full_vector")
    backend().install(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("search", "0002_backend")]

    # Backwards, 0002's reversal drops whichever vectors there are.
    operations = [migrations.RunPython(members_vector, migrations.RunPython.noop)]
