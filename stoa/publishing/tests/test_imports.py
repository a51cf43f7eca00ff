"""Posts brought from another system at once (services.import_posts): kept as they were,
sanitised like any post, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stoa.publishing import services
from stoa.publishing.models import MediaItem, Post, PostStatus, PostVisibility
from stoa.publishing.services import ImportedPost
from stoa.publishing.tests.factories import CategoryFactory, PersonFactory, TagFactory

pytestmark = pytest.mark.django_db
WHEN = dt.datetime(2020, 5, 1, 12, 0, tzinfo=dt.UTC)


def test_many_posts_are_written_as_they_were_in_a_fixed_number_of_queries():
    person, category, tag = PersonFactory(), CategoryFactory(), TagFactory()
    rows = [
        ImportedPost(
            title=f"Old post {n}",
            slug=f"old-post-{n}",
            body=f"<p>Body {n}</p><script>x()</script>",
            authors=[person.pk],
            categories=[category.pk],
            tags=[tag.pk, tag.pk],
            status=PostStatus.PUBLISHED,
            published_at=WHEN,
            created_at=WHEN,
            updated_at=WHEN + dt.timedelta(days=1),
        )
        for n in range(50)
    ]
    with CaptureQueriesContext(connection) as queries:
        posts = services.import_posts(rows=rows)
    assert len(queries) < 12
    post = Post.objects.get(pk=posts[7].pk)
    assert (post.slug, post.status, post.published_at) == ("old-post-7", "published", WHEN)
    assert post.body == "<p>Body 7</p>"
    assert post.summary == "Body 7"
    assert (post.created_at, post.updated_at) == (WHEN, WHEN + dt.timedelta(days=1))
    assert list(post.authors.all()) == [person]
    assert list(post.tags.all()) == [tag]


def test_a_published_post_whose_time_is_ahead_is_scheduled_and_members_keep_their_teaser():
    person, category = PersonFactory(), CategoryFactory()
    later = dt.datetime(2031, 6, 1, tzinfo=dt.UTC)
    [post] = services.import_posts(
        rows=[
            ImportedPost(
                title="Later",
                slug="later",
                body="Secret words.",
                authors=[person.pk],
                categories=[category.pk],
                status=PostStatus.PUBLISHED,
                published_at=later,
                visibility=PostVisibility.MEMBERS,
            )
        ]
    )
    assert post.status == PostStatus.SCHEDULED
    assert post.summary == ""


def test_a_body_sanitised_ahead_is_taken_as_it_is_and_its_summary_drawn_from_it():
    """A caller that ran clean_post_body itself (a WordPress import's reading process)
    hands the result over; without it the body is sanitised here."""
    person, category = PersonFactory(), CategoryFactory()
    ahead, here = services.import_posts(
        rows=[
            ImportedPost(
                title=title,
                slug=title.lower(),
                body="<p>Raw words</p><script>x()</script>",
                sanitised_body=sanitised,
                authors=[person.pk],
                categories=[category.pk],
            )
            for title, sanitised in (("Ahead", "<p>Drawn words</p>"), ("Here", None))
        ]
    )
    assert (ahead.body, ahead.summary) == ("<p>Drawn words</p>", "Drawn words")
    assert (here.body, here.summary) == ("<p>Raw words</p>", "Raw words")


def test_a_post_without_author_or_category_is_refused():
    with pytest.raises(ValidationError):
        services.import_posts(
            rows=[ImportedPost(title="x", slug="x", body="x", authors=[], categories=[1])]
        )


def test_media_items_without_files_are_written_at_once_keeping_their_address():
    when = dt.datetime(2019, 1, 2, tzinfo=dt.UTC)
    rows = [
        services.ImportedMedia(
            title=f"  Picture {n} ",
            source_url=f"https://old.example/wp-content/uploads/2019/01/p{n}.jpg",
            alt_text="A room",
            caption="Before nine.",
            created_at=when,
        )
        for n in range(30)
    ]
    with CaptureQueriesContext(connection) as queries:
        items = services.import_media_items(rows=rows)
    assert len(queries) < 5
    item = MediaItem.objects.get(pk=items[3].pk)
    assert (item.title, item.url, item.content_type) == (
        "Picture 3",
        "https://old.example/wp-content/uploads/2019/01/p3.jpg",
        "image/jpeg",
    )
    assert (item.alt_text, item.caption, item.created_at) == ("A room", "Before nine.", when)
    assert not item.file


def test_imported_posts_get_their_own_ids_and_read_back_as_bulk_create_writes_them():
    """import_posts writes its rows by hand-made INSERTs (an executemany on SQLite, whose
    ids are worked out from the last one): each post returned is its own row, above the
    ids of posts made and deleted before, with the columns the ORM would have written."""
    person, category = PersonFactory(), CategoryFactory()

    def imported(n: int) -> ImportedPost:
        return ImportedPost(
            title=f"Old post {n}",
            slug=f"old-{n}",
            body=f"<p>Body {n}</p>",
            authors=[person.pk],
            categories=[category.pk],
            status=PostStatus.PUBLISHED,
            published_at=WHEN,
            created_at=WHEN,
            updated_at=WHEN,
            is_sticky=n % 2 == 0,
        )

    [gone] = services.import_posts(rows=[imported(0)])
    Post.objects.filter(pk=gone.pk).delete()
    posts = services.import_posts(rows=[imported(n) for n in range(1, 31)])
    assert min(p.pk for p in posts) > gone.pk
    for n, post in enumerate(posts, start=1):
        stored = Post.objects.get(pk=post.pk)
        assert (stored.slug, stored.is_sticky) == (f"old-{n}", n % 2 == 0)
        assert list(stored.categories.all()) == [category]
    [written] = Post.objects.bulk_create(
        [
            Post(
                title="Old post 4",
                slug="orm-4",
                body="<p>Body 4</p>",
                summary="Body 4",
                status=PostStatus.PUBLISHED,
                published_at=WHEN,
                is_sticky=True,
            )
        ]
    )
    Post.objects.filter(pk=written.pk).update(created_at=WHEN, updated_at=WHEN)
    [imported_values] = Post.objects.filter(pk=posts[3].pk).values()
    [orm_values] = Post.objects.filter(pk=written.pk).values()
    assert {k: v for k, v in imported_values.items() if k not in {"id", "slug"}} == {
        k: v for k, v in orm_values.items() if k not in {"id", "slug"}
    }
