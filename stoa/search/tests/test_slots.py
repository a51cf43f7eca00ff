"""Related reading under an article (STOA["POST_FOOTER"]): the articles sharing most of its
distinctive words, from the index, kept per content version."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from stoa.publishing.tests.factories import PostFactory, TagFactory
from stoa.search.slots import distinctive_words, related_posts

pytestmark = pytest.mark.django_db


def test_related_reading_lists_the_closest_articles_never_the_article_itself(
    client: Client,
) -> None:
    grief = TagFactory(name="grief")
    post = PostFactory(
        title="Anniversaries of a loss",
        body="<p>Grief returns with the calendar: anniversaries, holidays, birthdays.</p>",
        tags=[grief],
    )
    close = PostFactory(title="When grief comes back", body="<p>Anniversaries and grief.</p>")
    PostFactory(title="Fees and invoices", body="<p>Money talk with clients.</p>")
    titles = [title for title, _ in related_posts(post)]
    # The closest first; the other shares only its section's name ("Category n").
    assert titles[0] == "When grief comes back"
    assert post.title not in titles
    html = client.get(post.get_absolute_url()).content.decode()
    assert "Related reading" in html and close.get_absolute_url() in html


def test_distinctive_words_leave_out_stop_words() -> None:
    post = PostFactory(
        title="What about the anniversaries", body="<p>which would anniversaries</p>"
    )
    words = distinctive_words(post)
    assert "anniversaries" in words
    assert not {"what", "about", "which", "would"} & set(words)


def test_related_reading_is_kept_per_content_version() -> None:
    post = PostFactory(title="Quince and grief")
    again = PostFactory(title="Quince again")
    assert related_posts(post)[0] == ("Quince again", again.get_absolute_url())
    with CaptureQueriesContext(connection) as queries:
        related_posts(post)
    assert len(queries) == 0
    PostFactory(title="Quince thrice")  # a change: a new content version
    assert "Quince thrice" in [title for title, _ in related_posts(post)]
