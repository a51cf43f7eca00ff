"""Migration operations Django does not ship."""

from __future__ import annotations

from typing import Any

from django.db import migrations


class DropOwnIndex(migrations.AlterField):
    """AlterField of a foreign key to `db_index=False`, for a column a composite index
    already begins with, that drops the column's own index and nothing else.

    Django's AlterField does the same on PostgreSQL, but on SQLite it copies the whole table
    to change the field, and a site moved from WordPress can hold a few hundred thousand
    comments. The index is found by the database's own description of the table (its name
    differs between Django versions' hashes), so the statement is a plain DROP INDEX on both
    databases; going back builds it again as Django names it."""

    def __init__(self, model_name: str, name: str, field: Any) -> None:
        if field.db_index:
            raise ValueError("DropOwnIndex is for a field without an index of its own.")
        super().__init__(model_name, name, field)

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        column = model._meta.get_field(self.name).column
        connection = schema_editor.connection
        with connection.cursor() as cursor:
            found = connection.introspection.get_constraints(cursor, model._meta.db_table)
        for index, about in found.items():
            own = about["index"] and not about["unique"] and not about["primary_key"]
            if own and about["columns"] == [column]:
                schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(index)}")

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        field = model._meta.get_field(self.name)
        schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))

    def describe(self) -> str:
        return f"Drop the own index of {self.model_name}.{self.name}"
