"""Fixtures the demo's tests share: the generated media go to this test's own directories,
not to the var/ of whoever runs the tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _media(temporary_media: Path) -> None:
    """The demo's generated media in this test's own directories."""
