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
