"""What a clip changes in the discussion under its post: cited moments and presenters.

Webcasts and the discussion are sibling apps, neither importing the other: this is where
they meet, on the assembled site."""

from __future__ import annotations

import pytest

from stoa.discussion import services
from stoa.discussion.tests.factories import CommentFactory
from stoa.discussion.threads import render_comment
from stoa.publishing.tests.factories import PersonFactory, PostFactory, UserFactory
from stoa.webcasts.tests.factories import ClipFactory, SeriesFactory, SessionFactory

pytestmark = pytest.mark.django_db

MOMENT = '<a class="timecode" href="#t=754" data-t="754">12:34</a>'


def test_a_moment_cited_under_a_post_with_a_clip_links_to_it() -> None:
    post = PostFactory()
    ClipFactory(post=post)
    comment = CommentFactory(post=post, text="Listen at [12:34], where she waits.")
    assert MOMENT in comment.html
    assert MOMENT in render_comment(comment)


def test_a_moment_cited_under_a_post_without_a_clip_stays_text() -> None:
    comment = CommentFactory(post=PostFactory(), text="Listen at [12:34].")
    assert "timecode" not in comment.html and "[12:34]" in comment.html


def test_an_edit_links_a_cited_moment_too() -> None:
    post = PostFactory()
    ClipFactory(post=post)
    comment = CommentFactory(post=post, text="Nothing cited yet.")
    edited = services.edit_comment(comment=comment, body="Now: [12:34].", editor=None)
    assert MOMENT in edited.html


@pytest.mark.parametrize("where", ["session", "series"])
def test_the_clips_presenter_gets_the_author_badge(where: str) -> None:
    presenter = PersonFactory(user=UserFactory())
    post = PostFactory()
    if where == "session":
        session = SessionFactory(presenter=presenter)
        ClipFactory(post=post, series=session.series, session=session)
    else:
        ClipFactory(post=post, series=SeriesFactory(presenters=[presenter]))
    comment = CommentFactory(post=post, user=presenter.user)
    assert comment.is_by_post_author
    assert '<span class="badge">Author</span>' in render_comment(comment)


def test_a_presenter_of_another_clip_gets_no_badge() -> None:
    presenter = PersonFactory(user=UserFactory())
    ClipFactory(post=PostFactory(), series=SeriesFactory(presenters=[presenter]))
    elsewhere = PostFactory()
    ClipFactory(post=elsewhere)
    comment = CommentFactory(post=elsewhere, user=presenter.user)
    assert not comment.is_by_post_author


def test_a_commenter_cannot_write_their_own_timecode_attributes() -> None:
    post = PostFactory()
    ClipFactory(post=post)
    typed = '<a class="timecode" data-t="1" href="javascript:alert(1)">[0:01]</a> and [0:02]'
    html = services.comment_markup(post, typed)
    assert "javascript" not in html and 'data-t="1"' not in html
    assert '<a class="timecode" href="#t=2" data-t="2">0:02</a>' in html
