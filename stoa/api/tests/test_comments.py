"""Writing through the API: the discussion's services and rules, never a second copy."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone

from stoa.api.tests.conftest import Api, token_for
from stoa.discussion import services
from stoa.discussion.models import Comment, CommentFlag, CommentStatus, DiscussionSettings
from stoa.discussion.tests.factories import CommentFactory
from stoa.publishing.tests.factories import PostFactory

pytestmark = pytest.mark.django_db

GUEST = {"name": "Gwen Guest", "email": "gwen@example.net"}


def test_a_guest_comment_goes_through_post_comment(api: Api, post: Any) -> None:
    with mock.patch.object(services, "post_comment", wraps=services.post_comment) as spy:
        answer = api.send("POST", f"/posts/{post.pk}/comments", {"body": "A fine piece.", **GUEST})
    assert answer.status_code == 201, answer.content
    assert spy.call_count == 1
    assert spy.call_args.kwargs["author"] == services.Guest(name="Gwen Guest", email=GUEST["email"])
    written = answer.json()
    comment = Comment.objects.get(pk=written["id"])
    assert comment.author_email == GUEST["email"] and comment.ip_address == "127.0.0.1"
    assert written["owner_token"] and "gwen@" not in answer.content.decode()
    assert written["status"] in ("approved", "held")


def test_a_members_comment_is_signed_with_their_account(post: Any, member: Any) -> None:
    answer = Api(token_for(member, "comment")).send(
        "POST", f"/posts/{post.pk}/comments", {"body": "Speaking as a member."}
    )
    assert answer.status_code == 201, answer.content
    assert Comment.objects.get(pk=answer.json()["id"]).user == member
    assert answer.json()["owner_token"] is None


def test_a_guest_without_a_name_gets_400_with_the_field_and_the_text_kept(
    api: Api, post: Any
) -> None:
    answer = api.send("POST", f"/posts/{post.pk}/comments", {"body": "Nameless words."})
    assert answer.status_code == 400
    problem = answer.json()
    assert problem["errors"]["name"] and problem["text"] == "Nameless words."
    assert answer["Content-Type"] == "application/problem+json"


def test_a_duplicate_is_refused_409_with_the_reason_and_the_text(api: Api, post: Any) -> None:
    settings = DiscussionSettings.current()
    settings.rate_limit_seconds = 0  # no flood rule: the duplicate rule is the one to see
    settings.save()
    body = {"body": "Exactly the same words.", **GUEST}
    assert api.send("POST", f"/posts/{post.pk}/comments", body).status_code == 201
    again = api.client.post(
        f"/api/v1/posts/{post.pk}/comments",
        body,
        content_type="application/json",
        REMOTE_ADDR="192.0.2.50",
    )
    assert again.status_code == 409, again.content
    problem = again.json()
    assert problem["rule"] == "duplicate" and problem["text"] == body["body"]
    assert problem["detail"]


def test_a_flood_is_refused_429_with_retry_after(api: Api, post: Any) -> None:
    api.send("POST", f"/posts/{post.pk}/comments", {"body": "First thought.", **GUEST})
    second = api.send("POST", f"/posts/{post.pk}/comments", {"body": "Second one.", **GUEST})
    assert second.status_code == 429, second.content
    assert int(second["Retry-After"]) >= 1
    assert second.json()["text"] == "Second one."


def test_a_closed_discussion_is_refused_403(api: Api) -> None:
    post = PostFactory(comments_open=False)
    answer = api.send("POST", f"/posts/{post.pk}/comments", {"body": "Too late?", **GUEST})
    assert answer.status_code == 403 and answer.json()["text"] == "Too late?"


def test_a_visitor_may_not_join_a_members_discussion(api: Api) -> None:
    post = PostFactory(members_only=True)
    answer = api.send("POST", f"/posts/{post.pk}/comments", {"body": "Let me in.", **GUEST})
    assert answer.status_code == 403 and answer.json()["text"] == "Let me in."
    assert not Comment.objects.exists()


def test_a_guest_post_from_an_unlisted_site_is_refused(api: Api, post: Any) -> None:
    answer = api.send(
        "POST",
        f"/posts/{post.pk}/comments",
        {"body": "From afar.", **GUEST},
        Origin="https://evil.example",
    )
    assert answer.status_code == 403 and answer.json()["text"] == "From afar."


def test_a_guest_edits_and_withdraws_with_the_owner_token(api: Api, post: Any) -> None:
    written = api.send("POST", f"/posts/{post.pk}/comments", {"body": "Frist!", **GUEST}).json()
    pk, token = written["id"], written["owner_token"]
    with mock.patch.object(services, "edit_comment", wraps=services.edit_comment) as spy:
        edited = api.send("PATCH", f"/comments/{pk}", {"body": "First!", "owner_token": token})
    assert edited.status_code == 200, edited.content
    assert spy.call_count == 1 and Comment.objects.get(pk=pk).text == "First!"
    # A guest's first comment waits for a moderator: without the token it is not there.
    assert written["status"] == "held"
    assert api.send("PATCH", f"/comments/{pk}", {"body": "Not mine"}).status_code == 404
    assert api.send("DELETE", f"/comments/{pk}").status_code == 404
    with mock.patch.object(
        services, "delete_own_comment", wraps=services.delete_own_comment
    ) as spy:
        gone = api.send("DELETE", f"/comments/{pk}?owner_token={token}")
    assert gone.status_code == 204 and spy.call_count == 1
    assert Comment.objects.get(pk=pk).status == CommentStatus.TRASH


def test_someone_elses_comment_cannot_be_edited(post: Any, member: Any) -> None:
    comment = CommentFactory(post=post)
    answer = Api(token_for(member, "comment")).send(
        "PATCH", f"/comments/{comment.pk}", {"body": "Hijacked."}
    )
    assert answer.status_code == 403
    assert answer.json()["detail"] == "You can only change your own comments."
    assert answer.json()["text"] == "Hijacked."


def test_the_edit_window_closes(post: Any, member: Any) -> None:
    long_ago = timezone.now() - dt.timedelta(days=2)
    comment = CommentFactory(post=post, user=member, created_at=long_ago)
    answer = Api(token_for(member, "comment")).send(
        "PATCH", f"/comments/{comment.pk}", {"body": "Second thoughts."}
    )
    assert answer.status_code == 403
    assert answer.json()["reason"] == "window_closed"


def test_a_report_goes_through_flag_comment(post: Any, member: Any) -> None:
    comment = CommentFactory(post=post)
    reporter = Api(token_for(member, "comment"))
    with mock.patch.object(services, "flag_comment", wraps=services.flag_comment) as spy:
        first = reporter.send("POST", f"/comments/{comment.pk}/report")
        second = reporter.send("POST", f"/comments/{comment.pk}/report")
    assert spy.call_count == 2
    assert first.json() == {"reported": True} and second.json() == {"reported": False}
    flag = CommentFlag.objects.get()
    assert flag.by_member and flag.reporter == f"user:{member.pk}"


def test_a_held_comment_cannot_be_reported(api: Api, post: Any) -> None:
    held = CommentFactory(post=post, status=CommentStatus.PENDING)
    assert api.send("POST", f"/comments/{held.pk}/report").status_code == 404


# --------------------------------------------------------------------------- moderators


@pytest.mark.parametrize(
    ("move", "start", "service", "end"),
    [
        ("approve", CommentStatus.PENDING, "approve_comment", CommentStatus.APPROVED),
        ("hold", CommentStatus.APPROVED, "unapprove_comment", CommentStatus.PENDING),
        ("spam", CommentStatus.PENDING, "spam_comment", CommentStatus.SPAM),
        ("trash", CommentStatus.APPROVED, "trash_comment", CommentStatus.TRASH),
    ],
)
def test_a_moderators_move_goes_through_the_back_offices_service(
    post: Any, moderator: Any, move: str, start: str, service: str, end: str
) -> None:
    comment = CommentFactory(post=post, status=start)
    moderator_api = Api(token_for(moderator, "read", "moderate"))
    original = services.MOVE_SERVICES
    spy = mock.Mock(wraps=getattr(services, service))
    with (
        mock.patch.object(services, "move_comment", wraps=services.move_comment) as move_spy,
        mock.patch.dict(original, {k: spy for k, v in original.items() if v.__name__ == service}),
    ):
        answer = moderator_api.send("POST", f"/moderation/comments/{comment.pk}/{move}")
    assert answer.status_code == 200, answer.content
    assert move_spy.call_count == 1 and spy.call_count == 1
    assert answer.json() == {"id": comment.pk, "status": end, "moved": True}
    comment.refresh_from_db()
    assert comment.status == end
    assert comment.events.filter(to_status=end, actor=moderator).exists()


def test_a_move_the_status_does_not_allow_is_409(post: Any, moderator: Any) -> None:
    held = CommentFactory(post=post, status=CommentStatus.PENDING)
    answer = Api(token_for(moderator, "moderate")).send(
        "POST", f"/moderation/comments/{held.pk}/hold"
    )
    assert answer.status_code == 409 and "approve" in answer.json()["detail"]


def test_moderating_needs_the_scope_and_the_permission(
    post: Any, moderator: Any, member: Any
) -> None:
    held = CommentFactory(post=post, status=CommentStatus.PENDING)
    without_scope = Api(token_for(moderator, "read"))
    assert without_scope.send("POST", f"/moderation/comments/{held.pk}/approve").status_code == 403
    assert without_scope.get("/moderation/queue").status_code == 403
    members = Api(token_for(member, "read"))
    assert members.get("/moderation/queue").status_code == 403
    with pytest.raises(Exception, match="moderators"):
        token_for(member, "moderate")
    held.refresh_from_db()
    assert held.status == CommentStatus.PENDING


def test_the_queue_lists_held_comments_without_emails_or_addresses(
    post: Any, moderator: Any
) -> None:
    held = CommentFactory(
        post=post,
        status=CommentStatus.PENDING,
        author_email="hidden@example.org",
        ip_address="198.51.100.77",
    )
    CommentFactory(post=post)
    answer = Api(token_for(moderator, "moderate")).get("/moderation/queue")
    assert answer.status_code == 200
    assert [c["id"] for c in answer.json()["items"]] == [held.pk]
    assert answer.json()["items"][0]["moves"] == ["approve", "spam", "trash"]
    assert b"hidden@example.org" not in answer.content and b"198.51.100.77" not in answer.content


def test_flood_interval_from_the_settings_is_the_retry_after(api: Api, post: Any) -> None:
    settings = DiscussionSettings.current()
    settings.rate_limit_seconds = 45
    settings.save()
    api.send("POST", f"/posts/{post.pk}/comments", {"body": "One.", **GUEST})
    second = api.send("POST", f"/posts/{post.pk}/comments", {"body": "Two.", **GUEST})
    assert second.status_code == 429 and second["Retry-After"] == "45"
