"""Fixtures for the assembled site's tests: the apps together, as stoa.settings and stoa.urls
put them (the project-wide ones are in the top-level conftest.py), and the site behind a real
nginx (stoa/tests/proxy.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stoa.tests.proxy import ProxiedSite, nginx_missing, on_ci

PROXY_FIXTURE = "behind_nginx"


@pytest.fixture(autouse=True)
def media(temporary_media: Path) -> Path:
    """Uploads and protected files in this test's own directories, as the members' and the
    webcasts' tests have them."""
    return temporary_media


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that uses the site behind nginx is marked `proxy` (run by `make test`,
    deselected in .ci/run's PostgreSQL pass: that site always runs on its own SQLite)."""
    for item in items:
        if PROXY_FIXTURE in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.proxy)


@pytest.fixture(scope="session")
def behind_nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProxiedSite]:
    """Stoa as docs/deploy.md deploys it: gunicorn behind nginx on 127.0.0.1, a fresh SQLite
    database with the demo content and three accounts, TRUSTED_PROXY_COUNT=1 (the API:
    stoa/tests/proxy.py). Without nginx the tests skip, saying why; on CI (CI=true) they
    fail instead. Stopped at the end of the session."""
    if reason := nginx_missing():
        if on_ci():
            pytest.fail(f"CI is set and {reason}", pytrace=False)
        pytest.skip(reason)
    site = ProxiedSite(tmp_path_factory.mktemp("stoa-behind-nginx"))
    try:
        site.prepare()
        site.start()
    except Exception as error:  # noqa: BLE001 - stop what started, then say why
        site.stop()
        pytest.fail(f"the site behind nginx did not start: {error}", pytrace=False)
    try:
        yield site
    finally:
        site.stop()
