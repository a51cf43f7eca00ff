"""A series page as members see it (issue 12): its shared parts are kept under the content
version per audience, whether the reader may watch, and the window's state; what is the
reader's own (their enrolment, their form) is drawn for each request and never reaches
another reader."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from stoa.publishing.models import PostVisibility
from stoa.publishing.tests.factories import PostFactory, UserFactory
from stoa.webcasts import services
from stoa.webcasts.tests.factories import (
    ClipFactory,
    EnrolmentFactory,
    SeriesFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db


def reader(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    else:
        client.cookies["sessionid"] = "no-such-session"  # rendered, not the page cache's
    return client


@pytest.fixture
def series() -> Any:
    series = SeriesFactory(title="Working with Couples")
    SessionFactory(series=series, title="The fight you have heard before")
    members_post = PostFactory(title="For members")
    members_post.visibility = PostVisibility.MEMBERS
    members_post.save()
    ClipFactory(series=series, title="A members clip", post=members_post)
    ClipFactory(series=series, title="A clip for all")
    return series


def test_a_series_page_costs_a_member_at_most_five_queries_warm(
    series, django_assert_max_num_queries
) -> None:
    client = reader(UserFactory())
    client.get(series.get_absolute_url())
    with django_assert_max_num_queries(5):
        assert client.get(series.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("member_first", [True, False])
def test_a_members_clip_is_shown_to_members_only_whoever_came_first(series, member_first) -> None:
    member, visitor = reader(UserFactory()), reader()
    order = [member, visitor] if member_first else [visitor, member]
    pages = {id(c): c.get(series.get_absolute_url()).content.decode() for c in order}
    assert "A members clip" in pages[id(member)]
    assert "A members clip" not in pages[id(visitor)]
    assert "A clip for all" in pages[id(visitor)]


def test_one_members_enrolment_never_shows_in_another_members_page(series) -> None:
    enrolled = UserFactory()
    EnrolmentFactory(user=enrolled, series=series, until=timezone.now() + dt.timedelta(days=9))
    first = reader(enrolled).get(series.get_absolute_url()).content.decode()
    second = reader(UserFactory()).get(series.get_absolute_url()).content.decode()
    assert "Enrolled" in first and "Enrolled" not in second
    # The enrolled member's sessions are links; the other's are locked.
    assert "session-item--locked" not in first
    assert "session-item--locked" in second
    assert "Redeem an access code" in second


def test_a_new_session_shows_on_the_next_request(series) -> None:
    client = reader(UserFactory())
    assert "Slowing the room down" not in client.get(series.get_absolute_url()).content.decode()
    services.add_session(series=series, title="Slowing the room down")
    assert "Slowing the room down" in client.get(series.get_absolute_url()).content.decode()


def test_the_days_left_count_down_without_a_change_of_content(series, monkeypatch) -> None:
    series.ends = timezone.now() + dt.timedelta(days=5, hours=1)
    series.save()
    client = reader(UserFactory())
    assert "(6 days left)" in client.get(series.get_absolute_url()).content.decode()
    later = timezone.now() + dt.timedelta(days=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert "(4 days left)" in client.get(series.get_absolute_url()).content.decode()
