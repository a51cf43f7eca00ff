"""Members-only posts and the discussion: the comments under a members-only post are for
members, and the discussion's own view, which renders the post page again, decides for its
reader too. (The rule, the post page, the caches, feeds and the back office are publishing's:
stoa/publishing/tests/test_members_only.py, whose post and helpers these use.)"""

from __future__ import annotations

import pytest
from django.test import Client

from stoa.discussion.tests.factories import CommentFactory
from stoa.publishing.tests import test_members_only as publishing
from stoa.publishing.tests.factories import UserFactory
from stoa.publishing.tests.test_members_only import SECRET, main_of, signed_in

pytestmark = pytest.mark.django_db

# The members-only post of publishing's tests ("Raising Your Fee", its body behind SECRET).
members_post = publishing.members_post


def test_the_discussion_of_a_members_only_post_is_for_members(members_post) -> None:
    CommentFactory(post=members_post, text="Members talking about fees.")
    url = members_post.get_absolute_url()

    outside = main_of(Client().get(url))
    inside = main_of(signed_in(UserFactory()).get(url))

    for hidden in ("Members talking about fees.", 'id="comments"', 'id="respond"'):
        assert hidden not in outside
        assert hidden in inside


def test_a_post_page_rendered_by_another_app_decides_for_its_reader(members_post) -> None:
    # A member's refused comment comes back on the post page (stoa.discussion.views), whole;
    # a visitor is refused before that, and never given the body either.
    url = f"/comments/post/{members_post.pk}/"
    visitor = Client().post(url, {"body": "Hello"})
    assert visitor.status_code == 403
    assert SECRET not in visitor.content.decode()
    member = signed_in(UserFactory()).post(url, {"body": ""})
    assert member.status_code == 400
    assert SECRET in member.content.decode()
