"""Reading through the API: what a visitor, a member with a token, and nobody else sees."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from stoa.api import schemas
from stoa.api.tests.conftest import Api, token_for
from stoa.discussion.models import CommentStatus, DiscussionSettings
from stoa.discussion.tests.factories import CommentFactory
from stoa.publishing.tests.factories import (
    CategoryFactory,
    PageFactory,
    PersonFactory,
    PostFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db


def test_posts_are_listed_newest_first_with_a_cursor_to_the_next_page(api: Api) -> None:
    posts = [PostFactory() for _ in range(5)]
    first = api.get("/posts?limit=2")
    assert first.status_code == 200
    body = first.json()
    assert [p["id"] for p in body["items"]] == [posts[4].pk, posts[3].pk]
    seen = [p["id"] for p in body["items"]]
    while body["next"]:
        body = api.client.get(body["next"]).json()
        seen += [p["id"] for p in body["items"]]
    assert seen == [p.pk for p in reversed(posts)]


def test_a_listing_page_costs_a_fixed_number_of_queries(api: Api) -> None:
    for _ in range(3):
        PostFactory()
    with CaptureQueriesContext(connection) as few:
        assert api.get("/posts?limit=3").status_code == 200
    for _ in range(5):
        PostFactory()
    with CaptureQueriesContext(connection) as more:
        assert api.get("/posts?limit=8").status_code == 200
    assert len(more) == len(few) == 4  # posts, then authors, categories and tags


def test_a_cursor_not_given_by_the_api_is_a_clear_400(api: Api) -> None:
    answer = api.get("/posts?cursor=not-a-cursor")
    assert answer.status_code == 400
    assert answer["Content-Type"] == "application/problem+json"
    assert "cursor" in answer.json()["detail"]


def test_drafts_and_scheduled_posts_are_not_there(api: Api) -> None:
    draft, scheduled = PostFactory(draft=True), PostFactory(scheduled=True)
    listed = {p["id"] for p in api.get("/posts").json()["items"]}
    assert draft.pk not in listed and scheduled.pk not in listed
    assert api.get(f"/posts/{draft.pk}").status_code == 404
    assert api.get(f"/posts/{scheduled.pk}").json()["status"] == 404


def test_a_members_only_body_is_for_members_only(api: Api, member: Any) -> None:
    post = PostFactory(members_only=True, body="<p>Only for members: the secret sauce.</p>")
    visitor = api.get(f"/posts/{post.pk}")
    assert visitor.status_code == 200
    assert visitor.json()["readable"] is False and visitor.json()["body"] is None
    assert b"secret sauce" not in visitor.content
    assert api.get(f"/posts/{post.pk}/comments").status_code == 403
    with_token = Api(token_for(member, "read")).get(f"/posts/{post.pk}")
    assert with_token.json()["body"] == post.body


def test_posts_filter_by_category_tag_and_author(api: Api) -> None:
    category, tag, person = CategoryFactory(), TagFactory(), PersonFactory()
    filed = PostFactory(categories=[category], tags=[tag], authors=[person])
    PostFactory()
    for query in (f"category={category.slug}", f"tag={tag.slug}", f"author={person.slug}"):
        assert [p["id"] for p in api.get(f"/posts?{query}").json()["items"]] == [filed.pk]
    assert api.get("/posts?category=nowhere").status_code == 404


@pytest.mark.parametrize("slug", ["caf%C3%A9", "%D9%A3", "a%20b", "a%0A"])
def test_a_slug_outside_the_documented_letters_is_refused_as_the_schema_says(
    api: Api, slug: str
) -> None:
    """The OpenAPI document's slug pattern (JSON Schema: \\w is ASCII) is the one checked."""
    for query in ("category", "tag", "author"):
        assert api.get(f"/posts?{query}={slug}").status_code in (400, 422)
    for path in ("/people", "/categories", "/tags"):
        assert api.get(f"{path}/{slug}").status_code in (400, 404, 422)
    document = api.get("/openapi.json").json()
    listing = document["paths"]["/api/v1/posts"]["get"]["parameters"]
    author = next(p for p in listing if p["name"] == "author")
    assert author["schema"]["anyOf"][0]["pattern"] == schemas.SLUG_PATTERN


def test_pages_people_categories_and_tags(api: Api) -> None:
    page, draft = PageFactory(title="About us"), PageFactory(status="draft")
    person, category, tag = PersonFactory(), CategoryFactory(), TagFactory()
    pages = {p["id"] for p in api.get("/pages").json()["items"]}
    assert page.pk in pages and draft.pk not in pages
    assert api.get(f"/pages/{page.pk}").json()["body"] == page.body
    assert api.get(f"/pages/{draft.pk}").status_code == 404
    assert api.get(f"/people/{person.slug}").json()["name"] == person.name
    assert api.get(f"/categories/{category.slug}").json()["url"] == category.get_absolute_url()
    assert api.get(f"/tags/{tag.slug}").json()["name"] == tag.name
    for path in ("/people", "/categories", "/tags"):
        assert api.get(path).json()["items"]
    assert api.get("/people/nobody").status_code == 404


def test_the_thread_is_nested_numbered_and_drawn_as_on_the_page(api: Api, post: Any) -> None:
    first = CommentFactory(post=post)
    reply = CommentFactory(parent=first)
    second = CommentFactory(post=post)
    CommentFactory(post=post, status=CommentStatus.PENDING)
    answer = api.get(f"/posts/{post.pk}/comments")
    assert answer.status_code == 200
    thread = answer.json()
    assert [c["id"] for c in thread["comments"]] == [first.pk, second.pk]
    assert [c["number"] for c in thread["comments"]] == [1, 2]
    assert [r["id"] for r in thread["comments"][0]["replies"]] == [reply.pk]
    first.refresh_from_db()
    assert thread["comments"][0]["html"] == first.rendered
    # The same markup as the post's page prints.
    page = api.client.get(post.get_absolute_url()).content.decode()
    assert thread["html"] in page


def test_comment_pages_follow_the_discussion_settings(api: Api, post: Any) -> None:
    settings = DiscussionSettings.current()
    settings.paginate, settings.threads_per_page, settings.newest_first = True, 2, True
    settings.save()
    comments = [CommentFactory(post=post) for _ in range(3)]
    one = api.get(f"/posts/{post.pk}/comments").json()
    two = api.get(f"/posts/{post.pk}/comments?page=2").json()
    assert one["pages"] == 2
    assert [c["id"] for c in one["comments"]] == [comments[2].pk, comments[1].pk]
    assert [c["id"] for c in two["comments"]] == [comments[0].pk]
    assert two["first_number"] == 3 and two["comments"][0]["number"] == 3
    assert api.get(f"/posts/{post.pk}/comments?page=3").status_code == 404


def test_a_held_comment_is_shown_to_its_writer_only(api: Api, post: Any, member: Any) -> None:
    held = CommentFactory(post=post, user=member, status=CommentStatus.PENDING)
    theirs = Api(token_for(member)).get(f"/posts/{post.pk}/comments").json()
    assert [(c["id"], c["awaiting_moderation"]) for c in theirs["comments"]] == [(held.pk, True)]
    assert api.get(f"/posts/{post.pk}/comments").json()["comments"] == []
    assert api.get(f"/comments/{held.pk}").status_code == 404
