"""Fixtures for the assembled site's tests: the apps together, as stoa.settings and stoa.urls
put them (the project-wide ones are in the top-level conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def media(temporary_media: Path) -> Path:
    """Uploads and protected files in this test's own directories, as the members' and the
    webcasts' tests have them."""
    return temporary_media
