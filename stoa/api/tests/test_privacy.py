"""The privacy crawl of the site (stoa/discussion/tests/test_privacy.py), extended to every
answer of the API: on the demo magazine with its known commenters, every list (every page
of it), every item, every thread page and every comment a visitor can reach, and the
schema. No commenter's email or IP address appears; no held, spam or trashed comment; no
members-only body. A member with a token is crawled too: still no email or address, and
nobody else's held comment."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import lxml.html
import pytest

from stoa.api.tests.conftest import Api, token_for
from stoa.discussion.models import Comment, CommentStatus, DiscussionSettings
from stoa.discussion.tests import test_privacy as site_crawl
from stoa.members.tests.factories import UserFactory
from stoa.publishing.models import Post, PostVisibility

pytestmark = pytest.mark.django_db

# The site crawl's demo magazine, with its known commenters in every status.
demo_site = site_crawl.demo_site
ip_pattern = site_crawl.ip_pattern


@pytest.fixture(autouse=True)
def _no_rate_limits(settings: Any) -> None:
    """A crawl is one client asking for everything at once."""
    settings.STOA_API = {
        **settings.STOA_API,
        "RATE_PER_ADDRESS": (100_000, 60),
        "RATE_PER_TOKEN": (100_000, 60),
    }


LISTS = ("/posts", "/pages", "/people", "/categories", "/tags", "/series")
DETAIL_KEYS = {
    "/posts": "id",
    "/pages": "id",
    "/people": "slug",
    "/categories": "slug",
    "/tags": "slug",
    "/series": "slug",
}


def _comments(tree: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for comment in tree:
        yield comment
        yield from _comments(comment["replies"])


def crawl(api: Api) -> dict[str, bytes]:
    """Every answer the API gives this caller, by following what it answers."""
    bodies: dict[str, bytes] = {}

    def fetch(path: str) -> Any:
        answer = api.get(path)
        assert answer.status_code in (200, 403, 404), (path, answer.content)
        bodies[path] = answer.content
        return answer

    fetch("/openapi.json")
    for listing in LISTS:
        page = fetch(f"{listing}?limit=3").json()
        items = list(page["items"])
        while page["next"]:
            path = page["next"].split("/api/v1", 1)[1]
            page = fetch(path).json()
            items += page["items"]
        for item in items:
            detail = fetch(f"{listing}/{item[DETAIL_KEYS[listing]]}").json()
            if listing == "/series":
                for session in detail["sessions"]:
                    fetch(f"/series/{item['slug']}/sessions/{session['slug']}")
            if listing != "/posts":
                continue
            number = 1
            while True:
                thread = fetch(f"/posts/{item['id']}/comments?page={number}")
                if thread.status_code != 200:
                    break
                for comment in _comments(thread.json()["comments"]):
                    fetch(f"/comments/{comment['id']}")
                if number >= thread.json()["pages"]:
                    break
                number += 1
    return bodies


def _plain(html: str) -> str:
    return " ".join(lxml.html.fromstring(f"<div>{html}</div>").text_content().split())


def leaks_in(bodies: dict[str, bytes], *, hidden_texts: list[str]) -> list[tuple[str, str]]:
    emails = {
        e.lower()
        for e in Comment.objects.exclude(author_email="").values_list("author_email", flat=True)
    }
    ips = set(Comment.objects.exclude(ip_address=None).values_list("ip_address", flat=True))
    assert emails and ips
    found = []
    for url, body in bodies.items():
        text = body.decode()
        lowered = text.lower()
        decoded = json.dumps(json.loads(body)) if body else ""
        for email in emails:
            if email in lowered:
                found.append((url, email))
        for ip in ips:
            if ip_pattern(ip).search(body):
                found.append((url, ip))
        for hidden in hidden_texts:
            if hidden in text or hidden in decoded:
                found.append((url, hidden[:40]))
    return found


def _unseen_comments(*, except_user: Any = None) -> list[str]:
    """The texts of comments readers other than their writer may not see."""
    hidden = Comment.objects.exclude(status=CommentStatus.APPROVED)
    if except_user is not None:
        hidden = hidden.exclude(user=except_user)
    return [c.text for c in hidden if len(c.text) >= 12]


def _members_bodies() -> list[str]:
    """A stretch of each members-only body that no summary repeats (from its end)."""
    found = []
    for post in Post.objects.published().filter(visibility=PostVisibility.MEMBERS):
        plain = _plain(post.body)
        stretch = plain[-60:].strip()
        if stretch and stretch not in post.teaser:
            found.append(stretch)
    assert found, "the demo has no members-only post to protect"
    return found


@pytest.mark.usefixtures("demo_site")
def test_no_api_answer_gives_a_visitor_an_email_an_address_a_held_comment_or_a_members_body() -> (
    None
):
    hidden = _unseen_comments()
    assert len(hidden) >= 3
    bodies = crawl(Api())
    threads = [url for url in bodies if url.endswith("/comments?page=1")]
    assert threads and any(b'"replies"' in bodies[url] for url in threads)
    assert not leaks_in(bodies, hidden_texts=hidden + _members_bodies())

    # Once more with the threads in pages, newest first: every comment page.
    settings = DiscussionSettings.current()
    settings.paginate, settings.threads_per_page, settings.newest_first = True, 2, True
    settings.save()
    paged = crawl(Api())
    assert any(url.endswith("?page=2") for url in paged)
    assert not leaks_in(paged, hidden_texts=hidden + _members_bodies())


@pytest.mark.usefixtures("demo_site")
def test_no_api_answer_gives_a_member_anothers_email_address_or_held_comment() -> None:
    member = UserFactory()
    bodies = crawl(Api(token_for(member)))
    # The member reads the members-only posts in full...
    members_post = Post.objects.published().filter(visibility=PostVisibility.MEMBERS).first()
    assert members_post is not None
    assert f"/posts/{members_post.pk}/comments?page=1" in bodies
    # ...and nothing private of anyone else.
    assert not leaks_in(bodies, hidden_texts=_unseen_comments(except_user=member))
