"""Pages as members see them across apps (issue 12): the listings' kept pieces follow the
discussion (a new comment is counted on the next request), the sidebar drawn once for every
reader holds nothing of any of them, and the account page is each member's own."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from stoa.discussion.tests.factories import CommentFactory
from stoa.publishing.tests.factories import CategoryFactory, PostFactory, UserFactory
from stoa.webcasts.tests.factories import EnrolmentFactory, SeriesFactory

pytestmark = pytest.mark.django_db


def member(**fields: Any) -> tuple[Client, Any]:
    user = UserFactory(**fields)
    client = Client()
    client.force_login(user)
    return client, user


@pytest.fixture
def post() -> Any:
    return PostFactory(title="A Post to Discuss", categories=[CategoryFactory(slug="practice")])


@pytest.mark.parametrize("path", ["/", "/category/practice/"])
def test_a_new_comment_is_counted_in_a_listing_on_the_next_request(post, path) -> None:
    client, _ = member()
    assert "1 Response" not in client.get(path).content.decode()
    CommentFactory(post=post, text="First thoughts on the piece.")
    page = client.get(path).content.decode()
    assert "1 Response" in page
    assert "First thoughts on the piece." in page  # the sidebar's recent comments


def test_the_sidebar_shows_a_members_comment_as_everyone_sees_it_and_nothing_else(
    post,
) -> None:
    writer_client, writer = member(first_name="Wilhelmina", email="wilhelmina@example.org")
    CommentFactory(post=post, user=writer, text="Signed with my account.")
    seen_by_writer = writer_client.get("/").content.decode()
    other, _ = member()
    seen_by_other = other.get("/").content.decode()
    assert (
        "Signed with my account." in seen_by_writer and "Signed with my account." in seen_by_other
    )
    # The email address is never on a reader's page, not even its writer's.
    assert "wilhelmina@example.org" not in seen_by_writer + seen_by_other


def test_the_account_page_costs_a_member_no_query_warm(django_assert_num_queries) -> None:
    client, user = member()
    client.get("/account/")
    # Issue 12's budget is 5: the session and the member with their profile are kept in the
    # cache, and so are the sections, for this member, until their rows or the content
    # change (stoa.members.cache). Reading the page writes nothing either.
    with django_assert_num_queries(0):
        assert client.get("/account/").status_code == 200


def test_one_members_account_page_never_shows_in_anothers() -> None:
    series = SeriesFactory(title="Working with Couples")
    first, first_user = member(email="firstina@example.org", first_name="Firstina")
    EnrolmentFactory(user=first_user, series=series)
    second, _ = member(email="secondo@example.org", first_name="Secondo")
    mine = first.get("/account/").content.decode()
    theirs = second.get("/account/").content.decode()
    assert "firstina@example.org" in mine and "Working with Couples" in mine
    assert "firstina@example.org" not in theirs and "Firstina" not in theirs
    assert "Working with Couples" not in theirs
