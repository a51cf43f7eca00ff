"""Listing pages and feeds as a member sees them (issue 12): their content is kept under the
content version per audience, so a warm page costs the member's session and account and no
row of content, and nothing of one reader ever reaches another."""

from __future__ import annotations

import pytest
from django.test import Client

from stoa.publishing import services
from stoa.publishing.models import PostStatus
from stoa.publishing.tests.factories import (
    CategoryFactory,
    PersonFactory,
    PostFactory,
    TagFactory,
    UserFactory,
    an_hour_ago,
)

pytestmark = pytest.mark.django_db

SECRET = "Only members may read this sentence of the body."


@pytest.fixture
def site():
    practice = CategoryFactory(name="Practice", slug="practice")
    ada = PersonFactory(name="Ada Quill", slug="ada-quill")
    tag = TagFactory(name="supervision", slug="supervision")
    when = an_hour_ago()
    public = PostFactory(
        title="Open to All",
        categories=[practice],
        authors=[ada],
        tags=[tag],
        published_at=when,
    )
    closed = PostFactory(
        title="For Members",
        body=f"<p>{SECRET}</p>",
        categories=[practice],
        authors=[ada],
        tags=[tag],
        members_only=True,
        published_at=when,
    )
    local = when.astimezone()
    return {
        "public": public,
        "closed": closed,
        "pages": {
            "home": "/",
            "category": "/category/practice/",
            "tag": "/tag/supervision/",
            "author": "/author/ada-quill/",
            "year": f"/{local:%Y}/",
            "month": f"/{local:%Y}/{local:%m}/",
            "feed": "/feed/",
            "atom feed": "/feed/atom/",
            "category feed": "/category/practice/feed/",
        },
    }


def member_client(name: str) -> tuple[Client, str]:
    user = UserFactory(first_name=name, last_name="Reader")
    client = Client()
    client.force_login(user)
    return client, user.username


LISTINGS = ["home", "category", "tag", "author", "year", "month"]
PAGES = [*LISTINGS, "feed", "atom feed", "category feed"]


@pytest.mark.parametrize("page", PAGES)
def test_a_listing_costs_a_member_at_most_five_queries_warm(
    site, page, django_assert_max_num_queries
) -> None:
    client, _ = member_client("Warm")
    path = site["pages"][page]
    assert client.get(path).status_code == 200
    with django_assert_max_num_queries(5):
        response = client.get(path)
    assert response.status_code == 200
    assert b"Open to All" in response.content


@pytest.mark.parametrize("page", LISTINGS)
def test_a_warm_listing_reads_no_content_only_the_members_session(
    site, page, django_assert_max_num_queries
) -> None:
    client, _ = member_client("Session")
    path = site["pages"][page]
    client.get(path)
    # The session and the account: the content comes whole from the kept piece.
    with django_assert_max_num_queries(2):
        client.get(path)


@pytest.mark.parametrize("page", LISTINGS)
def test_one_members_page_never_shows_in_another_members_or_a_visitors(site, page) -> None:
    path = site["pages"][page]
    first, first_name = member_client("Firstina")
    second, second_name = member_client("Secondo")
    seen_first = first.get(path).content.decode()
    seen_second = second.get(path).content.decode()
    seen_visitor = Client().get(path, HTTP_COOKIE="sessionid=no-such-session").content.decode()
    assert first_name in (first_name + seen_first)  # (the name is the member's own)
    for name in (first_name, "Firstina"):
        assert name not in seen_second and name not in seen_visitor
    # Each is given their own account links, drawn per request around the kept piece.
    assert "Log out" in seen_first and "Log out" in seen_second
    assert "Log out" not in seen_visitor and "Log in" in seen_visitor
    token = 'name="csrfmiddlewaretoken" value="'
    first_token = seen_first.split(token)[1].split('"')[0]
    assert first_token not in seen_second


@pytest.mark.parametrize("page", PAGES)
def test_a_members_only_body_reaches_nobody_from_a_listing(site, page) -> None:
    path = site["pages"][page]
    member, _ = member_client("Reader")
    as_member = member.get(path).content.decode()
    as_visitor = Client().get(path, HTTP_COOKIE="sessionid=no-such-session").content.decode()
    # A listing and a feed carry the teaser, never the body: the same for members (who
    # open the post to read it) and visitors, whoever came first.
    assert "For Members" in as_member and "For Members" in as_visitor
    assert SECRET not in as_member and SECRET not in as_visitor


@pytest.mark.parametrize("page", PAGES)
def test_a_new_post_shows_on_the_next_request(site, page) -> None:
    client, _ = member_client("Fresh")
    path = site["pages"][page]
    assert b"Brand New Thinking" not in client.get(path).content
    PostFactory(
        title="Brand New Thinking",
        categories=[site["public"].categories.first()],
        authors=[site["public"].authors.first()],
        tags=[site["public"].tags.first()],
        published_at=an_hour_ago(),
    )
    assert b"Brand New Thinking" in client.get(path).content


@pytest.mark.parametrize("page", PAGES)
def test_an_edit_shows_on_the_next_request_and_an_unpublished_post_leaves(site, page) -> None:
    client, _ = member_client("Edits")
    path = site["pages"][page]
    client.get(path)
    post = site["public"]
    post.title = "Open to All, Revised"
    services.save_post(post=post)
    assert b"Open to All, Revised" in client.get(path).content
    services.unpublish_post(post=post)
    assert post.status == PostStatus.DRAFT
    assert b"Open to All, Revised" not in client.get(path).content


def test_a_page_number_names_one_kept_page_each(site, settings) -> None:
    settings.STOA = {**settings.STOA, "POSTS_PER_PAGE": 1}
    client, _ = member_client("Pager")
    first, second = client.get("/"), client.get("/?page=2")
    assert first.status_code == second.status_code == 200
    assert first.content != second.content
    assert client.get("/?page=3").status_code == 404
    assert client.get("/?page=02").status_code == 200  # the same page as ?page=2


def test_a_category_that_does_not_exist_is_not_found_for_members_too(site) -> None:
    client, _ = member_client("Lost")
    assert client.get("/category/nowhere/").status_code == 404
    assert client.get("/category/nowhere/feed/").status_code == 404
    CategoryFactory(name="Nowhere", slug="nowhere")
    assert client.get("/category/nowhere/").status_code == 200


def test_a_feed_keeps_its_type_and_last_modified(site) -> None:
    client, _ = member_client("Feeds")
    for _ in range(2):
        rss = client.get("/feed/")
        atom = client.get("/feed/atom/")
        assert rss["Content-Type"].startswith("application/rss+xml")
        assert atom["Content-Type"].startswith("application/atom+xml")
        assert rss["Last-Modified"]
