"""The signed-in member kept between requests (stoa.members.backends): no query to load
them once kept, and every saved change to the account or the profile seen on the next
request."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from stoa.members import backends
from stoa.members.models import User
from stoa.members.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def signed_in(**fields: Any) -> tuple[Client, User]:
    user = UserFactory(**fields)
    client = Client()
    client.force_login(user)
    return client, user


def member_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    return sum('FROM "members_user"' in q["sql"] for q in captured.captured_queries)


def test_a_kept_member_costs_no_query_to_load() -> None:
    client, _ = signed_in()
    assert member_queries(client) == 1, "loaded once, with the profile"
    assert member_queries(client) == 0


def test_a_new_display_name_is_seen_on_the_next_request() -> None:
    client, user = signed_in(first_name="Ada")
    client.get("/account/")
    user.profile.display_name = "Dr Ada Quist"
    user.profile.save()
    assert "Dr Ada Quist" in client.get("/account/").content.decode()


def test_a_deactivated_account_is_signed_out_on_its_next_request() -> None:
    client, user = signed_in()
    assert client.get("/account/").status_code == 200
    user.is_active = False
    user.save()
    response = client.get("/account/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_changed_password_ends_the_other_sessions_at_once() -> None:
    client, user = signed_in()
    assert client.get("/account/").status_code == 200
    user.set_password("an-entirely-new-password")
    user.save()
    assert client.get("/account/").status_code == 302


def test_a_write_without_signals_is_seen_once_forgotten() -> None:
    client, user = signed_in()
    client.get("/account/")
    User.objects.filter(pk=user.pk).update(is_active=False)
    backends.forget(user.pk)
    assert client.get("/account/").status_code == 302
