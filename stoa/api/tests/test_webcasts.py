"""Webcast series and sessions through the API: listed as their pages list them, a
session's files only for those webcasts.access lets watch."""

from __future__ import annotations

from typing import Any

import pytest

from stoa.api.tests.conftest import Api, token_for
from stoa.webcasts.tests.factories import EnrolmentFactory, SeriesFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(temporary_media: Any) -> None:
    """Session files in this test's own directories."""


def test_published_series_are_listed_and_drafts_are_not(api: Api) -> None:
    shown, draft = SeriesFactory(), SeriesFactory(draft=True)
    listed = {s["id"] for s in api.get("/series").json()["items"]}
    assert shown.pk in listed and draft.pk not in listed
    assert api.get(f"/series/{draft.slug}").status_code == 404


def test_a_series_lists_its_sessions_to_everyone_but_plays_them_to_the_enrolled(
    api: Api, member: Any
) -> None:
    session = SessionFactory()
    series = session.series
    visitor = api.get(f"/series/{series.slug}").json()
    assert visitor["can_watch"] is False
    assert [s["id"] for s in visitor["sessions"]] == [session.pk]
    refused = api.get(f"/series/{series.slug}/sessions/{session.slug}")
    assert refused.status_code == 403 and refused.json()["reason"] == "visitor"
    assert "video" not in refused.json() and session.media_url("video").encode() not in (
        refused.content
    )
    stranger = Api(token_for(member)).get(f"/series/{series.slug}/sessions/{session.slug}")
    assert stranger.status_code == 403 and stranger.json()["reason"] == "not_enrolled"
    EnrolmentFactory(user=member, series=series)
    enrolled = Api(token_for(member)).get(f"/series/{series.slug}/sessions/{session.slug}")
    assert enrolled.status_code == 200
    assert enrolled.json()["video"] == session.media_url("video")
