"""The task worker's own bookkeeping (stoa/core/tasks.py), not domain data: the leases of the
running workers, and the emails each task has sent."""

from __future__ import annotations

from django.db import models


class WorkerLease(models.Model):
    """A running `stoa db_worker`, renewed by it every third of its lease. A worker that stops
    renewing (kill -9, out of memory, power cut) has died: once its lease is over, another
    worker puts the task it was running back in the queue."""

    worker_id = models.CharField(primary_key=True, max_length=64)
    # For people reading the table: where the worker ran.
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.host}:{self.pid})"


class SentEmail(models.Model):
    """An email a task has sent, written as soon as the mail server took it: the same task run
    again after a crash skips it instead of sending it twice."""

    # sha256 of the task's id and the message's recipients (tasks.email_key).
    key = models.CharField(primary_key=True, max_length=64)
    task_id = models.CharField(max_length=64)
    sent_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.key[:12]} (task {self.task_id})"


class Redirect(models.Model):
    """An old address that answers a permanent redirect (301) to where its content lives now:
    a moved site's links (WordPress's /?p=12, /2024/03/05/slug/, its uploads), an edited slug.
    Kept one hop long: a redirect to an old address is pointed at that one's target
    (stoa.core.services), so no reader is sent twice."""

    # A path as request.path reads it (percent-decoded, so a Greek slug is stored in Greek),
    # with its query when it has one, in a normal order ("/?p=12", "/?page_id=3").
    old_path = models.CharField("old address", max_length=1000, unique=True)
    # Where it goes: a path on this site, or a full address elsewhere.
    new_path = models.CharField("new address", max_length=1000, db_index=True)
    note = models.CharField(max_length=255, blank=True, help_text="Why it is here.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["old_path"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(old_path=models.F("new_path")), name="redirect_not_to_itself"
            )
        ]

    def __str__(self) -> str:
        return f"{self.old_path} → {self.new_path}"
