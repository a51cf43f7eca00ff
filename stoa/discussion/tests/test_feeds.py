"""Comment feeds, RSS and Atom, for the whole site and for one post: approved comments on
live posts, newest first, by name only."""

from __future__ import annotations

import datetime as dt
import re

import feedparser
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stoa.discussion.models import Comment, CommentStatus, DiscussionSettings
from stoa.discussion.tests.factories import CommentFactory
from stoa.publishing import services as publishing_services
from stoa.publishing.tests.factories import PostFactory, UserFactory

pytestmark = pytest.mark.django_db


def ago(hours: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(hours=hours)


@pytest.fixture
def discussion() -> dict[str, Comment]:
    """Two posts with approved comments, plus comments no feed may show."""
    listening = PostFactory(title="On Listening")
    silence = PostFactory(title="On Silence")
    draft = PostFactory(title="Unpublished", draft=True)
    made = {
        "oldest": CommentFactory(
            post=listening,
            author_name="Ada Reader",
            author_email="ada.reader@example.net",
            author_url="https://ada.example",
            text="The oldest comment.",
            ip_address="203.0.113.10",
            created_at=ago(30),
        ),
        "other-post": CommentFactory(
            post=silence,
            author_name="Ben Ort",
            author_email="ben.ort@example.org",
            text="On the other post.",
            ip_address="203.0.113.11",
            created_at=ago(20),
        ),
        "newest": CommentFactory(
            post=listening,
            author_name="Cleo Voss",
            author_email="cleo.voss@example.com",
            text="The newest comment.",
            ip_address="203.0.113.12",
            created_at=ago(10),
        ),
    }
    hidden = {
        "held": (listening, CommentStatus.PENDING),
        "spam": (listening, CommentStatus.SPAM),
        "trash": (silence, CommentStatus.TRASH),
    }
    for i, (name, (post, status)) in enumerate(hidden.items()):
        made[name] = CommentFactory(
            post=post,
            author_name=f"Hidden {name}",
            author_email=f"hidden.{name}@example.net",
            text=f"Never in a feed: {name}.",
            ip_address=f"203.0.113.{20 + i}",
            status=status,
            created_at=ago(5 - i),
        )
    made["on-draft"] = CommentFactory(
        post=draft,
        author_name="Hidden draft",
        author_email="hidden.draft@example.net",
        text="Never in a feed: on a draft.",
        created_at=ago(1),
    )
    return made


def fetch(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return response, parsed


SITE_FEEDS = ["/comments/feed/", "/comments/feed/atom/"]


def post_feeds(post_id: int) -> list[str]:
    return [f"/comments/post/{post_id}/feed/", f"/comments/post/{post_id}/feed/atom/"]


@pytest.mark.parametrize("url", SITE_FEEDS)
def test_the_site_feed_lists_approved_comments_newest_first(client, discussion, url) -> None:
    response, parsed = fetch(client, url)
    assert [e.title for e in parsed.entries] == [
        "Cleo Voss on On Listening",
        "Ben Ort on On Silence",
        "Ada Reader on On Listening",
    ]
    assert [e.author for e in parsed.entries] == ["Cleo Voss", "Ben Ort", "Ada Reader"]
    newest = discussion["newest"]
    assert parsed.entries[0].link == f"http://testserver{newest.get_absolute_url()}"
    assert "The newest comment." in parsed.entries[0].summary
    assert b"Never in a feed" not in response.content


@pytest.mark.parametrize("url", SITE_FEEDS)
def test_the_site_feed_is_named_for_the_site(client, discussion, url) -> None:
    _, parsed = fetch(client, url)
    assert parsed.feed.title == "Comments on The Practice Review"


@pytest.mark.parametrize("atom", [False, True], ids=["rss", "atom"])
def test_a_posts_feed_lists_that_posts_approved_comments_only(client, discussion, atom) -> None:
    post = discussion["newest"].post
    response, parsed = fetch(client, post_feeds(post.pk)[atom])
    assert parsed.feed.title == "Comments on: On Listening"
    assert [e.author for e in parsed.entries] == ["Cleo Voss", "Ada Reader"]
    assert [e.title for e in parsed.entries] == [
        "Cleo Voss on On Listening",
        "Ada Reader on On Listening",
    ]
    assert b"On the other post." not in response.content
    assert b"Never in a feed" not in response.content


@pytest.mark.parametrize(
    "url",
    [
        *SITE_FEEDS,
        "/comments/post/{listening}/feed/",
        "/comments/post/{listening}/feed/atom/",
        "/comments/post/{silence}/feed/",
        "/comments/post/{silence}/feed/atom/",
    ],
)
def test_no_feed_carries_an_email_or_an_ip_address(client, discussion, url) -> None:
    address = url.format(
        listening=discussion["newest"].post_id, silence=discussion["other-post"].post_id
    )
    response, _ = fetch(client, address)
    body = response.content
    for comment in Comment.objects.all():
        assert comment.author_email.encode() not in body
        if comment.ip_address:
            assert comment.ip_address.encode() not in body
    assert b"@example." not in body
    assert b"203.0.113." not in body


def test_a_posts_feed_links_back_to_the_comments(client, discussion) -> None:
    post = discussion["newest"].post
    _, parsed = fetch(client, post_feeds(post.pk)[0])
    assert parsed.feed.link == f"http://testserver{post.get_absolute_url()}#comments"


def test_feeds_of_posts_readers_cannot_see_are_not_found(client, discussion) -> None:
    draft = discussion["on-draft"].post
    for url in [*post_feeds(draft.pk), *post_feeds(987654)]:
        assert client.get(url).status_code == 404


def test_an_empty_feed_is_still_valid(client) -> None:
    post = PostFactory()
    for url in [*SITE_FEEDS, *post_feeds(post.pk)]:
        _, parsed = fetch(client, url)
        assert parsed.entries == []


def test_the_post_page_links_its_comment_feed(client, discussion) -> None:
    post = discussion["newest"].post
    page = client.get(post.get_absolute_url()).content.decode()
    assert f'href="/comments/post/{post.pk}/feed/"' in page


def head_of(client, post) -> str:
    return client.get(post.get_absolute_url()).content.decode().split("</head>")[0]


def test_the_post_page_advertises_its_comment_feed_in_its_head_as_wordpress_does(
    client, settings
) -> None:
    settings.STOA = {**settings.STOA, "SITE_NAME": "The Practice Review"}
    post = PostFactory(title="Endings & beginnings")
    link = (
        '<link rel="alternate" type="application/rss+xml" '
        'title="The Practice Review » Endings &amp; beginnings Comments Feed" '
        f'href="/comments/post/{post.pk}/feed/">'
    )
    assert link in head_of(client, post)


def test_a_post_closed_to_comments_advertises_its_feed_only_if_it_has_some(client) -> None:
    assert "Comments Feed" not in head_of(client, PostFactory(comments_open=False))
    post = PostFactory()
    CommentFactory(post=post, status=CommentStatus.APPROVED)
    post.refresh_from_db()
    post.comments_open = False
    publishing_services.save_post(post=post)
    assert "Comments Feed" in head_of(client, post)


def test_a_members_only_post_advertises_no_comment_feed(client) -> None:
    post = PostFactory(members_only=True)
    client.force_login(UserFactory())
    assert "Comments Feed" not in head_of(client, post)


def test_a_paged_discussions_feed_links_each_comment_to_its_page_in_one_read_per_post(
    client,
) -> None:
    # Issue 12: each item's address names its comment page; worked out for the whole feed
    # from one read of each post's thread, not one per item (twenty reads of a 2,000-comment
    # thread for the site's feed on a large site).
    settings = DiscussionSettings.current()
    settings.paginate, settings.threads_per_page, settings.newest_first = True, 2, False
    settings.save()
    post = PostFactory()
    comments = [CommentFactory(post=post, created_at=ago(30 - i)) for i in range(6)]
    cache.clear()  # drawn, not the copy kept for the content version
    with CaptureQueriesContext(connection) as queries:
        _, parsed = fetch(client, "/comments/feed/")
    # A thread read: one post's approved comments, oldest first (threads._pages_on).
    thread_read = re.compile(
        r"\"post_id\" = \d+ AND .*ORDER BY \"discussion_comment\".\"created_at\" ASC"
    )
    threads = [q for q in queries.captured_queries if thread_read.search(q["sql"])]
    assert len(threads) == 1, [q["sql"] for q in queries.captured_queries]
    links = {entry.link.rsplit("#comment-", 1)[1]: entry.link for entry in parsed.entries}
    for index, comment in enumerate(comments):
        page = index // 2 + 1
        expected = f"?cpage={page}#comment-{comment.pk}" if page > 1 else f"/#comment-{comment.pk}"
        assert links[str(comment.pk)].endswith(expected)


def test_the_site_feed_is_written_once_per_content_version(client, discussion) -> None:
    # Issue 12: the comments feed was drawn for every request (577 ms at 400,000 comments).
    fetch(client, "/comments/feed/")
    with CaptureQueriesContext(connection) as queries:
        _, parsed = fetch(client, "/comments/feed/")
    assert len(queries.captured_queries) == 0
    newest = CommentFactory(post=discussion["oldest"].post, text="Approved just now.")
    _, parsed = fetch(client, "/comments/feed/")
    assert parsed.entries[0].link.endswith(f"#comment-{newest.pk}")


def test_a_members_only_posts_feed_kept_for_a_member_is_never_given_to_a_visitor(
    client,
) -> None:
    post = PostFactory(members_only=True)
    CommentFactory(post=post, text="Between members.")
    address = f"/comments/post/{post.pk}/feed/"
    member = UserFactory()
    client.force_login(member)
    assert client.get(address).status_code == 200
    client.logout()
    assert client.get(address).status_code == 404
