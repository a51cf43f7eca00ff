"""Personal API tokens: made and revoked on the account page and in the admin, stored
hashed, their secret shown once."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.test import Client

from stoa.api.models import ApiToken
from stoa.api.tests.conftest import Api
from stoa.members.tests.factories import SuperuserFactory

pytestmark = pytest.mark.django_db


def _logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_member_makes_a_token_and_sees_its_secret_once(member: Any) -> None:
    client = _logged_in(member)
    account = client.get("/account/").content.decode()
    assert "API tokens" in account and 'value="moderate"' not in account
    made = client.post("/api/tokens/", {"name": "My script", "scopes": ["read", "comment"]})
    assert made.status_code == 200
    assert "no-store" in made["Cache-Control"]
    token = ApiToken.objects.get(user=member)
    secret = made.content.decode().split('id="api-token-secret" readonly size="60" value="')[1]
    secret = secret.split('"')[0]
    # Stored as its SHA-256 only; the secret opens the API as the member.
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.values().get())
    assert token.scope_list == ["comment", "read"]
    assert Api(secret).get("/posts").status_code == 200
    # The account page names it, never shows the secret again.
    again = client.get("/account/").content.decode()
    assert "My script" in again and secret not in again and token.prefix in again


def test_a_token_without_a_name_or_scope_is_refused_with_what_was_typed(member: Any) -> None:
    client = _logged_in(member)
    answer = client.post("/api/tokens/", {"name": "", "scopes": []})
    assert answer.status_code == 400
    assert "Please give the token a name" in answer.content.decode()
    refused = client.post("/api/tokens/", {"name": "Sneaky", "scopes": ["moderate"]})
    assert refused.status_code == 400 and 'value="Sneaky"' in refused.content.decode()
    assert not ApiToken.objects.exists()


def test_a_member_revokes_their_own_token_only(member: Any) -> None:
    from stoa.api.tests.conftest import token_for

    secret = token_for(member)
    token = ApiToken.objects.get()
    other = _logged_in(SuperuserFactory())
    assert other.post(f"/api/tokens/{token.pk}/revoke/").status_code == 404
    answer = _logged_in(member).post(f"/api/tokens/{token.pk}/revoke/")
    assert answer.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Api(secret).get("/posts").status_code == 401


def test_a_visitor_cannot_make_tokens() -> None:
    answer = Client().post("/api/tokens/", {"name": "x", "scopes": ["read"]})
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]
    assert not ApiToken.objects.exists()


def test_the_admin_makes_a_token_shows_its_secret_once_and_revokes(member: Any) -> None:
    admin = _logged_in(SuperuserFactory())
    answer = admin.post(
        "/admin/api/apitoken/add/",
        {"user": member.pk, "name": "For the newsletter", "scopes": ["read"]},
        follow=True,
    )
    assert answer.status_code == 200, answer.content
    token = ApiToken.objects.get(user=member)
    page = answer.content.decode()
    secret = page.split("shown only now: ")[1].split("<")[0].strip()
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in admin.get(f"/admin/api/apitoken/{token.pk}/change/").content.decode()
    admin.post(
        "/admin/api/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_admin_refuses_moderate_for_a_member(member: Any) -> None:
    admin = _logged_in(SuperuserFactory())
    answer = admin.post(
        "/admin/api/apitoken/add/", {"user": member.pk, "name": "Mod", "scopes": ["moderate"]}
    )
    assert answer.status_code == 200 and "Only moderators" in answer.content.decode()
    assert not ApiToken.objects.exists()
