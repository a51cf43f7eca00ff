"""Fixtures the API's tests share: a client that speaks JSON, and members with tokens."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from stoa.api import services
from stoa.discussion.tests.factories import ModeratorFactory
from stoa.publishing.models import Post
from stoa.publishing.tests.factories import PostFactory, UserFactory


class Api:
    """A test client for /api/v1/, with a token if given one."""

    def __init__(self, token: str = "", client: Client | None = None) -> None:
        self.client = client or Client()
        self.token = token

    def _headers(self, headers: dict[str, str]) -> dict[str, str]:
        if self.token:
            headers = {"Authorization": f"Bearer {self.token}", **headers}
        return headers

    def get(self, path: str, **headers: str) -> Any:
        return self.client.get(f"/api/v1{path}", headers=self._headers(headers))

    def send(self, method: str, path: str, data: Any = None, **headers: str) -> Any:
        call = getattr(self.client, method.lower())
        body = json.dumps(data) if data is not None else ""
        return call(
            f"/api/v1{path}",
            body,
            content_type="application/json",
            headers=self._headers(headers),
        )


def token_for(user: Any, *scopes: str) -> str:
    _, secret = services.create_token(user=user, name="tests", scopes=scopes or ("read",))
    return secret


@pytest.fixture
def api() -> Api:
    return Api()


@pytest.fixture
def post(db: None) -> Post:
    return PostFactory()


@pytest.fixture
def member(db: None) -> Any:
    return UserFactory()


@pytest.fixture
def moderator(db: None) -> Any:
    return ModeratorFactory()
