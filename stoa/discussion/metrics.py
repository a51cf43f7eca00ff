"""The discussion's gauges for /metrics (settings.STOA_METRICS["COLLECTORS"],
stoa.core.metrics), read when Prometheus asks."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric

from stoa.discussion.models import Comment


def comments_held() -> Iterator[Metric]:
    """Comments waiting for a moderator: one count on the moderation queue's index
    (comment_queue: status, created_at)."""
    yield GaugeMetricFamily(
        "stoa_comments_held",
        "Comments held for moderation.",
        value=Comment.objects.held().count(),
    )
