"""Endpoints an administrator set up, the messages sent to them, and the delivery log."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from stoa.webhooks.addresses import validate_endpoint_url
from stoa.webhooks.signing import new_secret, validate_secret


class EventType(models.TextChoices):
    COMMENT_APPROVED = "comment.approved", "Comment approved"
    POST_PUBLISHED = "post.published", "Post published"
    MEMBER_JOINED = "member.joined", "Member joined"


class EndpointQuerySet(models.QuerySet["Endpoint"]):
    def active(self) -> EndpointQuerySet:
        return self.filter(is_active=True)


class Endpoint(models.Model):
    """A URL that is sent the events it subscribes to, signed with its secret."""

    url = models.URLField(
        "URL",
        max_length=500,
        validators=[validate_endpoint_url],
        help_text="http(s) only; an address on the public internet.",
    )
    description = models.CharField(max_length=200, blank=True)
    # A short list of EventType values (a JSON list: SQLite has no JSON containment lookup,
    # so the few active endpoints are read and filtered in Python, services.subscribers).
    events = models.JSONField(default=list, help_text="The events sent to this endpoint.")
    secret = models.CharField(
        max_length=120,
        default=new_secret,
        validators=[validate_secret],
        help_text="The key the receiver verifies each signature with (Standard Webhooks: "
        "whsec_ and base64). Give it to the receiver; change it to revoke the old one.",
    )
    is_active = models.BooleanField(
        "active", default=True, help_text="Switched off, nothing is sent, retries included."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EndpointQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.url

    def subscribes_to(self, event_type: str) -> bool:
        return event_type in (self.events or [])


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


class Event(models.Model):
    """One message: what happened, as the body every endpoint is sent, byte for byte."""

    message_id = models.CharField(max_length=40, unique=True, default=new_message_id)
    type = models.CharField(max_length=40, choices=EventType.choices)
    # Once per comment, post or member ("post.published:12"): a second save, a second
    # moderator approving at once, a post re-published all find this row (services.announce).
    key = models.CharField(max_length=100, unique=True)
    body = models.TextField(help_text="The JSON sent, exactly as signed.")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.type} {self.message_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class Delivery(models.Model):
    """One message to one endpoint: its state and its latest attempt (the log's row)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    # Attempts since it was queued or last resent (each one is kept as an Attempt).
    attempts = models.PositiveSmallIntegerField(default=0)
    # Which queued task may make the next attempt: a resend or a retry moves it on, so an
    # older task still in the queue finds it moved and does nothing (services.deliver).
    sequence = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField("next retry", null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField("response code", null=True, blank=True)
    last_duration_ms = models.PositiveIntegerField("duration (ms)", null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="delivery_once"),
            models.CheckConstraint(
                condition=~Q(status="pending") | Q(next_attempt_at__isnull=False),
                name="delivery_pending_has_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint}"


class Attempt(models.Model):
    """One HTTP request of a delivery, as it went."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    started_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField("response code", null=True, blank=True)
    duration_ms = models.PositiveIntegerField("duration (ms)")
    error = models.CharField(max_length=500, blank=True)
    response = models.TextField(blank=True, help_text="The start of the receiver's answer.")

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.delivery_id} at {self.started_at:%Y-%m-%d %H:%M:%S}"
