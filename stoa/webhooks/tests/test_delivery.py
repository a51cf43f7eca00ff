"""Deliveries: the task function run directly against a real HTTP server on 127.0.0.1 that
fails, then succeeds; each attempt signed, logged, and retried with exponential backoff up
to a bounded number of attempts."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from standardwebhooks import Webhook

from stoa.members.tests.factories import UserFactory
from stoa.webhooks import services, tasks
from stoa.webhooks.models import Attempt, Delivery, DeliveryStatus, Endpoint, Event, EventType
from stoa.webhooks.tests.conftest import Answer, Receiver

pytestmark = pytest.mark.django_db


def queued(delivery: Delivery) -> list[DBTaskResult]:
    """The deliver tasks waiting in the database for this delivery, oldest first."""
    return [
        result
        for result in DBTaskResult.objects.filter(status="READY").order_by("enqueued_at")
        if result.task_path.endswith("webhooks.tasks.deliver")
        and result.args_kwargs["args"][0] == delivery.pk
    ]


def run(result: DBTaskResult) -> str:
    """What the worker does with a queued deliver task: call it with its arguments."""
    return tasks.deliver.call(*result.args_kwargs["args"])


@pytest.fixture
def delivery(endpoint: Endpoint, db_tasks: None) -> Delivery:
    """A member.joined message to the local receiver, queued (not yet sent)."""
    services.announce_member(user_id=UserFactory().pk)
    return Delivery.objects.get()


def test_a_failed_delivery_is_retried_after_a_backoff_and_then_succeeds(
    delivery: Delivery, receiver: Receiver, endpoint: Endpoint
) -> None:
    receiver.answer(Answer(503, b"down for maintenance"), Answer(204, b""))
    [first] = queued(delivery)
    before = timezone.now()
    assert run(first) == DeliveryStatus.PENDING
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.last_status_code) == (1, 503)
    assert "503" in delivery.last_error
    # The retry is a task of its own, held by the queue until the backoff is over.
    [retry] = queued(delivery)[1:]
    assert retry.run_after == delivery.next_attempt_at
    assert before + dt.timedelta(seconds=60) <= delivery.next_attempt_at
    assert delivery.next_attempt_at <= timezone.now() + dt.timedelta(seconds=60)
    # The first task run again (a worker that died after sending) does nothing now.
    assert run(first) == "superseded"
    assert run(retry) == DeliveryStatus.SUCCEEDED
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 2, 204)
    assert delivery.next_attempt_at is None and delivery.last_error == ""
    log = list(Attempt.objects.filter(delivery=delivery).order_by("started_at", "pk"))
    assert [a.status_code for a in log] == [503, 204]
    assert log[0].response == "down for maintenance"
    # Both requests: the same message id and body, each signed afresh and verifiable.
    assert len(receiver.received) == 2
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1
    for request in receiver.received:
        Webhook(endpoint.secret).verify(request.body, request.headers)
        assert request.path == "/hooks/stoa?source=test"
        assert request.headers["content-type"] == "application/json"


def test_attempts_are_bounded_and_the_delivery_then_fails(
    delivery: Delivery, receiver: Receiver, settings: Any
) -> None:
    settings.STOA_WEBHOOKS = {**settings.STOA_WEBHOOKS, "MAX_ATTEMPTS": 3}
    receiver.answer(Answer(500))
    statuses = []
    while pending := queued(delivery):
        statuses.append(run(pending[-1]))
        DBTaskResult.objects.filter(pk=pending[-1].pk).delete()  # done, as the worker marks it
    assert statuses == ["pending", "pending", "failed"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 3, None)
    assert len(receiver.received) == 3


def test_the_wait_grows_exponentially_to_a_cap_and_honours_retry_after() -> None:
    waits = [services.backoff(n).total_seconds() for n in range(1, 9)]
    assert waits == [60, 240, 960, 3840, 15360, 43200, 43200, 43200]
    assert services.backoff(1, retry_after=600).total_seconds() == 600
    assert services.backoff(1, retry_after=10**9).total_seconds() == 43200


def test_a_429_with_retry_after_waits_as_long_as_the_receiver_asks(
    delivery: Delivery, receiver: Receiver
) -> None:
    receiver.answer(Answer(429, headers={"Retry-After": "900"}))
    before = timezone.now()
    run(queued(delivery)[0])
    delivery.refresh_from_db()
    assert delivery.next_attempt_at >= before + dt.timedelta(seconds=900)


def test_a_receiver_slower_than_the_timeout_is_a_failure_retried_later(
    delivery: Delivery, receiver: Receiver, settings: Any
) -> None:
    settings.STOA_WEBHOOKS = {**settings.STOA_WEBHOOKS, "TIMEOUT": 0.3}
    receiver.answer(Answer(200, delay=1.5))
    assert run(queued(delivery)[0]) == DeliveryStatus.PENDING
    delivery.refresh_from_db()
    assert delivery.last_status_code is None
    assert "timed out" in delivery.last_error.lower()
    assert len(queued(delivery)) == 2


def test_a_closed_port_is_a_failure_retried_later(delivery: Delivery, endpoint: Endpoint) -> None:
    import socket

    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    Endpoint.objects.filter(pk=endpoint.pk).update(url=f"http://127.0.0.1:{port}/gone")
    assert run(queued(delivery)[0]) == DeliveryStatus.PENDING
    delivery.refresh_from_db()
    assert "refused" in delivery.last_error.lower()


def test_a_redirect_is_not_followed(delivery: Delivery, receiver: Receiver) -> None:
    receiver.answer(Answer(302, headers={"Location": "http://169.254.169.254/latest/"}))
    assert run(queued(delivery)[0]) == DeliveryStatus.PENDING
    delivery.refresh_from_db()
    assert delivery.last_status_code == 302
    assert len(receiver.received) == 1


def test_only_the_start_of_a_long_answer_is_read_and_kept(
    delivery: Delivery, receiver: Receiver
) -> None:
    receiver.answer(Answer(200, b"x" * 5_000_000))
    assert run(queued(delivery)[0]) == DeliveryStatus.SUCCEEDED
    assert len(Attempt.objects.get().response) == services.KEPT_RESPONSE


def test_a_switched_off_endpoint_is_not_sent_its_pending_deliveries(
    delivery: Delivery, receiver: Receiver, endpoint: Endpoint
) -> None:
    Endpoint.objects.filter(pk=endpoint.pk).update(is_active=False)
    assert run(queued(delivery)[0]) == DeliveryStatus.CANCELLED
    assert receiver.received == []


def test_a_resend_sends_the_same_message_again_and_supersedes_a_queued_retry(
    delivery: Delivery, receiver: Receiver
) -> None:
    receiver.answer(Answer(500), Answer(200))
    run(queued(delivery)[0])
    [_, retry] = queued(delivery)
    services.resend(deliveries=[Delivery.objects.get(pk=delivery.pk)])
    resent = queued(delivery)[-1]
    assert run(retry) == "superseded"
    assert run(resent) == DeliveryStatus.SUCCEEDED
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 1)
    assert Attempt.objects.filter(delivery=delivery).count() == 2
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1


# ---------------------------------------------------------------------------- the log's pruning


def old_message(endpoint: Endpoint, *, days: int, status: str) -> Event:
    sent_at = timezone.now() - dt.timedelta(days=days)
    event = Event.objects.create(
        type=EventType.COMMENT_APPROVED, key=f"test:{days}:{status}", body="{}", created_at=sent_at
    )
    delivery = Delivery.objects.create(
        event=event, endpoint=endpoint, status=status, next_attempt_at=sent_at
    )
    Attempt.objects.create(delivery=delivery, started_at=sent_at, duration_ms=12)
    return event


def test_messages_past_the_keeping_days_are_pruned_with_their_attempts(
    endpoint: Endpoint, settings: Any
) -> None:
    settings.STOA_WEBHOOKS = {**getattr(settings, "STOA_WEBHOOKS", {}), "KEEP_DAYS": 30}
    gone = [
        old_message(endpoint, days=31, status=DeliveryStatus.SUCCEEDED),
        old_message(endpoint, days=45, status=DeliveryStatus.FAILED),
        old_message(endpoint, days=90, status=DeliveryStatus.CANCELLED),
    ]
    recent = old_message(endpoint, days=29, status=DeliveryStatus.FAILED)
    retrying = old_message(endpoint, days=40, status=DeliveryStatus.PENDING)
    assert services.prune_log() == len(gone)
    assert set(Event.objects.all()) == {recent, retrying}
    assert Attempt.objects.count() == Delivery.objects.count() == 2


def test_the_pruning_is_queued_once_a_day_by_the_worker_s_attempts(
    delivery: Delivery, receiver: Receiver
) -> None:
    receiver.answer(Answer(503, b"down"))
    [first] = queued(delivery)
    run(first)
    [retry] = queued(delivery)[1:]
    run(retry)
    pruning = DBTaskResult.objects.filter(task_path="stoa.webhooks.tasks.prune_log")
    assert pruning.count() == 1
    assert tasks.prune_log.call() == 0  # nothing old yet


def test_the_command_prunes_and_says_how_many(endpoint: Endpoint) -> None:
    old_message(endpoint, days=400, status=DeliveryStatus.SUCCEEDED)
    out = io.StringIO()
    call_command("prune_webhooks", stdout=out)
    assert out.getvalue() == "Deleted 1 webhook messages older than 30 days.\n"
    assert not Event.objects.exists()
