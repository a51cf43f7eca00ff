"""How long each emailed or posted link works (stoa.discussion.tokens): as long as its use."""

from __future__ import annotations

import time

import pytest
from django.core import signing

from stoa.discussion import tokens
from stoa.discussion.models import DiscussionSettings

pytestmark = pytest.mark.django_db
DAY = 60 * 60 * 24


@pytest.fixture
def later(monkeypatch: pytest.MonkeyPatch):
    """Read tokens as if `seconds` had passed since they were made."""

    def travel(seconds: float) -> None:
        now = time.time() + seconds
        monkeypatch.setattr(signing.time, "time", lambda: now)

    return travel


def test_a_guests_owner_token_works_through_the_moderation_wait_then_grants_nothing(later):
    token = tokens.owner_token(42)
    later(tokens.MODERATION_WAIT - 60)
    assert tokens.owned_comment_id(token) == 42
    later(tokens.MODERATION_WAIT + 60)
    assert tokens.owned_comment_id(token) is None


def test_a_long_edit_window_keeps_the_owner_token_for_as_long(later):
    settings = DiscussionSettings.current()
    settings.edit_window_minutes = 60 * 24 * 5  # five days
    settings.save()
    token = tokens.owner_token(7)
    later(4 * DAY)
    assert tokens.owned_comment_id(token) == 7


def test_a_moderators_link_expires_after_a_week(later):
    token = tokens.moderation_token(1, "approve", 3)
    later(6 * DAY)
    assert tokens.read_moderation_token(token) == (1, "approve", 3)
    later(8 * DAY)
    assert tokens.read_moderation_token(token) is None


def test_confirming_expires_after_a_week_and_unsubscribing_after_a_year(later):
    confirm = tokens.subscription_token(5, "confirm")
    unsubscribe = tokens.subscription_token(5, "unsubscribe")
    later(8 * DAY)
    assert tokens.read_subscription_token(confirm, "confirm") is None
    assert tokens.read_subscription_token(unsubscribe, "unsubscribe") == 5
    later(366 * DAY)
    assert tokens.read_subscription_token(unsubscribe, "unsubscribe") is None


def test_a_link_made_for_one_purpose_does_nothing_for_another() -> None:
    confirm = tokens.subscription_token(5, "confirm")
    assert tokens.read_subscription_token(confirm, "unsubscribe") is None
    assert tokens.read_subscription_token(confirm, "anything") is None
