"""A page of Debian's Chromium, through Playwright, for the apps' tests against Django's live
server (the player's seeking, the old comment anchors' script). Skipped without
/usr/bin/chromium, except on CI (CI=true), where that fails, as the browser suite does.
Everything in the database is written before the browser starts: Playwright's sync API runs
an event loop, in which Django refuses ORM calls."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")


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
