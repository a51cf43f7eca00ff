"""Revisions follow every change of a post or page, whoever makes it."""

from __future__ import annotations

import pytest
from reversion.models import Version

from stoa.desk.signals import acting
from stoa.publishing import services
from stoa.publishing.tests.factories import CategoryFactory, PageFactory, PostFactory, TagFactory

pytestmark = pytest.mark.django_db


def versions(obj):
    return list(Version.objects.get_for_object(obj).order_by("pk"))


def test_a_post_written_through_the_services_has_one_revision_with_its_credits(committed):
    tag = TagFactory()
    with committed():
        post = PostFactory(draft=True, tags=[tag])

    (first,) = versions(post)
    data = first.field_dict
    assert data["title"] == post.title
    assert data["body"] == post.body
    assert data["authors"] == [p.pk for p in post.authors.all()]
    assert data["tags"] == [tag.pk]
    assert first.revision.comment == "Created"


def test_each_committed_change_is_a_revision_crediting_who_made_it(committed, editor):
    with committed():
        post = PostFactory(draft=True)
    with committed(), acting(editor):
        post.body = "<p>A second thought.</p>"
        services.save_post(post=post)

    first, second = versions(post)
    assert second.field_dict["body"] == "<p>A second thought.</p>"
    assert second.revision.user == editor
    assert first.revision.user is None  # written by a service with nobody acting


def test_a_save_that_changes_nothing_tracked_writes_no_revision(committed):
    with committed():
        post = PostFactory(draft=True)
    with committed():
        services.save_post(post=post)  # updated_at moves; nothing an editor wrote does

    assert len(versions(post)) == 1


def test_a_change_to_the_categories_alone_is_a_revision(committed):
    with committed():
        post = PostFactory(draft=True)
    other = CategoryFactory()
    with committed():
        post.categories.add(other)

    assert other.pk in versions(post)[-1].field_dict["categories"]


def test_a_rolled_back_change_writes_no_revision(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post = PostFactory(draft=True)
    # The transaction never commits: its callbacks are dropped, as Django drops them.
    assert callbacks
    assert versions(post) == []


def test_pages_have_revisions_too(committed):
    with committed():
        page = PageFactory(title="About")
    with committed():
        page.title = "About us"
        services.save_page(page=page)

    assert [v.field_dict["title"] for v in versions(page)] == ["About", "About us"]
