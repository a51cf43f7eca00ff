"""Readers' reports (issue 10, item 3): a visitor without an account is an address, and
addresses are cheap, so visitors' reports only tell the moderators; hiding a comment takes
reports from members (or a mix the settings allow). Through the report page and the service,
and in the moderators' queue."""

from __future__ import annotations

import re
from typing import Any

import lxml.html
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from stoa.discussion import services
from stoa.discussion.models import Comment, CommentFlag, CommentStatus, DiscussionSettings
from stoa.discussion.tests.factories import CommentFactory
from stoa.members.models import User
from stoa.publishing.models import Post
from stoa.publishing.tests.factories import PostFactory, SuperuserFactory, UserFactory

pytestmark = pytest.mark.django_db

APPROVED, HELD = CommentStatus.APPROVED, CommentStatus.PENDING
CHANGELIST = "/admin/discussion/comment/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def configure(**changes: Any) -> DiscussionSettings:
    row = DiscussionSettings.current()
    for name, value in changes.items():
        setattr(row, name, value)
    row.save()
    return DiscussionSettings.current()


def report_url(comment: Comment) -> str:
    return f"/comments/{comment.pk}/report/"


def visitor_reports(comment: Comment, address: str) -> int:
    """A visitor's Report button, from the post page (same-site, no token: the page is
    shared)."""
    return Client().post(report_url(comment), REMOTE_ADDR=address).status_code


def member_reports(comment: Comment, member: User) -> int:
    """A member's Report button, with CSRF checked as a browser's would be: the button in
    the shared markup asks them to confirm on a page carrying their own token."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(member)
    confirm = browser.post(report_url(comment))
    assert confirm.status_code == 200
    assert "Report this comment?" in confirm.content.decode()
    token = TOKEN.search(confirm.content.decode())
    assert token is not None
    return browser.post(report_url(comment), {"csrfmiddlewaretoken": token.group(1)}).status_code


def status_of(comment: Comment) -> str:
    return Comment.objects.values_list("status", flat=True).get(pk=comment.pk)


def shown_on(post: Post) -> list[str]:
    page = lxml.html.fromstring(Client().get(post.get_absolute_url()).content)
    return page.xpath("//article[starts-with(@id, 'comment-')]/@id")


@pytest.fixture
def moderator_client() -> Client:
    client = Client()
    client.force_login(SuperuserFactory())
    return client


# --- Through the report page ------------------------------------------------------------------


def test_three_visitors_reports_never_hide_an_approved_comment(post: Post) -> None:
    comment = CommentFactory(post=post)
    for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        assert visitor_reports(comment, address) == 200

    assert status_of(comment) == APPROVED
    assert f"comment-{comment.pk}" in shown_on(post)
    assert Comment.objects.get(pk=comment.pk).flag_count == 3
    assert not CommentFlag.objects.filter(by_member=True).exists()


def test_the_moderators_queue_shows_a_comment_visitors_reported(
    post: Post, moderator_client: Client
) -> None:
    reported = CommentFactory(post=post, author_name="Nell")
    CommentFactory(post=post, author_name="Unreported")
    for address in ("203.0.113.1", "203.0.113.2", "203.0.113.3"):
        visitor_reports(reported, address)

    queue = moderator_client.get(CHANGELIST)
    summary = {item["label"]: item for item in queue.context["status_summary"]}
    assert summary["Reported"]["count"] == 1
    listed = moderator_client.get(CHANGELIST + summary["Reported"]["query"])

    assert list(listed.context["cl"].result_list) == [reported]
    row = lxml.html.fromstring(listed.content).xpath("//tbody/tr")[0]
    assert " ".join(row.xpath(".//td[@class='field-flag_column']//text()")) == "3 0 by members"
    assert "Reported 1" in " ".join(
        lxml.html.fromstring(queue.content)
        .xpath("//nav[@class='comment-queue-summary']")[0]
        .text_content()
        .split()
    )


def test_three_members_reports_hide_an_approved_comment(post: Post) -> None:
    comment = CommentFactory(post=post)
    assert DiscussionSettings.current().flag_threshold == 3
    for _ in range(2):
        assert member_reports(comment, UserFactory()) == 200
    assert status_of(comment) == APPROVED

    assert member_reports(comment, UserFactory()) == 200

    assert status_of(comment) == HELD
    assert f"comment-{comment.pk}" not in shown_on(post)
    assert CommentFlag.objects.filter(comment=comment, by_member=True).count() == 3
    hidden = Comment.objects.get(pk=comment.pk).events.get(rule="reports")
    assert hidden.note == "Hidden after reports from 3 members"


def test_visitors_reports_do_not_add_up_with_members_by_default(post: Post) -> None:
    comment = CommentFactory(post=post)
    for n in range(5):
        visitor_reports(comment, f"203.0.113.{n}")
    for _ in range(2):
        member_reports(comment, UserFactory())
    assert status_of(comment) == APPROVED
    assert Comment.objects.get(pk=comment.pk).flag_count == 7


def test_one_visitor_is_one_reporter_across_their_ipv6_64(post: Post) -> None:
    comment = CommentFactory(post=post)
    for address in ("2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff::9"):
        visitor_reports(comment, address)
    visitor_reports(comment, "2001:db8:1:3::1")
    assert Comment.objects.get(pk=comment.pk).flag_count == 2


def test_a_visitor_cannot_report_a_comment_in_a_members_only_discussion() -> None:
    comment = CommentFactory(post=PostFactory(members_only=True))
    assert visitor_reports(comment, "203.0.113.1") == 404
    assert not CommentFlag.objects.exists()
    # A member, who may read it, may report it.
    assert member_reports(comment, UserFactory()) == 200
    assert CommentFlag.objects.get().by_member


# --- The service and the settings -------------------------------------------------------------


def test_by_default_no_number_of_visitors_reports_hides_a_comment(post: Post) -> None:
    assert DiscussionSettings.current().guest_reports_per_member == 0
    comment = CommentFactory(post=post)
    for n in range(20):
        services.flag_comment(comment=comment, reporter=f"ip:{n}", reporter_is_member=False)
    assert status_of(comment) == APPROVED


def test_a_report_whose_caller_does_not_say_counts_as_a_visitors(post: Post) -> None:
    configure(flag_threshold=1)
    comment = CommentFactory(post=post)
    services.flag_comment(comment=comment, reporter="user:1")
    assert status_of(comment) == APPROVED
    assert not CommentFlag.objects.get().by_member


def test_the_settings_may_count_some_visitors_reports_as_one_members(post: Post) -> None:
    configure(flag_threshold=3, guest_reports_per_member=2)
    comment = CommentFactory(post=post)
    services.flag_comment(comment=comment, reporter="user:1", reporter_is_member=True)
    for n in range(3):
        services.flag_comment(comment=comment, reporter=f"ip:{n}", reporter_is_member=False)
    assert status_of(comment) == APPROVED  # one member and one and a half

    services.flag_comment(comment=comment, reporter="ip:3", reporter_is_member=False)

    assert status_of(comment) == HELD
    note = Comment.objects.get(pk=comment.pk).events.get(rule="reports").note
    assert note == "Hidden after reports from 1 members and 4 visitors"


def test_a_hidden_comment_waits_in_the_queue_for_the_moderators(
    post: Post, moderator_client: Client
) -> None:
    comment = CommentFactory(post=post)
    for n in range(3):
        services.flag_comment(comment=comment, reporter=f"user:{n}", reporter_is_member=True)

    listed = moderator_client.get(CHANGELIST, {"status": HELD, "reported": "members"})

    assert list(listed.context["cl"].result_list) == [comment]
    only_visitors = moderator_client.get(CHANGELIST, {"status": HELD, "reported": "visitors"})
    assert list(only_visitors.context["cl"].result_list) == []


def test_the_queue_costs_the_same_queries_however_many_comments_were_reported(
    post: Post, moderator_client: Client
) -> None:
    def queries_for_queue() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert moderator_client.get(CHANGELIST, {"reported": "any"}).status_code == 200
        return len(queries)

    first = CommentFactory(post=post)
    services.flag_comment(comment=first, reporter="user:1", reporter_is_member=True)
    # Warm: the signed-in member is kept from their first request on (members.backends).
    queries_for_queue()
    one = queries_for_queue()
    for n in range(10):
        comment = CommentFactory(post=post, author_email=f"many{n}@example.net")
        services.flag_comment(comment=comment, reporter="ip:a", reporter_is_member=False)
        services.flag_comment(comment=comment, reporter="user:1", reporter_is_member=True)
    assert queries_for_queue() == one
