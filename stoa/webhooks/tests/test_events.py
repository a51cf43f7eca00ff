"""Each event is sent once per comment, post or member, and only once the change that
caused it has committed."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from stoa.discussion import services as discussion
from stoa.discussion.models import CommentStatus
from stoa.discussion.tests.factories import CommentFactory
from stoa.members.models import User
from stoa.publishing import services as publishing
from stoa.publishing.models import Post
from stoa.publishing.tests.factories import PostFactory
from stoa.webhooks.models import Delivery, DeliveryStatus, Endpoint, Event, EventType
from stoa.webhooks.services import announce_comment
from stoa.webhooks.tests.conftest import Receiver

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-test-password-for-joining"


def sent(receiver: Receiver) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in receiver.received]


def test_a_comment_approved_by_a_moderator_is_sent_once_after_the_commit(
    endpoint: Endpoint, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    comment = CommentFactory(status=CommentStatus.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        discussion.approve_comment(comment=comment)
        # Approved, not committed: nothing written, nothing sent.
        assert not Event.objects.exists()
        assert receiver.received == []
    assert [m["type"] for m in sent(receiver)] == ["comment.approved"]
    assert sent(receiver)[0]["data"]["comment"]["id"] == comment.pk
    assert Delivery.objects.get().status == DeliveryStatus.SUCCEEDED


def test_a_comment_is_sent_once_however_often_it_is_approved_again(
    endpoint: Endpoint, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    comment = CommentFactory(status=CommentStatus.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        discussion.approve_comment(comment=comment)
    with django_capture_on_commit_callbacks(execute=True) as again:
        discussion.approve_comment(comment=comment)  # already approved: no change
        discussion.unapprove_comment(comment=comment)
        discussion.approve_comment(comment=comment)
    heard = [c for c in again if getattr(c, "func", None) is announce_comment]
    assert len(heard) == 1  # one change to approved, heard once...
    assert len(receiver.received) == 1  # ...and that comment was sent already
    assert Event.objects.count() == 1


def test_a_comment_approved_as_it_was_written_is_sent(
    endpoint: Endpoint, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    post = PostFactory()  # its own message is not this test's: sent outside the capture
    with django_capture_on_commit_callbacks(execute=True):
        comment = CommentFactory(post=post)
    assert comment.status == CommentStatus.APPROVED
    assert [m["data"]["comment"]["id"] for m in sent(receiver)] == [comment.pk]


@pytest.mark.parametrize("status", [CommentStatus.PENDING, CommentStatus.SPAM])
def test_a_held_or_spam_comment_sends_nothing(
    endpoint: Endpoint, receiver: Receiver, django_capture_on_commit_callbacks: Any, status: str
) -> None:
    post = PostFactory()
    with django_capture_on_commit_callbacks(execute=True):
        CommentFactory(post=post, status=status)
    assert receiver.received == []
    assert not Event.objects.exists()


def test_an_approval_rolled_back_sends_nothing(
    endpoint: Endpoint, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    comment = CommentFactory(status=CommentStatus.PENDING)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        discussion.approve_comment(comment=comment)
        raise RuntimeError("the moderator's request failed after the approval")
    assert callbacks == []
    assert receiver.received == []
    assert not Event.objects.exists()


def test_a_member_who_signs_up_is_sent_once(
    endpoint: Endpoint, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    data = {"email": "new.member@example.net", "password1": PASSWORD, "password2": PASSWORD}
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("account_signup"), data)
        Client().post(reverse("account_signup"), data)  # the same address again: no account
    member = User.objects.get(email="new.member@example.net")
    assert [(m["type"], m["data"]["member"]["id"]) for m in sent(receiver)] == [
        ("member.joined", member.pk)
    ]


def test_an_account_made_in_the_admin_is_not_someone_joining(
    endpoint: Endpoint, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    from stoa.members.tests.factories import UserFactory

    with django_capture_on_commit_callbacks(execute=True):
        UserFactory()
    assert receiver.received == []


def test_only_active_endpoints_subscribed_to_the_event_are_sent_it(
    endpoint: Endpoint, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    from stoa.webhooks.services import save_endpoint

    save_endpoint(endpoint=Endpoint(url=receiver.url + "&other", events=[EventType.MEMBER_JOINED]))
    save_endpoint(
        endpoint=Endpoint(url=receiver.url + "&off", events=list(EventType), is_active=False)
    )
    post = PostFactory()
    with django_capture_on_commit_callbacks(execute=True):
        CommentFactory(post=post)
    assert [r.path for r in receiver.received] == ["/hooks/stoa?source=test"]
    assert Delivery.objects.get().endpoint == endpoint


def test_a_post_created_published_is_sent_once_with_its_authors_and_categories(
    endpoint: Endpoint, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    """Its authors and categories are set after the post is saved, in the same transaction:
    the message, written after the commit, has them."""
    with django_capture_on_commit_callbacks(execute=True):
        post = PostFactory(title="A new piece")
        assert receiver.received == []
    [message] = sent(receiver)
    assert message["type"] == "post.published"
    assert message["data"]["post"]["title"] == "A new piece"
    assert [a["name"] for a in message["data"]["post"]["authors"]] == [
        p.name for p in post.authors.all()
    ]
    assert message["data"]["post"]["categories"] != []


def test_editing_a_published_post_sends_nothing_more(
    endpoint: Endpoint, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        post = PostFactory()
    with django_capture_on_commit_callbacks(execute=True):
        post.title = "A better title"
        publishing.save_post(post=post)
        publishing.unpublish_post(post=post)
        publishing.publish_post(post=post)  # published again: the post was announced
    assert len(receiver.received) == 1


def test_a_draft_sends_nothing_until_it_is_published(
    endpoint: Endpoint, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        post = PostFactory(draft=True)
    assert receiver.received == []
    with django_capture_on_commit_callbacks(execute=True):
        publishing.publish_post(post=post)
    assert [m["data"]["post"]["id"] for m in sent(receiver)] == [post.pk]


def test_a_scheduled_post_is_sent_when_its_time_comes_by_a_task_queued_for_then(
    endpoint: Endpoint, receiver: Receiver, django_capture_on_commit_callbacks: Any, db_tasks: None
) -> None:
    from django_tasks_db.models import DBTaskResult

    from stoa.webhooks.tasks import announce_scheduled_post

    with django_capture_on_commit_callbacks(execute=True):
        post = PostFactory(scheduled=True)
    [task] = DBTaskResult.objects.filter(task_path__endswith="announce_scheduled_post")
    assert task.run_after == post.published_at
    # Run before its time (a clock ahead, a queue without run_after): nothing yet.
    assert announce_scheduled_post.call(post.pk) is False
    assert not Event.objects.exists()
    # Its time has come (the post's time moved back rather than the clock forward).
    Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - dt.timedelta(seconds=1))
    assert announce_scheduled_post.call(post.pk) is True
    assert announce_scheduled_post.call(post.pk) is False  # once
    assert Event.objects.get().type == EventType.POST_PUBLISHED
