"""The back office: endpoints set up by administrators, and the delivery log with its
Resend action."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from stoa.members.roles import Role
from stoa.members.tests.factories import UserFactory
from stoa.publishing.tests.factories import EditorFactory
from stoa.webhooks import services
from stoa.webhooks.models import Attempt, Delivery, DeliveryStatus, Endpoint, EventType
from stoa.webhooks.tests.conftest import Answer, Receiver

pytestmark = pytest.mark.django_db
ENDPOINTS = "/admin/webhooks/endpoint/"
DELIVERIES = "/admin/webhooks/delivery/"


@pytest.fixture
def administrator() -> Client:
    """A member of the Administrator role (its permissions from the app's migration)."""
    client = Client()
    client.force_login(UserFactory(role=Role.ADMINISTRATOR, is_staff=True))
    return client


def test_an_administrator_adds_an_endpoint_with_its_events_and_a_fresh_secret(
    administrator: Client,
) -> None:
    form = administrator.get(ENDPOINTS + "add/")
    assert form.status_code == 200
    assert b"Comment approved" in form.content and b"whsec_" in form.content
    secret = form.context["adminform"].form["secret"].value()
    response = administrator.post(
        ENDPOINTS + "add/",
        {
            "url": "https://93.184.215.14/hooks",
            "description": "The newsletter",
            "events": [EventType.POST_PUBLISHED, EventType.MEMBER_JOINED],
            "secret": secret,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    endpoint = Endpoint.objects.get()
    assert endpoint.events == ["member.joined", "post.published"]
    assert endpoint.secret == secret
    listing = administrator.get(ENDPOINTS)
    assert b"Member joined, Post published" in listing.content


def test_an_endpoint_on_a_private_address_is_refused_and_the_form_kept(
    administrator: Client,
) -> None:
    response = administrator.post(
        ENDPOINTS + "add/",
        {
            "url": "http://169.254.169.254/latest/meta-data/",
            "description": "Metadata, please",
            "events": [EventType.COMMENT_APPROVED],
            "secret": "whsec_" + "A" * 44,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert b"not a public internet address" in response.content
    assert b"http://169.254.169.254/latest/meta-data/" in response.content
    assert b"Metadata, please" in response.content
    assert not Endpoint.objects.exists()


def test_other_roles_cannot_open_the_webhooks(db: None) -> None:
    client = Client()
    client.force_login(EditorFactory())
    assert client.get(ENDPOINTS).status_code == 403
    assert client.get(DELIVERIES).status_code == 403


@pytest.fixture
def failed(endpoint: Endpoint, receiver: Receiver, settings: Any) -> Delivery:
    """A delivery that failed for good (one attempt allowed, answered 500)."""
    settings.STOA_WEBHOOKS = {**settings.STOA_WEBHOOKS, "MAX_ATTEMPTS": 1}
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "QUEUES": ["default", "email"],
        }
    }
    receiver.answer(Answer(500, b"receiver exploded"))
    services.announce_member(user_id=UserFactory().pk)
    delivery = Delivery.objects.get()
    services.deliver(delivery_id=delivery.pk, sequence=delivery.sequence)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    return delivery


def test_the_delivery_log_lists_status_attempts_code_and_duration(
    administrator: Client, failed: Delivery
) -> None:
    listing = administrator.get(DELIVERIES)
    assert listing.status_code == 200
    row = listing.content.decode()
    for shown in (
        "Member joined",
        failed.event.message_id,
        "Failed",
        "500",
        "Next retry",
        "Duration (ms)",
    ):
        assert shown in row
    page = administrator.get(f"{DELIVERIES}{failed.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "receiver exploded" in text  # the attempt, underneath
    assert "member.joined" in text  # the body sent
    assert "The receiver answered 500, not 2xx." in text


def test_resend_sends_a_failed_delivery_again(
    administrator: Client,
    failed: Delivery,
    receiver: Receiver,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default", "email"],
        }
    }
    receiver.answer(Answer(200))
    with django_capture_on_commit_callbacks(execute=True):
        response = administrator.post(
            DELIVERIES, {"action": "resend", "_selected_action": [failed.pk]}, follow=True
        )
    assert "1 queued to be sent again." in response.content.decode()
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_status_code) == ("succeeded", 1, 200)
    assert Attempt.objects.filter(delivery=failed).count() == 2
    assert len(receiver.received) == 2
