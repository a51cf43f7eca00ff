"""A post that is not listed (Post.listed off: it only carries the discussion of a page on
another site, stoa.api.embed) is read at its own address and found in no listing: not on the
home page, in its category, in feeds, the sitemap, the categories widget, search, the API's
list, nor as a neighbour of the posts around it."""

from __future__ import annotations

import feedparser
import pytest
from django.core.cache import cache

from stoa.publishing.tests.factories import CategoryFactory, PostFactory
from stoa.publishing.tests.test_sitemaps import index_locations, page_urls

pytestmark = pytest.mark.django_db


@pytest.fixture
def posts() -> dict[str, object]:
    elsewhere = CategoryFactory(name="Elsewhere")
    listed = PostFactory(title="A listed essay")
    unlisted = PostFactory(
        title="The discussion of a partner page", categories=[elsewhere], listed=False
    )
    cache.clear()
    return {"listed": listed, "unlisted": unlisted, "elsewhere": elsewhere}


def test_an_unlisted_post_is_read_at_its_address(client, posts) -> None:
    response = client.get(posts["unlisted"].get_absolute_url())
    assert response.status_code == 200
    assert "The discussion of a partner page" in response.content.decode()


def test_an_unlisted_post_is_in_no_listing_and_its_category_not_in_the_widget(
    client, posts
) -> None:
    home = client.get("/").content.decode()
    assert "A listed essay" in home
    assert "The discussion of a partner page" not in home
    assert "Elsewhere" not in home, "a category with only unlisted posts is not offered"
    archive = client.get(posts["elsewhere"].get_absolute_url()).content.decode()
    assert "The discussion of a partner page" not in archive


def test_an_unlisted_post_is_in_no_feed_and_not_in_the_sitemap(client, posts) -> None:
    titles = [entry.title for entry in feedparser.parse(client.get("/feed/").content).entries]
    assert titles == ["A listed essay"]
    urls = [url for location in index_locations(client) for url in page_urls(client, location)]
    assert any(url.endswith(posts["listed"].get_absolute_url()) for url in urls)
    assert not any(url.endswith(posts["unlisted"].get_absolute_url()) for url in urls)


def test_an_unlisted_post_is_nobodys_neighbour_and_has_none(client, posts) -> None:
    page = client.get(posts["listed"].get_absolute_url()).content.decode()
    assert "The discussion of a partner page" not in page
    own = client.get(posts["unlisted"].get_absolute_url()).content.decode()
    assert 'rel="prev"' not in own and 'rel="next"' not in own


def test_the_api_lists_only_listed_posts_and_reads_an_unlisted_one_by_id(client, posts) -> None:
    listed = client.get("/api/v1/posts").json()
    assert [item["title"] for item in listed["items"]] == ["A listed essay"]
    one = client.get(f"/api/v1/posts/{posts['unlisted'].pk}")
    assert one.status_code == 200
