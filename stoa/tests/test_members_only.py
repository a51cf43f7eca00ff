"""Members-only posts across the apps: the comments under one are for members, and the
discussion's own view, which renders the post page again, decides for its reader too; a
clip on one, and the article itself when it has no excerpt, reach nobody else by any road
(listings, feeds, meta tags, the series page, the clip's files). (The rule, the post page,
the caches, feeds and the back office are publishing's: stoa/publishing/tests/
test_members_only.py, whose post and helpers these use; the clip files are webcasts':
stoa/webcasts/tests/test_media.py.)"""

from __future__ import annotations

import feedparser
import lxml.html
import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client

from stoa.discussion.tests.factories import CommentFactory
from stoa.publishing.tests import test_members_only as publishing
from stoa.publishing.tests.factories import PostFactory, UserFactory
from stoa.publishing.tests.test_members_only import SECRET, main_of, signed_in
from stoa.webcasts.tests.factories import ClipFactory, SeriesFactory

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


OPENING = "The opening of a members' article names the method at once"
CLIP_FILES = ("video", "captions", "poster")


def test_a_members_only_article_and_its_clip_reach_no_one_else_by_any_road() -> None:
    series = SeriesFactory(title="Fees in Practice")
    post = PostFactory(
        title="Closed Article", body=f"<p>{OPENING}. {SECRET}.</p>", members_only=True
    )
    clip = ClipFactory(series=series, post=post, uploaded=True, title="The Closed Clip")
    visitor = Client()

    listing = visitor.get("/").content.decode()
    (entry,) = feedparser.parse(visitor.get("/feed/").content).entries
    article = lxml.html.fromstring(visitor.get(post.get_absolute_url()).content.decode())
    series_page = visitor.get(series.get_absolute_url()).content.decode()

    assert OPENING not in listing and SECRET not in listing
    assert OPENING not in entry.summary
    for meta in ('//meta[@name="description"]', '//meta[@property="og:description"]'):
        assert OPENING not in article.xpath(meta)[0].get("content")
    assert "The Closed Clip" not in series_page
    for kind in CLIP_FILES:
        assert clip.media_url(kind) not in series_page
        answer = visitor.get(clip.media_url(kind))
        assert answer.status_code == 302, kind
        assert answer["Location"].split("?")[0] == resolve_url(settings.LOGIN_URL)
        assert visitor.get(f"/media/{getattr(clip, kind).name}").status_code == 404, kind

    member = signed_in(UserFactory())
    assert OPENING in member.get(post.get_absolute_url()).content.decode()
    for kind in CLIP_FILES:
        answer = member.get(clip.media_url(kind))
        assert answer.status_code == 200, kind
        assert answer["Cache-Control"].startswith("private"), kind
