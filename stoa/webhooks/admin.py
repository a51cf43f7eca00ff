"""Webhooks in the back office: the endpoints (URL, events, secret, on or off) and the
delivery log (status, attempts, the last response's code and time, the next retry; each
attempt underneath), with a "Resend" action."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from stoa.webhooks import services
from stoa.webhooks.models import Attempt, Delivery, Endpoint, EventType

ATTEMPT_FIELDS = ("started_at", "status_code", "duration_ms", "error", "response")
DELIVERY_FIELDS = (
    "endpoint",
    "event_type",
    "message_id",
    "status",
    "attempts",
    "last_status_code",
    "last_duration_ms",
    "last_error",
    "next_attempt_at",
    "created_at",
    "body",
)


class EndpointForm(forms.ModelForm):
    url = forms.URLField(
        label="URL",
        max_length=500,
        assume_scheme="https",
        help_text="http(s) only; an address on the public internet.",
    )
    events = forms.MultipleChoiceField(
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="The events sent to this endpoint.",
    )

    class Meta:
        model = Endpoint
        fields = ["url", "description", "events", "secret", "is_active"]


@admin.register(Endpoint)
class EndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ["url", "description", "event_list", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["url", "description"]

    @admin.display(description="events")
    def event_list(self, endpoint: Endpoint) -> str:
        labels = dict(EventType.choices)
        return ", ".join(str(labels.get(e, e)) for e in endpoint.events)

    def save_model(self, request: HttpRequest, obj: Endpoint, form: Any, change: bool) -> None:
        services.save_endpoint(endpoint=obj)


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    fields = ATTEMPT_FIELDS
    readonly_fields = ATTEMPT_FIELDS

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "event_type",
        "message_id",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "last_duration_ms",
        "next_attempt_at",
        "created_at",
    ]
    list_filter = ["status", "event__type", "endpoint"]
    list_select_related = ["event", "endpoint"]
    search_fields = ["event__message_id", "event__key"]
    date_hierarchy = "created_at"
    actions = ["resend"]
    inlines = [AttemptInline]
    fields = DELIVERY_FIELDS
    readonly_fields = DELIVERY_FIELDS

    @admin.display(description="event", ordering="event__type")
    def event_type(self, delivery: Delivery) -> str:
        return delivery.event.get_type_display()

    @admin.display(description="message id", ordering="event__message_id")
    def message_id(self, delivery: Delivery) -> str:
        return delivery.event.message_id

    @admin.display(description="body sent")
    def body(self, delivery: Delivery) -> str:
        pretty = json.dumps(json.loads(delivery.event.body), indent=2, ensure_ascii=False)
        return format_html("<pre style='white-space: pre-wrap'>{}</pre>", pretty)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Resend the selected deliveries", permissions=["change"])
    def resend(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        count = services.resend(deliveries=list(queryset))
        self.message_user(request, f"{count} queued to be sent again.", messages.SUCCESS)
