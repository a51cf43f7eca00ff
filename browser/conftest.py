"""Fixtures of the browser suite: one real site for the whole session (gunicorn on a fresh
SQLite database with the demo content), Debian's Chromium driven by Playwright, and a
`browsing` helper per test (see harness.py).

No test here uses Django in this process or pytest-django's database: everything goes
through the browser, or through site_script.py in a process of the site's own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

# Playwright must never fetch a browser of its own: the suite uses Debian's Chromium.
os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")

from playwright.sync_api import Browser, Playwright, sync_playwright  # noqa: E402

from browser.harness import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    Browsing,
    Site,
    chromium_missing,
    new_site,
    on_ci,
    screenshot_name,
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "browser: drives Debian's Chromium (Playwright) against a real gunicorn server; "
        "skipped without /usr/bin/chromium, except on CI (CI=true), where that fails",
    )


@pytest.fixture(autouse=True)
def _test_settings() -> Iterator[None]:
    """Replaces the project's autouse fixture of that name (conftest.py at the root), which
    changes Django's settings in this process: the site under test runs in gunicorn."""
    yield


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium; without it the browser tests skip, except on CI, where they fail."""
    if reason := chromium_missing():
        if on_ci():
            pytest.fail(f"CI is set and {reason}", pytrace=False)
        pytest.skip(reason)
    return str(CHROMIUM)


@pytest.fixture(scope="session")
def playwright(chromium: str) -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright, chromium: str) -> Iterator[Browser]:
    launched = playwright.chromium.launch(
        executable_path=chromium, headless=True, args=CHROMIUM_ARGS, timeout=60_000
    )
    try:
        yield launched
    finally:
        launched.close()


@pytest.fixture(scope="session")
def site(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The real site: gunicorn (2 workers, DEBUG unset, plain http) on a free 127.0.0.1 port,
    a fresh SQLite database with the demo content and a moderator. Stopped at the end."""
    site = new_site(tmp_path_factory.mktemp("stoa-browser-site"))
    try:
        site.prepare()
        site.start()
        yield site
    finally:
        site.stop()


@pytest.fixture
def viewport(request: pytest.FixtureRequest) -> str:
    """ "desktop", unless the test is parametrized with `viewport` (indirect)."""
    return str(getattr(request, "param", "desktop"))


@pytest.fixture
def browsing(
    browser: Browser, site: Site, viewport: str, request: pytest.FixtureRequest
) -> Iterator[Browsing]:
    """Contexts for one test; afterwards a screenshot of its last page, and a failure if a
    page threw an uncaught script error or the server logged one."""
    session = Browsing(browser, site, viewport, screenshot_name(request.node.name))
    try:
        yield session
    finally:
        session.close()
    if problems := session.problems():
        pytest.fail("\n".join(problems), pytrace=False)
