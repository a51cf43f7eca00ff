"""The review link's page, over HTTP, as a visitor without an account opens it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from stoa.desk import services
from stoa.publishing import services as publishing
from stoa.publishing.tests.factories import PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(editor):
    post = PostFactory(draft=True, title="Work in progress", members_only=True)
    link, token = services.share_for_review(post=post, by=editor)
    return post, link, reverse("desk:review", args=[token])


def test_a_visitor_sees_the_draft_whole_as_readers_will_without_caching_or_indexing(client, shared):
    post, _, url = shared

    response = client.get(url)

    assert response.status_code == 200
    assert '<div class="post__body prose">' in response.content.decode()  # the reader's template
    page = response.content.decode()
    assert "Work in progress" in page and post.body in page  # members-only, still whole
    assert 'name="robots" content="noindex"' in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"


def test_a_withdrawn_link_is_refused_on_the_next_request(client, shared, editor):
    _, link, url = shared
    assert client.get(url).status_code == 200

    services.revoke_review_link(link=link, by=editor)

    response = client.get(url)
    assert response.status_code == 410
    assert "Work in progress" not in response.content.decode()


def test_a_link_made_up_or_altered_is_not_found(client, shared):
    _, _, url = shared

    assert client.get(url[:-3] + "xx/").status_code == 404
    assert client.get("/review/abc/").status_code == 404


def test_a_draft_published_since_sends_the_reader_to_its_address(client, shared):
    post, _, url = shared
    publishing.publish_post(post=post)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == post.get_absolute_url()


def test_the_page_cache_never_keeps_a_review_page(client, shared, settings, editor):
    """With the whole-page cache on (as served), a withdrawn link is refused at once."""
    settings.MIDDLEWARE = ["stoa.core.pagecache.PageCacheMiddleware", *settings.MIDDLEWARE]
    _, link, url = shared
    first = client.get(url)
    assert first.status_code == 200
    assert first.get("X-Cache", "") != "HIT"

    services.revoke_review_link(link=link, by=editor)

    assert client.get(url).status_code == 410
