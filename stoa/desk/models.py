"""The desk's own rows: links that show a draft to a reviewer without an account, and the
review queue (posts an author submitted, as the admin lists them)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from stoa.publishing.models import Post, PostStatus


class ReviewLinkQuerySet(models.QuerySet["ReviewLink"]):
    def usable(self) -> ReviewLinkQuerySet:
        """Links that still open their draft: not withdrawn, not expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ReviewLink(models.Model):
    """A signed, expiring address that shows one draft as readers will see it. The address
    carries a signature and a random key; the row holds the key's hash, so withdrawing the
    link (revoked_at) takes effect on the next request, whatever the signature says."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="review_links")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ReviewLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")),
                name="review_link_expires_after_created",
            )
        ]

    def __str__(self) -> str:
        return f"Review link for {self.post_id} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class PendingPostQuerySet(models.QuerySet["PendingPost"]):
    def awaiting_review(self) -> PendingPostQuerySet:
        # Oldest submission first: the queue is worked from the front.
        return self.filter(status=PostStatus.PENDING).order_by("updated_at", "pk")


class PendingPost(Post):
    """A post an author submitted for review, as the editors' queue lists it."""

    objects = PendingPostQuerySet.as_manager()  # type: ignore[assignment,misc]

    class Meta:
        proxy = True
        verbose_name = "post awaiting review"
        verbose_name_plural = "review queue"
