"""The players in a real browser (Debian's Chromium, through Playwright) against Django's
live server: the generated WebM plays and seeks over HTTP ranges, captions load, and
player.js seeks to a comment's time code and to #t= in the address.

Skipped without /usr/bin/chromium, except on CI (CI=true), where that fails, as the
browser suite does. Everything in the database is written before the browser starts:
Playwright's sync API runs an event loop, in which Django refuses ORM calls.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from stoa.core.tests.chromium import chromium_page
from stoa.publishing.tests.factories import PostFactory
from stoa.webcasts.tests.factories import (
    ClipFactory,
    EnrolmentFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


PLAYER = "document.getElementById('clip-player')"


def wait_for_time(page: Any, low: float, high: float) -> float:
    page.wait_for_function(
        f"{PLAYER}.currentTime >= {low} && {PLAYER}.currentTime < {high}", timeout=10_000
    )
    return float(page.evaluate(f"{PLAYER}.currentTime"))


def test_a_comments_time_code_and_the_address_seek_the_posts_clip(live_server) -> None:
    post = PostFactory()
    ClipFactory(post=post, uploaded=True)
    url = live_server.url + post.get_absolute_url()

    with chromium_page() as page:
        page.goto(url + "#t=2")
        wait_for_time(page, 2, 3)
        tracks = page.evaluate(f"[...{PLAYER}.textTracks].map(t => [t.kind, t.mode])")
        assert tracks == [["captions", "showing"]]

        # A time code as the discussion writes it into a comment.
        page.evaluate(
            """() => {
                const link = document.createElement('a');
                link.className = 'timecode'; link.href = '#t=1'; link.dataset.t = '1';
                link.textContent = '0:01'; link.id = 'code';
                document.querySelector('main').appendChild(link);
            }"""
        )
        page.evaluate(f"{PLAYER}.pause()")
        page.click("#code")
        wait_for_time(page, 1, 2)
        assert page.evaluate(f"{PLAYER}.paused") is False
        assert page.evaluate("location.hash") == "#t=1"
        assert page.evaluate(f"{PLAYER}.duration") == 3
        assert page.problems == []


def test_an_enrolled_member_seeks_in_a_session_over_http_ranges(live_server, member) -> None:
    session = SessionFactory()
    EnrolmentFactory(user=member, series=session.series)
    store = SessionStore()
    store[SESSION_KEY] = str(member.pk)
    store[BACKEND_SESSION_KEY] = "stoa.members.backends.ModelBackend"
    store[HASH_SESSION_KEY] = member.get_session_auth_hash()
    store.create()
    cookie = {
        "name": settings.SESSION_COOKIE_NAME,
        "value": store.session_key,
        "url": live_server.url,
    }
    url = live_server.url + session.get_absolute_url()

    with chromium_page([cookie]) as page:
        requests: list[str] = []
        page.on(
            "request",
            lambda r: (
                requests.append(r.headers.get("range", "")) if r.url.endswith("/video") else None
            ),
        )
        page.goto(url)
        page.wait_for_function(f"{PLAYER}.readyState >= 1", timeout=10_000)
        assert page.evaluate(f"{PLAYER}.duration") == 3
        page.evaluate(f"{PLAYER}.currentTime = 2.5")
        wait_for_time(page, 2.5, 3)
        assert page.evaluate(f"{PLAYER}.error") is None
        assert any(r.startswith("bytes=") for r in requests)
        assert page.problems == []
