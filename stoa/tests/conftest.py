"""Fixtures for the assembled site's tests: the apps together, as stoa.settings and stoa.urls
put them (the project-wide ones are in the top-level conftest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    """Uploads (pictures, clips) and protected files (session videos) in this test's own
    directories, served by Django, as the members' and the webcasts' tests have them."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "protected": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "protected", "base_url": None},
        },
    }
    settings.STOA_MEDIA_ACCEL_REDIRECT = ""
    return settings.MEDIA_ROOT
