"""The API's HTTP manners: ETag and 304, problem+json for every error, rate limits with
Retry-After, CORS for listed origins only."""

from __future__ import annotations

from typing import Any

import pytest

from stoa.api.tests.conftest import Api, token_for
from stoa.publishing.tests.factories import PostFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def test_a_read_answers_304_to_its_own_etag_and_200_once_it_changed(api: Api) -> None:
    post = PostFactory()
    first = api.get(f"/posts/{post.pk}")
    etag = first["ETag"]
    assert etag.startswith('"') and first["Cache-Control"] == "no-cache"
    again = api.get(f"/posts/{post.pk}", **{"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    post.title = "A new title"
    post.save()
    changed = api.get(f"/posts/{post.pk}", **{"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_a_members_answer_is_private_and_varies_on_credentials(member: Any) -> None:
    PostFactory()
    answer = Api(token_for(member)).get("/posts")
    assert "private" in answer["Cache-Control"]
    assert {"Authorization", "Cookie", "Origin"} <= {v.strip() for v in answer["Vary"].split(",")}


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/posts/999999", 404),
        ("/no/such/address", 404),
        ("/posts?limit=0", 400),
        ("/posts/not-a-number", 400),
        ("/posts/99999999999999999999", 400),
        ("/people/a%00b", 400),
        ("/posts?cursor=W10", 400),
        ("/moderation/queue", 401),
    ],
)
def test_every_error_is_a_problem_document(api: Api, path: str, status: int) -> None:
    answer = api.get(path)
    assert answer.status_code == status, answer.content
    assert answer["Content-Type"] == PROBLEM
    problem = answer.json()
    assert problem["status"] == status
    assert problem["title"] and problem["detail"] and problem["type"]


def test_an_unknown_or_revoked_token_is_a_401_problem(member: Any) -> None:
    from stoa.api import services
    from stoa.api.models import ApiToken

    answer = Api("stoa_not-a-real-token").get("/posts")
    assert answer.status_code == 401 and answer["Content-Type"] == PROBLEM
    assert "invalid_token" in answer["WWW-Authenticate"]
    secret = token_for(member)
    assert Api(secret).get("/posts").status_code == 200
    services.revoke_token(token=ApiToken.objects.get(user=member))
    assert Api(secret).get("/posts").status_code == 401


def test_a_token_opens_only_its_scopes(member: Any, post: Any) -> None:
    reader = Api(token_for(member, "read"))
    answer = reader.send("POST", f"/posts/{post.pk}/comments", {"body": "Hello there."})
    assert answer.status_code == 403 and answer.json()["scope"] == "comment"
    assert "insufficient_scope" in answer["WWW-Authenticate"]


def test_a_token_remembers_when_it_was_last_used(member: Any) -> None:
    from stoa.api.models import ApiToken

    secret = token_for(member)
    assert ApiToken.objects.get().last_used_at is None
    Api(secret).get("/posts")
    assert ApiToken.objects.get().last_used_at is not None


def test_too_many_requests_from_one_address_answer_429_with_retry_after(
    api: Api, settings: Any
) -> None:
    settings.STOA_API = {**settings.STOA_API, "RATE_PER_ADDRESS": (3, 60)}
    statuses = [api.get("/tags").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = api.get("/tags")
    assert refused["Content-Type"] == PROBLEM
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["retry_after"] == int(refused["Retry-After"])
    # Another address has its own count.
    assert api.client.get("/api/v1/tags", REMOTE_ADDR="192.0.2.9").status_code == 200


def test_a_token_is_counted_on_its_own(member: Any, settings: Any) -> None:
    settings.STOA_API = {**settings.STOA_API, "RATE_PER_TOKEN": (2, 60)}
    first, second = Api(token_for(member)), Api(token_for(member))
    assert [first.get("/tags").status_code for _ in range(3)] == [200, 200, 429]
    assert second.get("/tags").status_code == 200


def test_cors_answers_only_the_listed_origins(api: Api, settings: Any) -> None:
    settings.STOA_API = {**settings.STOA_API, "CORS_ORIGINS": ["https://partner.example"]}
    listed = api.get("/tags", Origin="https://partner.example")
    assert listed["Access-Control-Allow-Origin"] == "https://partner.example"
    assert "Access-Control-Allow-Credentials" not in listed
    other = api.get("/tags", Origin="https://elsewhere.example")
    assert "Access-Control-Allow-Origin" not in other
    preflight = api.client.options(
        "/api/v1/posts/1/comments",
        headers={"Origin": "https://partner.example", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 204
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    assert "Authorization" in preflight["Access-Control-Allow-Headers"]
    refused = api.client.options(
        "/api/v1/posts/1/comments",
        headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"},
    )
    assert refused.status_code == 403 and "Access-Control-Allow-Origin" not in refused


def test_a_session_write_needs_the_csrf_token(member: Any, post: Any) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    session = Api(client=client)
    refused = session.send("POST", f"/posts/{post.pk}/comments", {"body": "From my session."})
    assert refused.status_code == 403 and refused.json()["title"] == "CSRF check failed"
    client.get("/account/")  # the page sets the CSRF cookie, as a browser gets it
    csrf = client.cookies["csrftoken"].value
    sent = session.send(
        "POST", f"/posts/{post.pk}/comments", {"body": "From my session."}, **{"X-CSRFToken": csrf}
    )
    assert sent.status_code == 201, sent.content


def test_an_unexpected_error_is_a_500_problem_without_details(api: Api) -> None:
    from unittest import mock

    from stoa.api import reads

    with mock.patch.object(reads, "tag", side_effect=RuntimeError("secret internals")):
        from stoa.publishing.tests.factories import TagFactory

        answer = api.get(f"/tags/{TagFactory().slug}")
    assert answer.status_code == 500 and answer["Content-Type"] == PROBLEM
    assert b"secret internals" not in answer.content


def test_the_page_cache_never_keeps_an_api_answer(api: Api, settings: Any) -> None:
    # Answers vary on the caller and the Origin: the site's page cache (on in production)
    # must hand each caller its own.
    settings.MIDDLEWARE = [
        "stoa.core.pagecache.PageCacheMiddleware",
        *settings.MIDDLEWARE,
    ]
    settings.STOA_API = {**settings.STOA_API, "CORS_ORIGINS": ["https://a.example"]}
    PostFactory()
    first = api.get("/posts", Origin="https://a.example")
    second = api.get("/posts")
    assert first["Access-Control-Allow-Origin"] == "https://a.example"
    assert "Access-Control-Allow-Origin" not in second
    assert second.get("X-Stoa-Cache") != "hit"
