"""What of members starts a new content version (stoa.members.freshness): a profile, shown
on public pages; not a log-in, which writes the account's last_login."""

from __future__ import annotations

import pytest
from django.test import Client

from stoa.core import cache
from stoa.members.models import Profile
from stoa.members.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def version() -> str:
    cache.forget_request_version()
    return cache.content_version()


def test_logging_in_starts_no_new_version(client: Client) -> None:
    user = UserFactory(email="reader@example.net")
    user.set_password("a long passphrase")
    user.save()
    before = version()
    client.force_login(user)
    assert version() == before


def test_a_profile_edited_starts_a_new_version() -> None:
    profile = Profile.objects.get(user=UserFactory())
    before = version()
    profile.bio = "Works with families."
    profile.save()
    assert version() != before
