"""Every change of state of the webhooks: an event announced to its subscribers, an attempt
made and recorded (with its retry), a delivery resent. The signal receivers, the tasks and
the admin call these.

When: the owning apps say what happened inside their transactions (signals.py); the message
is written only once that transaction has committed (transaction.on_commit), so a change
rolled back sends nothing, and what is sent is what was committed (a new post's authors and
categories are set after the post is saved, in the same transaction). The message and its
deliveries are written in one transaction with their tasks (stoa.core.tasks.enqueue): the
worker sends them, never the request.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from stoa.core import tasks
from stoa.core.cache import forget as cache_forget
from stoa.webhooks import payloads, sending, signing
from stoa.webhooks.conf import webhooks_setting
from stoa.webhooks.models import (
    Attempt,
    Delivery,
    DeliveryStatus,
    Endpoint,
    Event,
    EventType,
)

logger = logging.getLogger(__name__)

# What an attempt keeps of the receiver's answer in the log.
KEPT_RESPONSE = 1000


# The active endpoints' ids and events, kept until an endpoint is saved or deleted
# (signals.py): most sites have none, and each approved comment asks.
ENDPOINTS_KEY = "stoa:webhooks-endpoints"


def subscribers(event_type: str) -> list[int]:
    """The ids of the active endpoints that subscribe to this event (read once, then kept:
    a comment approved reads no endpoint)."""
    active = cache.get(ENDPOINTS_KEY)
    if active is None:
        active = [(e.pk, list(e.events or [])) for e in Endpoint.objects.active()]
        cache.set(ENDPOINTS_KEY, active, None)
    return [pk for pk, events in active if event_type in events]


def forget_endpoints() -> None:
    """An endpoint changed: read them anew, at once and again at the commit (a reader between
    the two may have kept the old list), as stoa.core.freshness does."""
    cache_forget(ENDPOINTS_KEY)


def _body(event_type: str, created_at: dt.datetime, message_id: str, data: dict[str, Any]) -> str:
    # Standard Webhooks' payload structure: type, timestamp, data (and the message's id).
    # Written as the API writes JSON (django-ninja's encoder is Django's: times in ms).
    envelope = {"type": event_type, "timestamp": created_at, "id": message_id, "data": data}
    return json.dumps(envelope, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"))


def _task(name: str) -> Any:
    # Imported late: the tasks module calls this one.
    from stoa.webhooks import tasks as webhook_tasks

    return getattr(webhook_tasks, name)


def announce(
    *, event_type: str, key: str, data: Callable[[], dict[str, Any] | None]
) -> Event | None:
    """Write the message for this event, once per key, and queue one delivery per active
    subscriber. Nothing is written when no endpoint subscribes, when the row is no longer
    what the event says (`data` returns None), or when the key was announced before."""
    endpoints = subscribers(event_type)
    if not endpoints:
        return None
    payload = data()
    if payload is None:
        return None
    now = timezone.now()
    event = Event(type=event_type, key=key, created_at=now)
    event.body = _body(event_type, now, event.message_id, payload)
    try:
        with transaction.atomic():
            event.save(force_insert=True)
            deliveries = Delivery.objects.bulk_create(
                Delivery(event=event, endpoint_id=endpoint_id, next_attempt_at=now)
                for endpoint_id in endpoints
            )
            for delivery in deliveries:
                tasks.enqueue(_task("deliver"), delivery.pk, delivery.sequence)
    except IntegrityError:
        # Announced already (another save, a moderator approving at the same moment): the
        # key is unique, and the first message stands.
        if Event.objects.filter(key=key).exists():
            return None
        raise
    return event


def announce_comment(*, comment_id: int) -> Event | None:
    return announce(
        event_type=EventType.COMMENT_APPROVED,
        key=f"{EventType.COMMENT_APPROVED}:{comment_id}",
        data=lambda: payloads.comment_approved(comment_id),
    )


def announce_post(*, post_id: int) -> Event | None:
    return announce(
        event_type=EventType.POST_PUBLISHED,
        key=f"{EventType.POST_PUBLISHED}:{post_id}",
        data=lambda: payloads.post_published(post_id),
    )


def announce_member(*, user_id: int) -> Event | None:
    return announce(
        event_type=EventType.MEMBER_JOINED,
        key=f"{EventType.MEMBER_JOINED}:{user_id}",
        data=lambda: payloads.member_joined(user_id),
    )


def post_going_live(*, post_id: int, at: dt.datetime) -> Event | None:
    """A post was published: announced now, or, scheduled, when its time comes (it goes
    live by the clock, with no save to hear): a task queued for that moment announces it if
    it is live then (rescheduled later, the task queued by that save does)."""
    if at <= timezone.now():
        return announce_post(post_id=post_id)
    if not subscribers(EventType.POST_PUBLISHED):
        return None
    task = _task("announce_scheduled_post")
    if not task.get_backend().supports_defer:
        logger.warning(
            "Post %s is scheduled, and the task backend cannot run a task later: its "
            "post.published webhook will not be sent",
            post_id,
        )
        return None
    tasks.enqueue(task.using(run_after=at), post_id)
    return None


def backoff(attempts: int, retry_after: int | None = None) -> dt.timedelta:
    """How long to wait after the `attempts`-th failed attempt: exponential, capped, and
    at least what the receiver asked for (Retry-After on a 429 or 503), within the cap."""
    cap = int(webhooks_setting("BACKOFF_MAX"))
    wait = int(webhooks_setting("BACKOFF")) * int(webhooks_setting("BACKOFF_FACTOR")) ** (
        attempts - 1
    )
    return dt.timedelta(seconds=min(cap, max(wait, retry_after or 0)))


def _queue(delivery: Delivery, *, at: dt.datetime | None = None) -> None:
    """Queue the task that makes this delivery's next attempt (now, or at `at`)."""
    task = _task("deliver")
    if at is not None:
        if not task.get_backend().supports_defer:
            logger.warning(
                "Delivery %s will not be retried: the task backend cannot run a task later "
                "(resend it from the admin)",
                delivery.pk,
            )
            return
        task = task.using(run_after=at)
    tasks.enqueue(task, delivery.pk, delivery.sequence)


def deliver(*, delivery_id: int, sequence: int) -> str:
    """Make one attempt, if this task is still the delivery's (`sequence`) and it is still
    pending; record it, and queue the retry or give up. Returns the delivery's status."""
    delivery = (
        Delivery.objects.select_related("event", "endpoint")
        .filter(pk=delivery_id, sequence=sequence, status=DeliveryStatus.PENDING)
        .first()
    )
    if delivery is None:
        return "superseded"
    endpoint, event = delivery.endpoint, delivery.event
    if not endpoint.is_active:
        Delivery.objects.filter(pk=delivery.pk, sequence=sequence).update(
            status=DeliveryStatus.CANCELLED,
            next_attempt_at=None,
            last_error="The endpoint was switched off.",
            updated_at=timezone.now(),
        )
        return DeliveryStatus.CANCELLED
    started = timezone.now()
    body = event.body.encode()
    headers = signing.headers(
        secret=endpoint.secret,
        message_id=event.message_id,
        timestamp=int(started.timestamp()),
        body=body,
    )
    outcome = sending.post(endpoint.url, body, headers)
    schedule_pruning()
    return _record(delivery, outcome, started)


@transaction.atomic
def _record(delivery: Delivery, outcome: sending.Outcome, started: dt.datetime) -> str:
    """Keep the attempt in the log, and move the delivery on: succeeded, failed for good,
    or pending with its retry queued. Written only if no resend moved the delivery on while
    the request was out (its `sequence`); the attempt is kept either way."""
    Attempt.objects.create(
        delivery=delivery,
        started_at=started,
        status_code=outcome.status_code,
        duration_ms=outcome.duration_ms,
        error=outcome.error[:500],
        response=outcome.response[:KEPT_RESPONSE],
    )
    attempts = delivery.attempts + 1
    changes: dict[str, Any] = {
        "attempts": attempts,
        "last_status_code": outcome.status_code,
        "last_duration_ms": outcome.duration_ms,
        "next_attempt_at": None,
        "last_error": "",
        "updated_at": timezone.now(),
    }
    if outcome.succeeded:
        changes["status"] = DeliveryStatus.SUCCEEDED
    else:
        changes["last_error"] = (
            outcome.error or f"The receiver answered {outcome.status_code}, not 2xx."
        )[:500]
        # An address refused is refused again until an administrator changes the endpoint:
        # no retry. The rest (timeouts, refused connections, 5xx, 4xx) may pass later.
        if outcome.refused or attempts >= int(webhooks_setting("MAX_ATTEMPTS")):
            changes["status"] = DeliveryStatus.FAILED
        else:
            changes["sequence"] = delivery.sequence + 1
            changes["next_attempt_at"] = timezone.now() + backoff(attempts, outcome.retry_after)
    moved = Delivery.objects.filter(
        pk=delivery.pk, sequence=delivery.sequence, status=DeliveryStatus.PENDING
    ).update(**changes)
    if not moved:
        return "superseded"
    for name, value in changes.items():
        setattr(delivery, name, value)
    if delivery.status == DeliveryStatus.PENDING:
        _queue(delivery, at=delivery.next_attempt_at)
    return delivery.status


@transaction.atomic
def resend(*, deliveries: Iterable[Delivery]) -> int:
    """Send these deliveries again now, whatever became of them, with a fresh set of
    attempts: the same message (same id, same body), signed anew. A retry still queued for
    one of them is superseded (its sequence moved on). Returns how many were queued."""
    now = timezone.now()
    count = 0
    for delivery in deliveries:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PENDING,
            attempts=0,
            sequence=F("sequence") + 1,
            next_attempt_at=now,
            last_error="",
            updated_at=now,
        )
        delivery.refresh_from_db()
        _queue(delivery)
        count += 1
    return count


def save_endpoint(*, endpoint: Endpoint) -> Endpoint:
    """Check and save an endpoint: an http(s) URL of a public address (addresses.py), a
    secret as Standard Webhooks writes them, known events. ValidationError otherwise."""
    endpoint.events = sorted(set(endpoint.events or []))
    unknown = set(endpoint.events) - set(EventType.values)
    if unknown:
        raise ValidationError({"events": f"Unknown events: {', '.join(sorted(unknown))}."})
    endpoint.full_clean()
    endpoint.save()
    return endpoint


def schedule_pruning() -> None:
    """Queue the delivery log's pruning at most once a day, from the worker's own attempts
    (the log grows only when one is made), so that no cron job is needed and a comment's
    request never pays for it."""
    from django.core.cache import cache

    if cache.add("stoa:webhooks-pruning-queued", True, 60 * 60 * 24):
        tasks.enqueue(_task("prune_log"))


@transaction.atomic
def prune_log(*, now: dt.datetime | None = None) -> int:
    """Delete the messages older than KEEP_DAYS whose deliveries have all ended, with their
    deliveries and attempts; a message still pending anywhere stays. Returns how many."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=webhooks_setting("KEEP_DAYS"))
    old = Event.objects.filter(created_at__lt=cutoff).exclude(
        deliveries__status=DeliveryStatus.PENDING
    )
    ids = list(old.values_list("pk", flat=True))
    Event.objects.filter(pk__in=ids).delete()
    return len(ids)
