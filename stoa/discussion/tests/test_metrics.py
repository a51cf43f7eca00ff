"""The discussion's gauge for /metrics (stoa.discussion.metrics): comments held for a
moderator, counted in one query when Prometheus asks."""

from __future__ import annotations

import pytest
from django.test import Client

from stoa.discussion.metrics import comments_held
from stoa.discussion.models import CommentStatus
from stoa.discussion.tests.factories import CommentFactory

pytestmark = pytest.mark.django_db
TOKEN = "scrape-token-0123456789abcdef"


def test_held_comments_are_counted_in_one_query(django_assert_num_queries) -> None:
    CommentFactory.create_batch(2, status=CommentStatus.PENDING)
    CommentFactory(status=CommentStatus.APPROVED)
    CommentFactory(status=CommentStatus.SPAM)
    with django_assert_num_queries(1):
        (family,) = list(comments_held())
    assert family.name == "stoa_comments_held"
    assert [sample.value for sample in family.samples] == [2]


def test_the_scrape_reports_them(client: Client, settings) -> None:
    settings.STOA_METRICS = {
        "TOKEN": TOKEN,
        "COLLECTORS": ["stoa.discussion.metrics.comments_held"],
    }
    CommentFactory(status=CommentStatus.PENDING)
    answer = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert "\nstoa_comments_held 1.0\n" in answer.content.decode()
