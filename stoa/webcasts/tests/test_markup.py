"""What webcasts add to a comment's markup (STOA["COMMENT_MARKUP"]): cited moments in the
post's clip become links that seek it. (Typed by a commenter through the sanitiser: the
assembled site's tests, stoa/tests/test_webcasts_discussion.py.)"""

from __future__ import annotations

import pytest

from stoa.publishing.tests.factories import PostFactory
from stoa.webcasts.markup import link_cited_moments, link_timecodes
from stoa.webcasts.tests.factories import ClipFactory


@pytest.mark.parametrize(
    ("typed", "seconds", "label"),
    [("[12:34]", 754, "12:34"), ("[0:05]", 5, "0:05"), ("[1:02:03]", 3723, "1:02:03")],
)
def test_a_cited_moment_becomes_a_link_that_seeks_the_clip(
    typed: str, seconds: int, label: str
) -> None:
    assert link_timecodes(f"<p>Watch {typed} closely.</p>") == (
        f'<p>Watch <a class="timecode" href="#t={seconds}" data-t="{seconds}">{label}</a>'
        " closely.</p>"
    )


@pytest.mark.parametrize("typed", ["[12:74]", "[123:45]", "[12:3]", "[ab:cd]", "12:34"])
def test_things_that_are_not_moments_stay_text(typed: str) -> None:
    assert "timecode" not in link_timecodes(f"<p>{typed}</p>")


def test_a_moment_inside_a_link_stays_the_links_text() -> None:
    linked = link_timecodes('<p><a href="https://example.org/">see [1:00]</a></p>')
    assert "timecode" not in linked
    assert ">see [1:00]</a>" in linked


@pytest.mark.django_db
def test_under_a_post_without_a_clip_a_moment_stays_text() -> None:
    html = "<p>At [12:34] she pauses.</p>"
    assert link_cited_moments(PostFactory(), html) == html


@pytest.mark.django_db
def test_under_a_post_with_a_clip_a_moment_is_linked() -> None:
    post = PostFactory()
    ClipFactory(post=post)
    assert 'href="#t=754"' in link_cited_moments(post, "<p>At [12:34] she pauses.</p>")
