"""The players in a real browser (Debian's Chromium, through Playwright) against Django's
live server: the generated WebM plays and seeks over HTTP ranges, captions load, and
player.js seeks to a comment's time code and to #t= in the address.

Skipped without /usr/bin/chromium, except on CI (CI=true), where that fails, as the
browser suite does. Everything in the database is written before the browser starts:
Playwright's sync API runs an event loop, in which Django refuses ORM calls.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from stoa.publishing.tests.factories import PostFactory
from stoa.webcasts.tests.factories import (
    ClipFactory,
    EnrolmentFactory,
    SessionFactory,
)

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def chromium_page(cookies: list[dict[str, Any]] = ()) -> Iterator[Any]:  # type: ignore[assignment]
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI is set and /usr/bin/chromium is missing", pytrace=False)
        pytest.skip("needs Debian's Chromium at /usr/bin/chromium")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required", "--mute-audio"],
        )
        try:
            context = browser.new_context()
            if cookies:
                context.add_cookies(list(cookies))
            page = context.new_page()
            page.problems = []
            page.on("pageerror", lambda error: page.problems.append(str(error)))
            page.on(
                "console",
                lambda message: (
                    page.problems.append(message.text) if message.type == "error" else None
                ),
            )
            yield page
        finally:
            browser.close()


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
