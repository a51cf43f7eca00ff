"""RSS 2.0 and Atom feeds of the site, a category, a tag and an author, read with feedparser."""

from __future__ import annotations

import datetime as dt
import io

import feedparser
import pytest
from django.utils import timezone

from stoa.publishing.tests.factories import (
    CategoryFactory,
    PersonFactory,
    PostFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db

SITE = "The Practice Review"
TAGLINE = "Ideas and craft for people who do therapy for a living"


def at(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 12, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _site(settings):
    settings.STOA = {**settings.STOA, "SITE_NAME": SITE, "TAGLINE": TAGLINE}


@pytest.fixture
def magazine():
    """Published posts in a category tree, with a tag and an author, and posts readers can't see."""
    ada = PersonFactory(name="Ada Quill", slug="ada-quill")
    ben = PersonFactory(name="Ben Ort", slug="ben-ort")
    practice = CategoryFactory(name="Clinical Practice", slug="clinical-practice")
    couples = CategoryFactory(name="Couples Work", slug="couples-work", parent=practice)
    ethics = CategoryFactory(name="Ethics", slug="ethics")
    grief = TagFactory(name="grief", slug="grief")
    PostFactory(
        title="On Listening",
        authors=[ada],
        categories=[practice],
        tags=[grief],
        published_at=at(2024, 3, 1),
    )
    PostFactory(
        title="Two in the Room",
        authors=[ada, ben],
        categories=[couples],
        published_at=at(2024, 3, 5),
    )
    PostFactory(
        title="Hard Cases",
        authors=[ben],
        categories=[ethics],
        tags=[grief],
        published_at=at(2024, 3, 9),
    )
    PostFactory(
        title="Late Winter Notes",
        authors=[ada],
        categories=[practice],
        tags=[grief],
        published_at=at(2024, 2, 20),
    )
    hidden = {"authors": [ada], "categories": [practice, couples], "tags": [grief]}
    PostFactory(title="Draft Piece", draft=True, **hidden)
    PostFactory(title="Pending Piece", pending=True, **hidden)
    PostFactory(title="Scheduled Piece", scheduled=True, **hidden)
    PostFactory(title="Private Piece", private=True, **hidden)


def read_feed(client, url: str) -> feedparser.FeedParserDict:
    response = client.get(url)
    assert response.status_code == 200, url
    parsed = feedparser.parse(io.BytesIO(response.content))
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def titles(parsed: feedparser.FeedParserDict) -> list[str]:
    return [entry.title for entry in parsed.entries]


FEEDS = [
    (
        "/feed/",
        SITE,
        ["Hard Cases", "Two in the Room", "On Listening", "Late Winter Notes"],
    ),
    (
        "/category/clinical-practice/feed/",
        f"{SITE} » Clinical Practice",
        ["Two in the Room", "On Listening", "Late Winter Notes"],
    ),
    (
        "/category/couples-work/feed/",
        f"{SITE} » Couples Work",
        ["Two in the Room"],
    ),
    (
        "/tag/grief/feed/",
        f"{SITE} » grief",
        ["Hard Cases", "On Listening", "Late Winter Notes"],
    ),
    (
        "/author/ada-quill/feed/",
        f"{SITE} » Ada Quill",
        ["Two in the Room", "On Listening", "Late Winter Notes"],
    ),
]


@pytest.mark.parametrize(("url", "title", "items"), FEEDS)
def test_an_rss_feed_lists_published_posts_newest_first(client, magazine, url, title, items):
    parsed = read_feed(client, url)
    assert parsed.version == "rss20"
    assert parsed.feed.title == title
    assert titles(parsed) == items


@pytest.mark.parametrize(("url", "title", "items"), FEEDS)
def test_an_atom_feed_lists_published_posts_newest_first(client, magazine, url, title, items):
    parsed = read_feed(client, f"{url}atom/")
    assert parsed.version == "atom10"
    assert parsed.feed.title == title
    assert titles(parsed) == items


def test_the_site_feed_describes_the_site_and_links_home(client, magazine) -> None:
    parsed = read_feed(client, "/feed/")
    assert parsed.feed.subtitle == TAGLINE
    assert parsed.feed.link == "http://testserver/"
    atom = read_feed(client, "/feed/atom/")
    assert atom.feed.subtitle == TAGLINE


def test_a_feed_item_carries_its_permalink_authors_and_filing(client, magazine) -> None:
    parsed = read_feed(client, "/feed/")
    entry = next(e for e in parsed.entries if e.title == "Two in the Room")
    assert entry.link == "http://testserver/2024/03/two-in-the-room/"
    assert entry.published_parsed[:3] == (2024, 3, 5)
    assert {term.term for term in entry.tags} == {"Couples Work"}
    assert "Two in the Room" in entry.summary
    atom_entry = next(
        e for e in read_feed(client, "/feed/atom/").entries if e.title == "Two in the Room"
    )
    assert atom_entry.author == "Ada Quill, Ben Ort"


def test_a_category_feed_links_its_archive(client, magazine) -> None:
    parsed = read_feed(client, "/category/clinical-practice/feed/")
    assert parsed.feed.link == "http://testserver/category/clinical-practice/"
    assert parsed.feed.subtitle == "Posts filed under Clinical Practice"


def test_a_feed_holds_at_most_the_configured_number_of_items(client, settings, magazine):
    settings.STOA = {**settings.STOA, "FEED_ITEMS": 2}
    assert titles(read_feed(client, "/feed/")) == ["Hard Cases", "Two in the Room"]


def test_a_scheduled_post_joins_the_feed_once_its_time_has_passed(client, magazine, monkeypatch):
    later = timezone.now() + dt.timedelta(days=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert titles(read_feed(client, "/feed/"))[0] == "Scheduled Piece"


@pytest.mark.parametrize(
    "url",
    [
        "/category/no-such-category/feed/",
        "/category/no-such-category/feed/atom/",
        "/tag/no-such-tag/feed/",
        "/tag/no-such-tag/feed/atom/",
        "/author/no-such-author/feed/",
        "/author/no-such-author/feed/atom/",
    ],
)
def test_the_feed_of_an_unknown_archive_is_not_found(client, magazine, url) -> None:
    assert client.get(url).status_code == 404
