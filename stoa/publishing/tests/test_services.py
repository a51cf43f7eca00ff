import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stoa.core.tests.test_images import photo
from stoa.publishing import services
from stoa.publishing.models import Page, Post, PostStatus
from stoa.publishing.tests.factories import CategoryFactory, PersonFactory, PostFactory, TagFactory


@pytest.fixture
def filing(db):
    person = services.create_person(name="Ada Quill", bio="Writes about supervision.")
    category = services.create_category(name="Clinical Practice")
    return person, category


def make_post(filing, **kwargs) -> Post:
    person, category = filing
    defaults = {"title": "On Listening", "body": "<p>Body</p>", "status": PostStatus.PUBLISHED}
    return services.create_post(authors=[person], categories=[category], **(defaults | kwargs))


def test_publishing_without_a_time_publishes_now(filing) -> None:
    before = timezone.now()
    post = make_post(filing)
    assert post.status == PostStatus.PUBLISHED
    assert post.published_at is not None and post.published_at >= before
    assert post.is_live


def test_publishing_with_a_future_time_schedules_the_post(filing) -> None:
    post = make_post(filing, published_at=timezone.now() + dt.timedelta(days=2))
    assert post.status == PostStatus.SCHEDULED
    assert not post.is_live
    assert not Post.objects.published().filter(pk=post.pk).exists()


def test_a_scheduled_post_is_published_once_its_time_is_set_in_the_past(filing) -> None:
    post = make_post(filing, published_at=timezone.now() + dt.timedelta(days=2))
    post.published_at = timezone.now() - dt.timedelta(minutes=1)
    services.save_post(post=post)
    assert post.status == PostStatus.PUBLISHED


def test_a_draft_keeps_no_publish_time_and_links_to_its_preview(filing) -> None:
    post = make_post(filing, status=PostStatus.DRAFT)
    assert post.published_at is None
    assert post.get_absolute_url() == f"/preview/{post.pk}/"


def test_the_permalink_uses_the_local_year_and_month(filing, settings) -> None:
    settings.TIME_ZONE = "America/New_York"
    # 03:00 UTC on the first of a month is still the previous month in New York.
    at = dt.datetime(2025, 3, 1, 3, 0, tzinfo=dt.UTC)
    post = make_post(filing, title="Late Night", published_at=at)
    assert post.get_absolute_url() == "/2025/02/late-night/"


def test_slugs_are_made_unique(filing) -> None:
    first, second = make_post(filing), make_post(filing)
    assert (first.slug, second.slug) == ("on-listening", "on-listening-2")


def test_a_post_body_is_sanitised_on_save(filing) -> None:
    post = make_post(filing, body='<p onclick="x()">Hi</p><script>alert(1)</script>')
    assert post.body == "<p>Hi</p>"


def test_a_post_needs_an_author_and_a_category(filing) -> None:
    person, category = filing
    with pytest.raises(ValidationError):
        services.create_post(title="T", body="<p>b</p>", authors=[], categories=[category])
    with pytest.raises(ValidationError):
        services.create_post(title="T", body="<p>b</p>", authors=[person], categories=[])
    assert not Post.objects.exists()


def test_publish_and_unpublish(filing) -> None:
    post = make_post(filing, status=PostStatus.DRAFT)
    services.publish_post(post=post)
    assert post.is_live
    services.unpublish_post(post=post)
    assert post.status == PostStatus.DRAFT
    assert not Post.objects.published().exists()


def test_tags_are_found_case_insensitively(db) -> None:
    first = services.get_or_create_tag(name="Grief")
    assert services.get_or_create_tag(name="  grief ") == first


@pytest.mark.django_db
def test_a_child_page_takes_its_parents_path_and_follows_it_when_moved() -> None:
    about = services.create_page(title="About", body="<p>a</p>")
    standards = services.create_page(title="Editorial Standards", body="<p>s</p>", parent=about)
    assert standards.get_absolute_url() == "/about/editorial-standards/"
    about.slug = "about-us"
    services.save_page(page=about)
    standards.refresh_from_db()
    assert standards.path == "about-us/editorial-standards"


@pytest.mark.django_db
@pytest.mark.parametrize(
    # Every app's first segment, read from the URLconf: routes publishing does not own too.
    "slug",
    ["category", "admin", "2024", "series", "comments", "accounts", "account", "wordpress"],
)
def test_a_top_level_page_cannot_take_a_site_address(slug: str) -> None:
    with pytest.raises(ValidationError):
        services.create_page(title="Taken", slug=slug, body="<p>x</p>")
    assert not Page.objects.exists()


def test_a_page_may_take_a_slug_no_route_begins_with() -> None:
    assert {"about", "contact", "team"}.isdisjoint(services.reserved_page_slugs())


@pytest.mark.django_db
def test_a_page_cannot_be_placed_below_itself() -> None:
    about = services.create_page(title="About", body="<p>a</p>")
    child = services.create_page(title="Child", body="<p>c</p>", parent=about)
    about.parent = child
    with pytest.raises(ValidationError):
        services.save_page(page=about)


@pytest.mark.django_db
def test_a_posts_authors_keep_the_order_given_and_change_only_when_it_does():
    post = PostFactory()
    first, second, third = PersonFactory(), PersonFactory(), PersonFactory()
    category, tag = CategoryFactory(), TagFactory()

    def byline() -> list[int]:
        through = Post.authors.through.objects.filter(post=post).order_by("pk")
        return list(through.values_list("person_id", flat=True))

    services.set_post_relations(
        post=post, authors=[third.pk, first.pk], categories=[category.pk], tags=[tag.pk]
    )
    assert byline() == [third.pk, first.pk]
    assert list(post.categories.all()) == [category] and list(post.tags.all()) == [tag]
    services.set_post_relations(
        post=post, authors=[first.pk, third.pk, second.pk], categories=[category.pk], tags=[]
    )
    assert byline() == [first.pk, third.pk, second.pk]
    assert not post.tags.exists()
    with CaptureQueriesContext(connection) as queries:
        services.set_post_relations(
            post=post, authors=[first.pk, third.pk, second.pk], categories=[category.pk], tags=[]
        )
    assert not [q for q in queries if q["sql"].startswith(("INSERT", "DELETE"))]
    for authors, categories, field in (
        ([], [category.pk], "authors"),
        ([first.pk], [], "categories"),
    ):
        with pytest.raises(ValidationError) as refused:
            services.set_post_relations(post=post, authors=authors, categories=categories, tags=[])
        assert field in refused.value.message_dict
    assert byline() == [first.pk, third.pk, second.pk]


@pytest.mark.django_db
def test_a_persons_photo_goes_through_the_image_pipeline_and_a_non_picture_is_refused(
    temporary_media,
):
    person = PersonFactory()
    services.set_person_photo(person=person, data=photo((60, 48)), name="ada")
    person.refresh_from_db()
    assert person.photo.name.endswith(".webp")
    assert (person.photo.width, person.photo.height) == (384, 384)
    kept = person.photo.name
    with pytest.raises(ValidationError):
        services.set_person_photo(person=person, data=b"Plain text, not a picture.", name="ada")
    person.refresh_from_db()
    assert person.photo.name == kept
