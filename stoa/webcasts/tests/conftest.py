"""Fixtures the webcast tests share: media in a temporary directory, and the usual cast."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stoa.publishing.tests.factories import UserFactory
from stoa.webcasts.tests.factories import WebcastEditorFactory


@pytest.fixture(autouse=True)
def _media(temporary_media: Path) -> None:
    """Uploads and protected files in this test's own directories, served by Django."""


@pytest.fixture
def member(db: None) -> Any:
    return UserFactory()


@pytest.fixture
def editor(db: None) -> Any:
    return WebcastEditorFactory()
