"""The comment form's door (middleware.CommentDoorMiddleware, issue 10 item 1): what robots
send by the hundred is turned away before a session, a user or the post is loaded, with the
headers every page has and the text handed back; nothing else changes."""

from __future__ import annotations

import logging

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from stoa.discussion.models import Comment, DiscussionSettings
from stoa.publishing.models import Post
from stoa.publishing.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

GUEST = {"name": "Rob Ot", "email": "rob@spam.example", "body": "Cheap pills, if (a<b)."}
ROBOT = {**GUEST, "homepage": "http://spam.example/"}


def send(client: Client, post_id: int, data: dict[str, str], ip: str = "203.0.113.9", **extra):
    return client.post(f"/comments/post/{post_id}/", data, REMOTE_ADDR=ip, **extra)


def test_a_robots_comment_costs_one_query_and_reads_no_post(post: Post) -> None:
    DiscussionSettings.current()  # kept in the cache, as on a running site
    with CaptureQueriesContext(connection) as queries:
        response = send(Client(), post.pk, ROBOT)
    assert response.status_code == 400
    # The flood statement alone: no session, no user, no post, no form's lookups.
    assert len(queries) == 1, [q["sql"] for q in queries.captured_queries]
    assert "discussion_comment" in queries.captured_queries[0]["sql"]
    assert not Comment.objects.exists()


def test_the_door_hands_the_text_back_on_a_page_with_every_pages_headers(post: Post) -> None:
    response = send(
        Client(), post.pk, ROBOT, HTTP_REFERER=f"http://testserver{post.get_absolute_url()}"
    )
    page = response.content.decode()
    assert "Your comment was not sent" in page
    assert "Cheap pills, if (a&lt;b)." in page
    assert f'href="http://testserver{post.get_absolute_url()}"' in page  # the way back
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert int(response["Content-Length"]) == len(response.content)


def test_a_way_back_to_another_site_is_not_offered(post: Post) -> None:
    response = send(Client(), post.pk, ROBOT, HTTP_REFERER="https://evil.example/phish")
    assert "evil.example" not in response.content.decode()
    assert 'href="/"' in response.content.decode()


def test_a_robot_that_commented_a_moment_ago_is_slowed_down_first(post: Post) -> None:
    assert send(Client(), post.pk, {**GUEST, "body": "A real first remark."}).status_code == 302
    again = send(Client(), post.pk, {**ROBOT, "email": "other@spam.example"})
    assert again.status_code == 429
    assert "too quickly" in again.content.decode()
    assert Comment.objects.count() == 1


def test_a_robot_posting_to_no_post_at_all_is_turned_away_the_same(post: Post) -> None:
    # The door reads no post: a robot learns nothing about which ids exist.
    assert send(Client(), 987_654, ROBOT).status_code == 400


def test_a_person_passes_the_door_and_is_judged_by_every_rule(post: Post) -> None:
    response = send(Client(), post.pk, {**GUEST, "body": "Listening is underrated."})
    assert response.status_code == 302
    assert Comment.objects.get().text == "Listening is underrated."


def test_a_preview_passes_the_door(post: Post) -> None:
    # It writes nothing; the flood rule would refuse a person previewing their next one.
    send(Client(), post.pk, {**GUEST, "body": "A first remark."})
    preview = send(Client(), post.pk, {**GUEST, "body": "And another.", "preview": "1"})
    assert preview.status_code == 200


def test_a_request_with_a_session_goes_the_whole_way(post: Post) -> None:
    # A member's POST is checked for CSRF before any rule: the door leaves it alone.
    member = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert settings.SESSION_COOKIE_NAME in client.cookies
    assert send(client, post.pk, ROBOT).status_code == 403  # no CSRF token: refused first


def test_turning_a_robot_away_is_not_a_warning_in_the_log(
    post: Post, caplog: pytest.LogCaptureFixture
) -> None:
    # Django logs every 4xx as a WARNING; a hundred robots a second would bury real ones.
    with caplog.at_level(logging.INFO):
        send(Client(), post.pk, ROBOT)
    assert [r.levelname for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert any("turned away at the door" in r.getMessage() for r in caplog.records)


def test_an_oversized_robot_post_says_where_the_text_is(post: Post, settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = send(Client(), post.pk, {**ROBOT, "body": "x" * 4096})
    assert response.status_code == 413
