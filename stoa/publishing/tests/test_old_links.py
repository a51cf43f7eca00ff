"""An edited slug keeps old links working: the address readers had answers 301 to the new
one (as WordPress redirects a post's old slugs), for posts, pages and their children, and the
archives and feeds of authors, categories and tags."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from stoa.core.models import Redirect
from stoa.publishing import services
from stoa.publishing.models import PageStatus, PostStatus
from stoa.publishing.tests.factories import (
    CategoryFactory,
    PageFactory,
    PersonFactory,
    PostFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db


def location(response) -> tuple[int, str]:
    return response.status_code, response.get("Location", "")


def test_a_published_posts_old_slug_redirects_to_its_new_address(client: Client) -> None:
    post = PostFactory(
        title="On listening", published_at=dt.datetime(2024, 3, 5, 12, tzinfo=dt.UTC)
    )
    old = post.get_absolute_url()
    post.slug = "on-listening-well"
    services.save_post(post=post)
    assert old != post.get_absolute_url()
    assert location(client.get(old)) == (301, post.get_absolute_url())
    assert client.get(post.get_absolute_url()).status_code == 200


def test_slugs_changed_twice_and_back_stay_one_hop_and_never_loop(client: Client) -> None:
    post = PostFactory(title="First")
    first = post.get_absolute_url()
    post.slug = "second"
    services.save_post(post=post)
    second = post.get_absolute_url()
    post.slug = "third"
    services.save_post(post=post)
    third = post.get_absolute_url()
    assert location(client.get(first)) == (301, third)
    assert location(client.get(second)) == (301, third)
    post.slug = "second"
    services.save_post(post=post)
    assert client.get(second).status_code == 200
    assert location(client.get(first)) == (301, second)
    assert location(client.get(third)) == (301, second)
    assert not Redirect.objects.filter(old_path=second).exists()


def test_a_draft_renamed_leaves_no_redirect() -> None:
    post = PostFactory(draft=True, title="Working title")
    post.slug = "final-title"
    services.save_post(post=post)
    assert not Redirect.objects.exists()


def test_a_post_taken_back_to_draft_leaves_no_redirect() -> None:
    post = PostFactory()
    post.status = PostStatus.DRAFT
    post.slug = "renamed"
    services.save_post(post=post)
    assert not Redirect.objects.exists()


def test_an_edit_that_keeps_the_address_adds_nothing() -> None:
    post = PostFactory()
    post.title = "A better title"
    services.save_post(post=post)
    assert not Redirect.objects.exists()


def test_a_pages_new_slug_redirects_it_and_its_children(client: Client) -> None:
    about = PageFactory(title="About", slug="about", status=PageStatus.PUBLISHED)
    team = PageFactory(title="Team", slug="team", parent=about, status=PageStatus.PUBLISHED)
    about.slug = "who-we-are"
    services.save_page(page=about)
    assert location(client.get("/about/")) == (301, "/who-we-are/")
    assert location(client.get("/about/team/")) == (301, "/who-we-are/team/")
    team.refresh_from_db()
    assert client.get(team.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    ("make", "save", "prefix"),
    [
        (lambda: CategoryFactory(slug="clinical"), "save_category", "/category/"),
        (lambda: TagFactory(slug="clinical"), "save_tag", "/tag/"),
        (lambda: PersonFactory(slug="clinical"), "save_person", "/author/"),
    ],
)
def test_a_renamed_archive_redirects_its_page_and_feeds(client: Client, make, save, prefix):
    thing = make()
    field = {"save_category": "category", "save_tag": "tag", "save_person": "person"}[save]
    thing.slug = "clinical-practice"
    getattr(services, save)(**{field: thing})
    for tail in ("", "feed/", "feed/atom/"):
        old, new = f"{prefix}clinical/{tail}", f"{prefix}clinical-practice/{tail}"
        assert location(client.get(old)) == (301, new)
    # Saved again unchanged: nothing more.
    getattr(services, save)(**{field: thing})
    assert Redirect.objects.count() == 3


def test_an_old_address_that_led_to_a_renamed_category_leads_to_its_new_one_in_one_hop(
    client: Client,
) -> None:
    from stoa.core import services as core_services

    category = CategoryFactory(slug="clinical")
    # As an import leaves it: WordPress's /?cat=ID and its own category path, sent here.
    core_services.add_redirects(
        pairs=[("/?cat=7", "/category/clinical/"), ("/topics/clinical/", "/category/clinical/")]
    )
    category.slug = "clinical-practice"
    services.save_category(category=category)
    assert location(client.get("/?cat=7")) == (301, "/category/clinical-practice/")
    assert location(client.get("/topics/clinical/")) == (301, "/category/clinical-practice/")


def test_a_renamed_category_with_a_bad_slug_is_refused_and_leaves_no_redirect() -> None:
    from django.core.exceptions import ValidationError

    category = CategoryFactory(slug="clinical")
    category.slug = "not a slug!"
    with pytest.raises(ValidationError):
        services.save_category(category=category)
    assert not Redirect.objects.exists()
