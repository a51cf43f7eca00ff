"""What a message says: what the public JSON API shows a visitor of the same rows (compared
with its answers over HTTP), never an email or IP address; and what writing one costs."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from stoa.discussion import services as discussion
from stoa.discussion.tests.factories import CommentFactory
from stoa.members.tests.factories import UserFactory
from stoa.publishing.tests.factories import PostFactory, TagFactory
from stoa.webhooks import services
from stoa.webhooks.models import Endpoint, Event, EventType
from stoa.webhooks.tests.conftest import DB_TASKS

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiet_endpoint(settings: Any) -> Endpoint:
    """An endpoint for every event; the tasks are only queued (the test reads the body)."""
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "QUEUES": ["default", "email"],
        }
    }
    settings.STOA_WEBHOOKS = {"ALLOW_PRIVATE_ADDRESSES": True}
    return services.save_endpoint(
        endpoint=Endpoint(url="http://127.0.0.1:9/hook", events=list(EventType.values))
    )


def body(event: Event | None) -> dict[str, Any]:
    assert event is not None
    return json.loads(event.body)


def times(value: Any) -> Any:
    """Every ISO time in a JSON value as a datetime (the API and the body write them apart)."""
    if isinstance(value, dict):
        return {k: times(v) for k, v in value.items()}
    if isinstance(value, list):
        return [times(v) for v in value]
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        return dt.datetime.fromisoformat(value)
    return value


def test_a_published_post_is_described_as_the_api_shows_it_to_a_visitor(
    quiet_endpoint: Endpoint,
) -> None:
    post = PostFactory(tags=[TagFactory()], excerpt="What it is about.")
    message = body(services.announce_post(post_id=post.pk))
    assert message["type"] == "post.published"
    api = Client().get(f"/api/v1/posts/{post.pk}").json()
    assert times(message["data"]["post"]) == times(api)
    assert message["data"]["post"]["body"] == post.body


def test_a_members_only_post_is_sent_without_its_body(quiet_endpoint: Endpoint) -> None:
    post = PostFactory(members_only=True)
    sent = body(services.announce_post(post_id=post.pk))["data"]["post"]
    assert (sent["readable"], sent["body"], sent["members_only"]) == (False, None, True)
    assert times(sent) == times(Client().get(f"/api/v1/posts/{post.pk}").json())


def test_an_approved_comment_is_described_as_the_api_thread_shows_it(
    quiet_endpoint: Endpoint,
) -> None:
    parent = CommentFactory()
    comment = CommentFactory(parent=parent, author_url="https://reader.example.org/")
    sent = body(services.announce_comment(comment_id=comment.pk))["data"]
    thread = Client().get(f"/api/v1/posts/{comment.post_id}/comments").json()
    [shown] = thread["comments"][0]["replies"]
    for name in ("id", "parent", "author_name", "author_url", "created_at", "edited_at", "html"):
        assert times(sent["comment"][name]) == times(shown[name]), name
    assert sent["comment"]["post"] == comment.post_id
    assert sent["post"]["id"] == comment.post_id


def test_a_comment_under_a_members_only_post_is_sent_without_its_words(
    quiet_endpoint: Endpoint,
) -> None:
    comment = CommentFactory(post=PostFactory(members_only=True), text="Members-only words.")
    sent = body(services.announce_comment(comment_id=comment.pk))["data"]["comment"]
    assert sent["readable"] is False
    assert "html" not in sent and "author_name" not in sent
    assert "Members-only words" not in json.dumps(sent)


def test_no_message_carries_an_email_or_ip_address(quiet_endpoint: Endpoint) -> None:
    member = UserFactory(email="private.member@example.net")
    by_member = CommentFactory(user=member, ip_address="203.0.113.77", user_agent="Agent/1")
    by_guest = CommentFactory(
        author_email="private.guest@example.net", ip_address="2001:db8::77", parent=by_member
    )
    bodies = [
        Event.objects.get(key=f"comment.approved:{c.pk}").body
        for c in (by_member, by_guest)
        if services.announce_comment(comment_id=c.pk)
    ]
    bodies.append(body_text(services.announce_post(post_id=by_member.post_id)))
    bodies.append(body_text(services.announce_member(user_id=member.pk)))
    assert len(bodies) == 4
    for text in bodies:
        for private in ("private.member", "private.guest", "@example.net", "203.0.113.77"):
            assert private not in text
        assert "2001:db8::77" not in text and "Agent/1" not in text
        assert '"email"' not in text and '"ip' not in text


def body_text(event: Event | None) -> str:
    assert event is not None
    return event.body


def test_a_member_is_described_as_their_public_page_shows_them(
    quiet_endpoint: Endpoint,
) -> None:
    member = UserFactory(first_name="Ada", last_name="Lovelace")
    sent = body(services.announce_member(user_id=member.pk))["data"]["member"]
    assert sent["name"] == "Ada Lovelace"
    assert sent["url"] == reverse("members:profile", kwargs={"pk": member.pk})
    assert Client().get(sent["url"]).status_code == 200


def test_nothing_is_sent_for_a_row_no_longer_in_that_state(quiet_endpoint: Endpoint) -> None:
    comment = CommentFactory()
    discussion.unapprove_comment(comment=comment)
    draft = PostFactory(draft=True)
    assert services.announce_comment(comment_id=comment.pk) is None
    assert services.announce_post(post_id=draft.pk) is None
    assert not Event.objects.exists()


def test_announcing_without_endpoints_costs_one_query(
    django_assert_num_queries: Any, db: None
) -> None:
    comment = CommentFactory()
    with django_assert_num_queries(1):
        assert services.announce_comment(comment_id=comment.pk) is None


def test_announcing_to_endpoints_costs_ten_queries_plus_one_task_each(
    django_assert_num_queries: Any, settings: Any
) -> None:
    """The endpoints; the comment (with its parent and member); its post, authors,
    categories and tags; then, in a savepoint, the message, the deliveries in one INSERT and
    one task row per delivery (the database backend queues in that transaction)."""
    settings.TASKS = DB_TASKS
    settings.STOA_WEBHOOKS = {"ALLOW_PRIVATE_ADDRESSES": True}
    first, second = CommentFactory(), CommentFactory()
    services.save_endpoint(
        endpoint=Endpoint(url="http://127.0.0.1:9/0", events=[EventType.COMMENT_APPROVED])
    )
    with django_assert_num_queries(10 + 1):
        assert services.announce_comment(comment_id=first.pk) is not None
    for n in (1, 2):
        services.save_endpoint(
            endpoint=Endpoint(url=f"http://127.0.0.1:9/{n}", events=[EventType.COMMENT_APPROVED])
        )
    with django_assert_num_queries(10 + 3):
        assert services.announce_comment(comment_id=second.pk) is not None


def test_a_second_announcement_of_the_same_comment_writes_nothing(
    quiet_endpoint: Endpoint,
) -> None:
    """Two moderators approving at once each commit a change to approved: the message's key
    is unique, so the second announcement finds the first and stops."""
    comment = CommentFactory()
    first = services.announce_comment(comment_id=comment.pk)
    assert first is not None
    assert services.announce_comment(comment_id=comment.pk) is None
    assert Event.objects.get() == first
    assert first.deliveries.count() == 1


def test_the_endpoints_are_read_once_and_anew_when_one_changes(
    django_assert_num_queries: Any, settings: Any
) -> None:
    """Most sites have no endpoint, and every approved comment asks: the list is kept, and
    an endpoint added, switched off or deleted counts from the next announcement."""
    settings.STOA_WEBHOOKS = {"ALLOW_PRIVATE_ADDRESSES": True}
    comment = CommentFactory()
    assert services.announce_comment(comment_id=comment.pk) is None
    with django_assert_num_queries(0):
        assert services.announce_comment(comment_id=comment.pk) is None
    endpoint = services.save_endpoint(
        endpoint=Endpoint(url="http://127.0.0.1:9/0", events=[EventType.COMMENT_APPROVED])
    )
    assert services.subscribers(EventType.COMMENT_APPROVED) == [endpoint.pk]
    assert services.subscribers(EventType.MEMBER_JOINED) == []
    endpoint.is_active = False
    services.save_endpoint(endpoint=endpoint)
    assert services.subscribers(EventType.COMMENT_APPROVED) == []
    endpoint.is_active = True
    services.save_endpoint(endpoint=endpoint)
    assert services.subscribers(EventType.COMMENT_APPROVED) == [endpoint.pk]
    endpoint.delete()
    with django_assert_num_queries(1):
        assert services.subscribers(EventType.COMMENT_APPROVED) == []
