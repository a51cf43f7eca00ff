"""Project-wide pytest fixtures."""

from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _test_settings(settings):
    """Serve static files unhashed (no collectstatic in tests) and start each test cold."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "email"],
        }
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Whole-page caching has its own tests (stoa/core/tests/ and stoa/tests/test_pagecache.py);
    # elsewhere a second request must reach the view that a test is about.
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if not m.endswith("PageCacheMiddleware")]
    # Throwaway accounts need no slow password hashing.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # One process: a memory cache, unless the suite runs against Redis (REDIS_URL in CI).
    if "filebased" in settings.CACHES["default"]["BACKEND"]:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # The content version lives in the (cleared) cache, not in a file shared by every test.
    settings.STOA_CONTENT_VERSION_FILE = ""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def temporary_media(settings: Any, tmp_path: Path) -> Path:
    """Uploads (pictures, clips) and protected files (session videos) in this test's own
    directories, on the file system, served by Django (no X-Accel-Redirect)."""
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
    return Path(settings.MEDIA_ROOT)
