"""Fixtures the discussion's tests share."""

import pytest

from stoa.publishing.models import Post
from stoa.publishing.tests.factories import PostFactory


@pytest.fixture
def post(db: None) -> Post:
    """A published post with comments open."""
    return PostFactory()
