"""What a move remembers: the site it came from, which Stoa row each of that site's objects
became (so a second import updates instead of duplicating), and each import's report."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse

from stoa.webcasts.storage import ProtectedStorage


class SourceSite(models.Model):
    """A WordPress site (or a Disqus forum) content was brought from, by its address."""

    base_url = models.CharField("address", max_length=500, unique=True)
    title = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["base_url"]
        verbose_name = "source site"

    def __str__(self) -> str:
        return self.title or self.base_url


class ObjectKind(models.TextChoices):
    AUTHOR = "author", "Author"
    CATEGORY = "category", "Category"
    TAG = "tag", "Tag"
    POST = "post", "Post"
    PAGE = "page", "Page"
    ATTACHMENT = "attachment", "Attachment"
    COMMENT = "comment", "Comment"


class Mapping(models.Model):
    """One object of the source site and the Stoa row it became. `source_key` is how the
    export names it: a post's or comment's id; an author's login and a term's slug (what
    items refer to them by; WXR 1.0 gives terms no id). `digest` is a fingerprint of what
    the export said, so a newer export updates only what changed."""

    # Its own index would repeat the unique constraint's, which begins with the site.
    site = models.ForeignKey(
        SourceSite, on_delete=models.CASCADE, related_name="mappings", db_index=False
    )
    kind = models.CharField(max_length=12, choices=ObjectKind.choices)
    source_key = models.CharField(max_length=200)
    object_id = models.BigIntegerField()
    digest = models.CharField(max_length=32, blank=True)
    # The last import that met this object: met twice by one import is a repeated id.
    run = models.ForeignKey(
        "ImportRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["site", "kind", "source_key"], name="wordpress_one_mapping_per_object"
            )
        ]
        indexes = [
            models.Index(fields=["kind", "object_id"], name="wordpress_mapping_object"),
            # An old comment address names the comment's id, not its site.
            models.Index(fields=["kind", "source_key"], name="wordpress_mapping_key"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.source_key} → {self.object_id}"


class ImportKind(models.TextChoices):
    WXR = "wxr", "WordPress export (WXR)"
    DISQUS = "disqus", "Disqus export"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


COUNT_COLUMNS = ("created", "updated", "skipped", "failed")


class ImportRun(models.Model):
    """One import, from the command line or the admin, and its report: counts per kind of
    object (created, updated, skipped, failed) and the problems met."""

    kind = models.CharField(max_length=10, choices=ImportKind.choices, default=ImportKind.WXR)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    file_name = models.CharField(max_length=255)
    # An uploaded export waiting for (or read by) the background task; outside the public
    # media (its emails and addresses are private data) and removed when the run ends.
    upload = models.FileField(
        upload_to="wordpress-imports/",
        storage=ProtectedStorage(),
        blank=True,
        max_length=255,
    )
    media_from = models.CharField("media folder", max_length=500, blank=True)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    site = models.ForeignKey(
        SourceSite, on_delete=models.SET_NULL, null=True, blank=True, related_name="runs"
    )
    done = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "import"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("admin:wordpress_importrun_change", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.is_finished and self.status == RunStatus.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    def count_rows(self) -> list[tuple[str, list[int]]]:
        """The counts as table rows: (kind, [created, updated, skipped, failed])."""
        counts: dict[str, Any] = self.counts or {}
        return [
            (kind, [int(counts[kind].get(column, 0)) for column in COUNT_COLUMNS])
            for kind in counts
        ]
