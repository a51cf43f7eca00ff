"""What of webcasts starts a new content version (stoa.webcasts.freshness): the series,
sessions and clips readers see; never a member's own records, which any visitor could
otherwise use to empty the page cache."""

from __future__ import annotations

import pytest

from stoa.core import cache
from stoa.publishing.tests.factories import UserFactory
from stoa.webcasts import services
from stoa.webcasts.tests.factories import AccessCodeFactory, SeriesFactory, SessionFactory

pytestmark = pytest.mark.django_db


def version() -> str:
    cache.forget_request_version()
    return cache.content_version()


def test_enrolling_redeeming_and_asking_for_news_start_no_new_version() -> None:
    series = SeriesFactory()
    code = AccessCodeFactory(series=series)
    member, other = UserFactory(), UserFactory()
    before = version()
    services.enrol(user=member, series=series, until=None)
    services.redeem_code(user=other, code=code.code)
    services.request_release_notice(email="news@example.net", series=series)
    assert version() == before


def test_a_session_edited_starts_a_new_version() -> None:
    session = SessionFactory()
    before = version()
    session.title = "A better title"
    session.save()
    assert version() != before


def test_a_draft_series_edited_starts_no_new_version_until_it_is_published() -> None:
    series = SeriesFactory(draft=True)
    before = version()
    series.title = "Still a draft"
    series.save()
    assert version() == before
    series.is_published = True
    series.save()
    assert version() != before
