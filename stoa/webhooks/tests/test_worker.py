"""The whole way, committed for real: a moderator's approval commits, `stoa db_worker`
(the site's worker, with its lease) sends the message to a local receiver that fails, and
sends it again once the retry's time has come."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from standardwebhooks import Webhook

from stoa.discussion import services as discussion
from stoa.discussion.models import CommentStatus
from stoa.discussion.tests.factories import CommentFactory
from stoa.publishing.tests.factories import PostFactory
from stoa.webhooks.models import Delivery, DeliveryStatus, Endpoint, EventType
from stoa.webhooks.services import save_endpoint
from stoa.webhooks.tests.conftest import Answer, Receiver


def work() -> None:
    """What a worker does with the queue now, then stops (--batch)."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "default")


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_an_approved_comment_and_retries_it_after_its_backoff(
    receiver: Receiver, db_tasks: None
) -> None:
    post = PostFactory()
    comment = CommentFactory(post=post, status=CommentStatus.PENDING)
    DBTaskResult.objects.all().delete()  # the comment's emails are not this test's
    endpoint = save_endpoint(
        endpoint=Endpoint(url=receiver.url, events=[EventType.COMMENT_APPROVED])
    )
    receiver.answer(Answer(502), Answer(200))
    discussion.approve_comment(comment=comment)  # its own transaction, committed
    work()
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 502)
    work()  # the retry waits for its time: nothing yet
    assert len(receiver.received) == 1
    # Its time comes (the queue's clock moved on, not the test's).
    DBTaskResult.objects.filter(status="READY").update(
        run_after=timezone.now() - dt.timedelta(seconds=1)
    )
    work()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        DeliveryStatus.SUCCEEDED,
        2,
        200,
    )
    assert len(receiver.received) == 2
    for request in receiver.received:
        message = Webhook(endpoint.secret).verify(request.body, request.headers)
        assert message["data"]["comment"]["id"] == comment.pk
