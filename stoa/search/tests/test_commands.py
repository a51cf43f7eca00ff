"""`stoa reindex`, and a WordPress import indexing what it brings (the importer's bulk writes
send no signals: the index catches up once the run is saved done)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

import stoa
from stoa.discussion.models import Comment
from stoa.publishing.models import Post
from stoa.publishing.tests.factories import PostFactory
from stoa.search.backends import Filters, backend
from stoa.search.models import Document, Kind
from stoa.search.query import parse

pytestmark = pytest.mark.django_db

SAMPLE = Path(stoa.__file__).parent / "wordpress" / "tests" / "data" / "sample-export.wordpress.xml"


def test_reindex_rebuilds_the_index_and_prints_a_table() -> None:
    post = PostFactory(title="Rebuilt quince")
    Document.objects.all().delete()
    out = StringIO()
    call_command("reindex", stdout=out)
    assert "articles" in out.getvalue() and "Indexed" in out.getvalue()
    hits = backend().search(parse("quince"), members=False, filters=Filters())
    assert [(hit.kind, hit.object_id) for hit in hits] == [(Kind.POST, post.pk)]


def test_reindex_catch_up_changes_only_what_is_missing() -> None:
    PostFactory(title="One")
    out = StringIO()
    call_command("reindex", "--catch-up", stdout=out)
    assert "Caught up" in out.getvalue()
    assert Document.objects.filter(kind=Kind.POST).count() == 1


def test_a_wordpress_import_indexes_what_it_brings(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_wordpress", str(SAMPLE), stdout=StringIO())
    live = Post.objects.filter(status__in=Post.LIVE_STATUSES)
    assert live.exists()
    indexed = set(Document.objects.filter(kind=Kind.POST).values_list("object_id", flat=True))
    assert indexed == set(live.values_list("pk", flat=True))
    approved = Comment.objects.approved().filter(post__in=live)
    assert approved.exists()
    indexed = set(Document.objects.filter(kind=Kind.COMMENT).values_list("object_id", flat=True))
    assert indexed == set(approved.values_list("pk", flat=True))


def test_an_import_leaves_the_catching_up_to_the_task_worker(
    settings, django_capture_on_commit_callbacks
) -> None:
    # Issue 11: the import's time and memory are its own; the index follows in the worker.
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": []}
    }
    from django_tasks import task_backends

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_wordpress", str(SAMPLE), stdout=StringIO())
    queued = [result.task.name for result in task_backends["default"].results]  # type: ignore[attr-defined]
    assert queued.count("catch_up_index") == 1
    assert not Document.objects.filter(kind=Kind.COMMENT).exists()  # not done in the import


@pytest.mark.django_db(transaction=True)
def test_a_migrate_that_installs_the_index_fills_it_after_every_app_is_migrated() -> None:
    """A site that had no search yet: its posts are found once `migrate` installs the index
    (filled after the last migration of every app, so by the models as they are now)."""
    call_command("migrate", "search", "0001", verbosity=0)  # as before search existed
    post = PostFactory(title="Quinces kept from before the index")
    Document.objects.all().delete()  # a site without search has no documents
    call_command("migrate", verbosity=0)
    hits = backend().search(parse("quinces"), members=False, filters=Filters())
    assert [(hit.kind, hit.object_id) for hit in hits] == [(Kind.POST, post.pk)]
    Document.objects.all().delete()
    call_command("migrate", verbosity=0)  # nothing installed: nothing rebuilt
    assert not Document.objects.exists()
