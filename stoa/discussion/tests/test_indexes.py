"""The comment table's indexes: none answers only what another already does (each is one
more B-tree every comment written grows), and migration 0012 drops the three that did
without copying the table, and builds them again going back."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from stoa.discussion.models import Comment

BEFORE = ("discussion", "0011_comment_duplicate_key_author")
AFTER = ("discussion", "0012_fewer_comment_indexes")


def _indexes() -> dict[str, list[str]]:
    """Each index of the comment table, by name: its columns (None for an expression)."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, Comment._meta.db_table)
    return {
        name: about["columns"]
        for name, about in found.items()
        if about["index"] and not about["primary_key"]
    }


def _table_storage() -> object:
    """What changes when a table is copied to a new one and renamed (as Django's AlterField
    does on SQLite): its first page in the file, its object id on PostgreSQL."""
    table = Comment._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT rootpage FROM sqlite_master WHERE name = %s", [table])
        else:
            cursor.execute("SELECT %s::regclass::oid", [table])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_the_post_and_the_user_have_no_index_of_their_own() -> None:
    indexes = _indexes()
    assert ["post_id"] not in indexes.values()
    assert ["user_id"] not in indexes.values()
    assert "comment_author_email" not in indexes
    # What they answered, the composite indexes that begin with them answer.
    assert indexes["comment_thread"] == ["post_id", "status", "created_at"]
    assert indexes["comment_user_recent"] == ["user_id", "created_at"]


@pytest.mark.django_db
def test_no_two_indexes_of_the_comment_table_are_the_same() -> None:
    columns = [tuple(c) for c in _indexes().values() if c and None not in c]
    assert len(columns) == len(set(columns))


@pytest.mark.django_db(transaction=True)
def test_the_migration_drops_the_three_indexes_and_builds_them_again_going_back() -> None:
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([BEFORE])
        before = _indexes()
        assert ["post_id"] in before.values()
        assert ["user_id"] in before.values()
        assert before["comment_author_email"] == ["author_email", "status"]
        executor.loader.build_graph()
        storage = _table_storage()
        executor.migrate([AFTER])
        after = _indexes()
        assert set(before) - set(after) == {
            name
            for name, columns in before.items()
            if columns in (["post_id"], ["user_id"]) or name == "comment_author_email"
        }
        assert _table_storage() == storage  # the table itself untouched, not copied
    finally:
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
