"""The back office's search for posts and comments through the index (search_results), as
the owning admins call it."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.test import RequestFactory

from stoa.discussion.models import Comment, CommentStatus
from stoa.discussion.tests.factories import CommentFactory, ModeratorFactory
from stoa.members.tests.factories import UserFactory
from stoa.publishing.models import Post
from stoa.publishing.tests.factories import EditorFactory, PostFactory
from stoa.search.admin import search_results

pytestmark = pytest.mark.django_db


def results(model: type, user: object, term: str) -> list[int] | None:
    request = RequestFactory().get("/admin/")
    request.user = user  # type: ignore[attr-defined]
    found = search_results(admin.site._registry[model], request, model.objects.all(), term)
    return None if found is None else sorted(found[0].values_list("pk", flat=True))


def test_a_moderator_finds_a_commenters_earlier_remarks_stemmed_and_held_ones_too() -> None:
    approved = CommentFactory(author_name="Dana Okafor", text="Supervising grieving clients.")
    held = CommentFactory(text="Grief again", status=CommentStatus.PENDING)
    CommentFactory(text="Something else")
    moderator = ModeratorFactory()
    assert results(Comment, moderator, "okafor") == [approved.pk]
    assert results(Comment, moderator, "grieve") == [approved.pk]
    # A held comment is not in the index: Django's own search finds it among the others.
    assert results(Comment, moderator, "again") == [held.pk]


def test_an_editor_finds_posts_drafts_included() -> None:
    live = PostFactory(title="Anniversaries", body="<p>Grieving at the calendar.</p>")
    draft = PostFactory(title="Grieves, a draft", draft=True)
    assert results(Post, EditorFactory(), "grieves") == sorted([live.pk, draft.pk])


def test_a_user_without_the_back_office_gets_djangos_search() -> None:
    assert results(Post, UserFactory(), "grief") is None


def test_the_comments_admin_search_box_is_answered_by_the_index(client: Any) -> None:
    """Through the changelist itself (the ADMIN_SEARCH hook core's admin consults):
    a stemmed word finds the approved comment; the commenter's email address, which the
    index does not hold, is still found by Django's own search."""
    comment = CommentFactory(
        author_email="dana.okafor@example.org", text="Supervising grieving clients."
    )
    CommentFactory(text="Something else entirely")
    client.force_login(ModeratorFactory())
    for term in ("grieve", "dana.okafor@example.org"):
        response = client.get("/admin/discussion/comment/", {"q": term})
        assert response.status_code == 200
        shown = [row.pk for row in response.context["cl"].result_list]
        assert shown == [comment.pk], term


def test_the_posts_admin_search_box_is_answered_by_the_index(client: Any) -> None:
    post = PostFactory(title="Anniversaries", body="<p>Grieving at the calendar.</p>")
    PostFactory(title="Fees")
    client.force_login(EditorFactory())
    response = client.get("/admin/publishing/post/", {"q": "grieves"})
    assert response.status_code == 200
    assert [row.pk for row in response.context["cl"].result_list] == [post.pk]
