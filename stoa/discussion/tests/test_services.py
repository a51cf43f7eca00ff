"""The discussion's services: writing, moderating, editing, reporting and purging comments,
subscriptions, and the emails they send (with the pages behind the emails' links)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from stoa.discussion import services
from stoa.discussion.access import APPROVED, HELD, SPAM, TRASH, Move
from stoa.discussion.models import (
    Comment,
    CommentEvent,
    CommentEventKind,
    CommentFlag,
    DiscussionSettings,
    Subscription,
)
from stoa.discussion.tests.factories import CommentFactory, SubscriptionFactory
from stoa.discussion.threads import render_comment
from stoa.members.models import User
from stoa.publishing.models import Post
from stoa.publishing.tests.factories import (
    PersonFactory,
    PostFactory,
    SuperuserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LONG_AGO = dt.timedelta(days=1)
URL = re.compile(r"https?://[^\s<>\"]+")


@pytest.fixture
def moderator() -> User:
    return SuperuserFactory(email="mod@example.org")


def configure(**changes: Any) -> DiscussionSettings:
    row = DiscussionSettings.current()
    for name, value in changes.items():
        setattr(row, name, value)
    row.save()
    return DiscussionSettings.current()


def guest(email: str = "ada@example.net", name: str = "Ada Reader", url: str = "") -> Any:
    return services.Guest(name=name, email=email, url=url)


def write(post: Post, body: str = "A thoughtful remark.", **kwargs: Any) -> Comment:
    """A guest's comment through the service (held, as a first comment is by default)."""
    kwargs.setdefault("author", guest())
    return services.post_comment(post=post, body=body, **kwargs)


def known(email: str, name: str = "Ada Reader") -> None:
    """Give a guest (name and address) an approved comment a day ago: their next comment is
    approved at once (moderation.trusted_guest)."""
    CommentFactory(author_name=name, author_email=email, created_at=timezone.now() - LONG_AGO)


def refreshed(obj: Any) -> Any:
    obj.refresh_from_db()
    return obj


def count_of(post: Post) -> int:
    return Post.objects.get(pk=post.pk).comment_count


def path_of(url: str) -> str:
    return urlsplit(url).path


def nothing_written() -> bool:
    return not Comment.objects.exists() and not CommentEvent.objects.exists()


def sent_to(address: str) -> list[mail.EmailMultiAlternatives]:
    return [m for m in mail.outbox if address in m.to]


def html_part(message: Any) -> str:
    return next(content for content, kind in message.alternatives if kind == "text/html")


# --- post_comment: what is refused before anything is written ----------------------------


@pytest.mark.parametrize(
    ("author", "field"),
    [
        (services.Guest(name="", email="ada@example.net"), "name"),
        (services.Guest(name="   ", email="ada@example.net"), "name"),
        (services.Guest(name="Ada", email=""), "email"),
        (services.Guest(name="Ada", email="not-an-address"), "email"),
        (services.Guest(name="Ada", email="ada@example.net", url="javascript:alert(1)"), "url"),
    ],
)
def test_a_guest_without_a_proper_name_email_or_website_is_refused(
    post: Post, author: services.Guest, field: str
) -> None:
    with pytest.raises(ValidationError) as error:
        write(post, author=author)
    assert field in error.value.message_dict
    assert nothing_written()


@pytest.mark.parametrize("body", ["", "   \n\t  ", "x" * (services.MAX_COMMENT_LENGTH + 1)])
def test_an_empty_or_over_long_body_is_refused(post: Post, body: str) -> None:
    with pytest.raises(ValidationError) as error:
        write(post, body)
    assert "body" in error.value.message_dict
    assert nothing_written()


def test_a_body_of_exactly_the_limit_is_accepted(post: Post) -> None:
    comment = write(post, "x" * services.MAX_COMMENT_LENGTH)
    assert len(comment.text) == services.MAX_COMMENT_LENGTH


def test_a_guest_website_without_a_scheme_gets_https(post: Post) -> None:
    comment = write(post, author=guest(url="example.org/me"))
    assert comment.author_url == "https://example.org/me"


def test_a_reply_to_a_comment_on_another_post_is_refused(post: Post) -> None:
    elsewhere = CommentFactory()
    before = Comment.objects.count()
    with pytest.raises(ValidationError) as error:
        write(post, parent=elsewhere)
    assert "parent" in error.value.message_dict
    assert Comment.objects.count() == before


@pytest.mark.parametrize("status", [HELD, SPAM, TRASH])
def test_a_reply_to_an_unpublished_comment_is_refused(post: Post, status: str) -> None:
    parent = CommentFactory(post=post, status=status)
    before = Comment.objects.count()
    with pytest.raises(ValidationError) as error:
        write(post, parent=parent)
    assert "parent" in error.value.message_dict
    assert Comment.objects.count() == before


def test_a_refused_comment_raises_with_its_verdict_and_writes_nothing(post: Post) -> None:
    write(post, origin=services.Origin(ip_address="203.0.113.5"))
    with pytest.raises(services.CommentRefused) as refused:
        write(
            post,
            "Another one at once.",
            author=guest("other@example.net"),
            origin=services.Origin(ip_address="203.0.113.5"),
        )
    assert refused.value.verdict.rule == "flood"
    assert Comment.objects.count() == 1


def test_comments_on_a_closed_post_are_refused(post: Post) -> None:
    Post.objects.filter(pk=post.pk).update(comments_open=False)
    with pytest.raises(services.CommentRefused) as refused:
        write(Post.objects.get(pk=post.pk))
    assert refused.value.verdict.rule == "closed"
    assert nothing_written()


# --- post_comment: threads ---------------------------------------------------------------


def test_a_reply_nests_one_level_below_its_parent(post: Post) -> None:
    parent = CommentFactory(post=post)
    known("ada@example.net")
    reply = write(post, parent=parent)
    assert reply.parent == parent
    assert reply.depth == 2
    assert reply.status == APPROVED


def test_a_reply_to_a_comment_at_the_deepest_level_attaches_beside_it(post: Post) -> None:
    assert DiscussionSettings.current().thread_depth == 5
    chain = [CommentFactory(post=post)]
    for _ in range(4):
        chain.append(CommentFactory(parent=chain[-1]))
    assert [c.depth for c in chain] == [1, 2, 3, 4, 5]
    deepest = chain[-1]
    reply = write(post, parent=deepest)
    assert reply.parent == deepest.parent == chain[3]
    assert reply.depth == 5


def test_the_depth_limit_is_a_setting(post: Post) -> None:
    configure(thread_depth=2)
    top = CommentFactory(post=post)
    second = CommentFactory(parent=top)
    reply = write(post, parent=second)
    assert reply.parent == top
    assert reply.depth == 2


# --- post_comment: status, counts and history --------------------------------------------


def test_an_approved_comment_is_counted_on_its_post_and_a_held_one_is_not(post: Post) -> None:
    held = write(post)
    assert held.status == HELD
    assert count_of(post) == 0
    known("bob@example.net", "Bob")
    approved = write(post, "Another view.", author=guest("bob@example.net", "Bob"))
    assert approved.status == APPROVED
    assert count_of(post) == 1
    assert post.comment_count == 1


def test_a_new_comment_has_its_display_html_and_excerpt(post: Post) -> None:
    comment = write(post, "See https://example.org/ for <b>more</b>.\n\n<script>x</script>")
    assert comment.html == (
        '<p>See <a href="https://example.org/" rel="nofollow ugc">https://example.org/</a> '
        "for <b>more</b>.</p>"
    )
    assert "<script" not in render_comment(comment)
    assert comment.excerpt.startswith("See https://example.org/ for more.")


def test_posting_records_the_rule_that_decided_in_the_history(post: Post) -> None:
    comment = write(post)
    event = comment.events.get()
    assert event.kind == CommentEventKind.POSTED
    assert event.to_status == HELD
    assert event.rule == "first-comment"
    assert event.actor is None
    assert event.note


def test_a_members_comment_is_posted_in_their_name(post: Post) -> None:
    member = UserFactory(first_name="Mia", last_name="Lund")
    comment = services.post_comment(post=post, author=member, body="Hello.")
    assert comment.status == APPROVED
    assert comment.user == member
    assert comment.author_name == "Mia Lund"
    assert comment.author_email == member.email
    assert comment.events.get().actor == member


def test_a_comment_by_one_of_the_posts_authors_is_marked_as_such() -> None:
    author = UserFactory()
    post = PostFactory(authors=[PersonFactory(user=author)])
    comment = services.post_comment(post=post, author=author, body="Thanks for reading.")
    assert comment.is_by_post_author is True
    assert write(post).is_by_post_author is False


def test_a_filled_honeypot_is_refused_and_writes_nothing(post: Post) -> None:
    with pytest.raises(services.CommentRefused) as refused:
        write(post, origin=services.Origin(honeypot="http://spam.example/"))
    assert refused.value.verdict.rule == "honeypot"
    assert not Comment.objects.exists()
    assert not CommentEvent.objects.exists()


def test_a_moderators_status_change_is_recorded_with_who_did_it(
    post: Post, moderator: User
) -> None:
    comment = write(post)
    services.approve_comment(comment=comment, actor=moderator)
    event = comment.events.order_by("pk").last()
    assert event.kind == CommentEventKind.STATUS
    assert (event.from_status, event.to_status) == (HELD, APPROVED)
    assert event.actor == moderator
    assert event.rule == ""


def test_setting_the_status_a_comment_already_has_records_nothing(post: Post) -> None:
    comment = CommentFactory(post=post)
    events = comment.events.count()
    services.approve_comment(comment=comment)
    assert comment.events.count() == events


# --- moderation moves ----------------------------------------------------------------------


def test_approve_and_unapprove_keep_the_count_right(post: Post, moderator: User) -> None:
    comment = write(post)
    services.approve_comment(comment=comment, actor=moderator)
    assert refreshed(comment).status == APPROVED
    assert count_of(post) == 1
    services.unapprove_comment(comment=comment, actor=moderator)
    assert refreshed(comment).status == HELD
    assert count_of(post) == 0


@pytest.mark.parametrize("start", [APPROVED, HELD])
def test_not_spam_returns_a_comment_to_the_status_it_had(post: Post, start: str) -> None:
    comment = CommentFactory(post=post, status=start)
    services.spam_comment(comment=comment)
    assert refreshed(comment).status == SPAM
    assert count_of(post) == 0
    services.unspam_comment(comment=comment)
    assert refreshed(comment).status == start
    assert count_of(post) == (1 if start == APPROVED else 0)
    assert comment.events.order_by("pk").last().note == "not spam"


def test_a_comment_that_was_spam_from_the_start_goes_to_the_queue_when_unspammed(
    post: Post,
) -> None:
    configure(disallowed_keys="casino")
    comment = write(post, "Play casino games.")
    assert comment.status == SPAM
    services.unspam_comment(comment=comment)
    assert refreshed(comment).status == HELD


def test_not_spam_follows_the_latest_move_into_spam(post: Post) -> None:
    comment = CommentFactory(post=post)
    services.spam_comment(comment=comment)
    services.unspam_comment(comment=comment)
    services.unapprove_comment(comment=comment)
    services.spam_comment(comment=comment)
    services.unspam_comment(comment=comment)
    assert refreshed(comment).status == HELD


@pytest.mark.parametrize("start", [APPROVED, HELD, SPAM])
def test_restore_takes_a_comment_out_of_the_trash_to_where_it_was(post: Post, start: str) -> None:
    comment = CommentFactory(post=post, status=start)
    services.trash_comment(comment=comment)
    assert refreshed(comment).status == TRASH
    assert count_of(post) == 0
    services.restore_comment(comment=comment)
    assert refreshed(comment).status == start
    assert count_of(post) == (1 if start == APPROVED else 0)


def test_every_move_is_one_line_of_history(post: Post, moderator: User) -> None:
    comment = write(post)
    services.approve_comment(comment=comment, actor=moderator)
    services.spam_comment(comment=comment, actor=moderator, rule="manual")
    services.unspam_comment(comment=comment, actor=moderator)
    services.trash_comment(comment=comment, actor=moderator, note="off topic")
    services.restore_comment(comment=comment, actor=moderator)
    moves = list(
        comment.events.filter(kind=CommentEventKind.STATUS)
        .order_by("pk")
        .values_list("from_status", "to_status", "actor", "rule", "note")
    )
    assert moves == [
        (HELD, APPROVED, moderator.pk, "", ""),
        (APPROVED, SPAM, moderator.pk, "manual", ""),
        (SPAM, APPROVED, moderator.pk, "", "not spam"),
        (APPROVED, TRASH, moderator.pk, "", "off topic"),
        (TRASH, APPROVED, moderator.pk, "", "restored"),
    ]


@pytest.mark.parametrize(
    ("move", "before", "after"),
    [
        (Move.APPROVE, HELD, APPROVED),
        (Move.UNAPPROVE, APPROVED, HELD),
        (Move.SPAM, APPROVED, SPAM),
        (Move.UNSPAM, SPAM, HELD),
        (Move.TRASH, HELD, TRASH),
        (Move.RESTORE, TRASH, HELD),
    ],
)
def test_a_moderation_move_runs_its_service_and_says_it_moved(
    post: Post, moderator: User, move: Move, before: str, after: str
) -> None:
    comment = CommentFactory(post=post, status=before)
    assert services.move_comment(comment=comment, move=move, actor=moderator) is True
    assert refreshed(comment).status == after
    last = comment.events.order_by("pk").last()
    assert (last.from_status, last.to_status, last.actor) == (before, after, moderator)


def test_a_move_the_status_does_not_allow_changes_nothing(post: Post, moderator: User) -> None:
    comment = CommentFactory(post=post)
    events = comment.events.count()
    assert services.move_comment(comment=comment, move=Move.RESTORE, actor=moderator) is False
    assert services.move_comment(comment=comment, move=Move.APPROVE, actor=moderator) is False
    assert refreshed(comment).status == APPROVED
    assert comment.events.count() == events


def test_a_commenter_withdrawing_a_comment_moves_it_to_the_trash(post: Post) -> None:
    comment = CommentFactory(post=post)
    services.delete_own_comment(comment=comment)
    assert refreshed(comment).status == TRASH
    assert comment.events.order_by("pk").last().note == "withdrawn by its author"
    assert count_of(post) == 0


# --- editing -------------------------------------------------------------------------------


def test_an_edit_is_sanitised_again_and_marked_as_edited(post: Post) -> None:
    comment = CommentFactory(post=post)
    assert comment.edited_at is None
    services.edit_comment(comment=comment, body="Better <em>now</em><script>x</script>")
    comment = refreshed(comment)
    assert comment.text == "Better <em>now</em><script>x</script>"
    assert comment.html == "<p>Better <em>now</em></p>"
    assert "Better" in render_comment(comment)
    assert "<script" not in render_comment(comment)
    assert comment.edited_at is not None
    assert comment.events.order_by("pk").last().kind == CommentEventKind.EDITED


def test_an_edit_with_an_empty_or_over_long_body_is_refused(post: Post) -> None:
    comment = CommentFactory(post=post, text="Original words.")
    for body in ("  ", "x" * (services.MAX_COMMENT_LENGTH + 1)):
        with pytest.raises(ValidationError):
            services.edit_comment(comment=comment, body=body)
    assert Comment.objects.get(pk=comment.pk).text == "Original words."


def test_an_author_adding_links_to_an_approved_comment_sends_it_back_to_the_queue(
    post: Post,
) -> None:
    comment = CommentFactory(post=post)
    assert count_of(post) == 1
    services.edit_comment(
        comment=comment, body="Now with https://a.example https://b.example https://c.example"
    )
    assert refreshed(comment).status == HELD
    move = comment.events.filter(kind=CommentEventKind.STATUS).order_by("pk").last()
    assert (move.from_status, move.to_status, move.rule) == (APPROVED, HELD, "links")
    assert count_of(post) == 0


def test_an_author_adding_a_disallowed_word_sends_an_approved_comment_to_spam(post: Post) -> None:
    comment = CommentFactory(post=post)
    configure(disallowed_keys="casino")
    services.edit_comment(comment=comment, body="Visit the casino")
    assert refreshed(comment).status == SPAM


def test_an_author_editing_with_two_links_stays_approved(post: Post) -> None:
    comment = CommentFactory(post=post)
    services.edit_comment(comment=comment, body="https://a.example and https://b.example")
    assert refreshed(comment).status == APPROVED


def test_a_moderators_edit_keeps_an_approved_comment_approved(post: Post, moderator: User) -> None:
    comment = CommentFactory(post=post)
    services.edit_comment(
        comment=comment,
        body="Sources: https://a.example https://b.example https://c.example",
        editor=moderator,
    )
    assert refreshed(comment).status == APPROVED
    assert comment.events.order_by("pk").last().actor == moderator
    assert count_of(post) == 1


# --- a moderator's reply -------------------------------------------------------------------


def test_a_moderators_reply_is_published_at_once_under_their_name(
    post: Post, moderator: User
) -> None:
    parent = CommentFactory(post=post)
    # Words that hold any reader's comment do not hold a moderator's reply.
    configure(moderation_keys="refund")

    written = services.reply_as_moderator(
        parent=parent, moderator=moderator, body="No refund, but thanks."
    )

    reply = refreshed(written.reply)
    assert (reply.parent, reply.user, reply.status) == (parent, moderator, APPROVED)
    assert written.approved_parent is False
    posted = reply.events.order_by("pk").first()
    assert (posted.kind, posted.actor) == (CommentEventKind.POSTED, moderator)
    approval = reply.events.order_by("pk").last()
    assert (approval.to_status, approval.actor) == (APPROVED, moderator)
    assert count_of(post) == 2


def test_replying_to_a_held_comment_approves_it_in_the_moderators_name(
    post: Post, moderator: User
) -> None:
    parent = CommentFactory(post=post, status=HELD)

    written = services.reply_as_moderator(parent=parent, moderator=moderator, body="Welcome.")

    assert written.approved_parent is True
    assert refreshed(parent).status == APPROVED
    approval = parent.events.get(to_status=APPROVED)
    assert (approval.from_status, approval.actor) == (HELD, moderator)
    assert written.reply.status == APPROVED
    assert count_of(post) == 2


def test_a_reply_that_may_not_approve_its_held_parent_is_refused(
    post: Post, moderator: User
) -> None:
    parent = CommentFactory(post=post, status=HELD)

    with pytest.raises(ValidationError):
        services.reply_as_moderator(
            parent=parent, moderator=moderator, body="Welcome.", approve_parent=False
        )

    assert refreshed(parent).status == HELD
    assert not Comment.objects.filter(parent=parent).exists()


def test_a_refused_reply_leaves_a_held_parent_held_everywhere(post: Post, moderator: User) -> None:
    parent = CommentFactory(post=post, status=HELD)
    history = list(parent.events.values_list("pk", flat=True))
    earlier = services.reply_as_moderator(
        parent=CommentFactory(post=post), moderator=moderator, body="Thanks."
    )
    Comment.objects.filter(pk=earlier.reply.pk).update(created_at=timezone.now() - LONG_AGO)

    with pytest.raises(services.CommentRefused) as refused:
        services.reply_as_moderator(parent=parent, moderator=moderator, body="Thanks.")

    assert refused.value.verdict.rule == "duplicate"
    assert parent.status == HELD
    assert refreshed(parent).status == HELD
    assert list(parent.events.values_list("pk", flat=True)) == history


@pytest.mark.parametrize("status", [SPAM, TRASH])
def test_spam_and_trash_take_no_reply(post: Post, moderator: User, status: str) -> None:
    parent = CommentFactory(post=post, status=status)
    with pytest.raises(PermissionDenied):
        services.reply_as_moderator(parent=parent, moderator=moderator, body="Hello?")
    assert not Comment.objects.filter(parent=parent).exists()


def test_only_a_moderator_replies_as_one(post: Post) -> None:
    parent = CommentFactory(post=post, status=HELD)
    with pytest.raises(PermissionDenied):
        services.reply_as_moderator(parent=parent, moderator=UserFactory(), body="Hi")
    assert refreshed(parent).status == HELD
    assert not Comment.objects.filter(parent=parent).exists()


# --- reports ---------------------------------------------------------------------------------


def test_one_reader_can_report_a_comment_once(post: Post) -> None:
    comment = CommentFactory(post=post)
    assert services.flag_comment(comment=comment, reporter="ip:abc") is True
    assert services.flag_comment(comment=comment, reporter="ip:abc") is False
    assert refreshed(comment).flag_count == 1
    assert CommentFlag.objects.filter(comment=comment).count() == 1
    assert comment.events.filter(kind=CommentEventKind.FLAGGED).count() == 1


def test_reports_from_three_different_members_hide_an_approved_comment(post: Post) -> None:
    comment = CommentFactory(post=post)
    services.flag_comment(comment=comment, reporter="user:1", reporter_is_member=True)
    services.flag_comment(comment=comment, reporter="user:1", reporter_is_member=True)
    services.flag_comment(comment=comment, reporter="user:2", reporter_is_member=True)
    assert refreshed(comment).status == APPROVED
    services.flag_comment(comment=comment, reporter="user:3", reporter_is_member=True)
    comment = refreshed(comment)
    assert comment.status == HELD
    assert comment.flag_count == 3
    move = comment.events.filter(kind=CommentEventKind.STATUS).order_by("pk").last()
    assert (move.from_status, move.to_status, move.rule) == (APPROVED, HELD, "reports")
    assert count_of(post) == 0


def test_a_threshold_of_zero_never_hides_a_comment(post: Post) -> None:
    configure(flag_threshold=0)
    comment = CommentFactory(post=post)
    for n in range(5):
        services.flag_comment(comment=comment, reporter=f"user:{n}", reporter_is_member=True)
    assert refreshed(comment).status == APPROVED


# --- subscriptions ---------------------------------------------------------------------------


def test_subscribing_confirming_and_unsubscribing(post: Post) -> None:
    subscription = services.subscribe_to_post(post=post, email="Ada@Example.NET")
    assert subscription.email == "ada@example.net"
    assert subscription.confirmed_at is None
    assert services.subscribe_to_post(post=post, email="ada@example.net") == subscription
    services.confirm_subscription(subscription=subscription)
    confirmed_at = refreshed(subscription).confirmed_at
    assert confirmed_at is not None
    services.confirm_subscription(subscription=subscription)
    assert refreshed(subscription).confirmed_at == confirmed_at
    services.unsubscribe(subscription=subscription)
    assert not Subscription.objects.exists()


def test_a_commenter_may_subscribe_while_posting_but_not_a_spammer(post: Post) -> None:
    write(post, subscribe=True)
    configure(disallowed_keys="casino")
    write(post, "Buy casino chips now", author=guest("bot@example.net"), subscribe=True)
    assert list(Subscription.objects.values_list("email", flat=True)) == ["ada@example.net"]


# --- the emails ------------------------------------------------------------------------------


def moderation_links(message: Any) -> dict[str, str]:
    found = dict(re.findall(r"^(Approve|Spam|Trash):\s+(\S+)$", message.body, re.MULTILINE))
    return {action.lower(): url for action, url in found.items()}


def test_a_held_comment_emails_the_moderators_with_one_click_links(
    post: Post, moderator: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        comment = write(post, "Please read this.")
    [message] = sent_to("mod@example.org")
    assert post.title in message.subject
    assert "Please read this." in message.body
    links = moderation_links(message)
    assert set(links) == {"approve", "spam", "trash"}
    html = html_part(message)
    for url in links.values():
        assert url in html
    assert refreshed(comment).status == HELD


@pytest.mark.parametrize(
    ("action", "status"), [("approve", APPROVED), ("spam", SPAM), ("trash", TRASH)]
)
def test_a_moderation_link_shows_a_button_and_the_button_does_it(
    post: Post,
    moderator: User,
    django_capture_on_commit_callbacks: Any,
    action: str,
    status: str,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        comment = write(post, "Please read this.")
    link = path_of(moderation_links(sent_to("mod@example.org")[0])[action])
    client = Client()
    page = client.get(link)
    assert page.status_code == 200
    assert b"<button" in page.content
    assert b"Please read this." in page.content
    assert refreshed(comment).status == HELD  # a mail scanner's GET changes nothing
    done = client.post(link)
    assert done.status_code == 200
    assert refreshed(comment).status == status
    move = comment.events.order_by("pk").last()
    assert (move.from_status, move.to_status, move.actor) == (HELD, status, moderator)
    if status == APPROVED:
        assert count_of(post) == 1


def test_a_tampered_moderation_link_is_forbidden(
    post: Post, moderator: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        comment = write(post)
    link = path_of(moderation_links(sent_to("mod@example.org")[0])["approve"])
    token = link.rstrip("/").rsplit("/", 1)[1]
    flipped = token[:-1] + ("A" if token[-1] != "A" else "B")
    tampered = link.replace(token, flipped)
    client = Client()
    assert client.get(tampered).status_code == 403
    assert client.post(tampered).status_code == 403
    assert client.post("/comments/moderate/not-a-token/").status_code == 403
    assert refreshed(comment).status == HELD


def test_a_moderation_link_stops_working_when_its_moderator_loses_the_right(
    post: Post, moderator: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        comment = write(post)
    link = path_of(moderation_links(sent_to("mod@example.org")[0])["approve"])
    User.objects.filter(pk=moderator.pk).update(is_active=False)
    assert Client().post(link).status_code == 403
    assert refreshed(comment).status == HELD


def test_extra_moderator_addresses_are_told_but_get_no_one_click_links(
    post: Post, django_capture_on_commit_callbacks: Any
) -> None:
    configure(moderator_emails="Desk@Example.org\n")
    with django_capture_on_commit_callbacks(execute=True):
        write(post)
    [message] = sent_to("desk@example.org")
    assert moderation_links(message) == {}
    assert "/admin/discussion/comment/" in message.body


def test_no_moderator_email_when_the_setting_is_off(
    post: Post, moderator: User, django_capture_on_commit_callbacks: Any
) -> None:
    configure(notify_moderators=False)
    with django_capture_on_commit_callbacks(execute=True):
        write(post)
    assert sent_to("mod@example.org") == []


def test_a_comment_hidden_by_reports_emails_the_moderators(
    post: Post, moderator: User, django_capture_on_commit_callbacks: Any
) -> None:
    comment = CommentFactory(post=post, text="Contested words.")
    with django_capture_on_commit_callbacks(execute=True):
        for reporter in ("user:1", "user:2", "user:3"):
            services.flag_comment(comment=comment, reporter=reporter, reporter_is_member=True)
    [message] = sent_to("mod@example.org")
    assert "Contested words." in message.body


def test_an_approved_reply_emails_confirmed_subscribers_only(
    post: Post, django_capture_on_commit_callbacks: Any
) -> None:
    parent = CommentFactory(post=post)
    SubscriptionFactory(post=post, email="confirmed@example.net")
    SubscriptionFactory(post=post, email="unconfirmed@example.net", confirmed=False)
    SubscriptionFactory(post=post, email="replier@example.net")
    SubscriptionFactory(email="other-post@example.net")
    known("replier@example.net")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reply = write(post, "My reply.", author=guest("Replier@example.net"), parent=parent)
    assert reply.status == APPROVED
    replies = [m for m in mail.outbox if "New reply" in m.subject]
    assert [m.to for m in replies] == [["confirmed@example.net"]]
    [message] = replies
    assert "My reply." in message.body
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<http") and unsubscribe.endswith(">")
    assert unsubscribe[1:-1] in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_held_reply_emails_no_subscriber_until_it_is_approved(
    post: Post, moderator: User, django_capture_on_commit_callbacks: Any
) -> None:
    parent = CommentFactory(post=post)
    SubscriptionFactory(post=post, email="confirmed@example.net")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        reply = write(post, parent=parent)
    assert reply.status == HELD
    assert sent_to("confirmed@example.net") == []
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_comment(comment=reply, actor=moderator)
    assert len(sent_to("confirmed@example.net")) == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_unsubscribe_link_in_a_reply_email_works(
    post: Post, django_capture_on_commit_callbacks: Any, method: str
) -> None:
    subscription = SubscriptionFactory(post=post, email="confirmed@example.net")
    known("ada@example.net")
    with django_capture_on_commit_callbacks(execute=True):
        write(post, "Hello all.")
    [message] = sent_to("confirmed@example.net")
    link = path_of(message.extra_headers["List-Unsubscribe"][1:-1])
    response = getattr(Client(), method)(link)
    assert response.status_code == 200
    assert b"Unsubscribed" in response.content
    assert not Subscription.objects.filter(pk=subscription.pk).exists()
    # The link again, once gone: still a polite page, not an error.
    assert Client().get(link).status_code == 200


def test_the_posts_author_is_told_of_a_new_comment(
    django_capture_on_commit_callbacks: Any,
) -> None:
    writer = UserFactory(email="writer@example.org")
    post = PostFactory(authors=[PersonFactory(user=writer)])
    known("ada@example.net")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        comment = write(post, "Lovely piece.")
    assert comment.status == APPROVED
    [message] = sent_to("writer@example.org")
    assert "New comment" in message.subject
    assert "Lovely piece." in message.body
    assert path_of(comment.get_absolute_url()) in message.body


def test_a_posts_author_who_follows_the_thread_is_told_once(
    django_capture_on_commit_callbacks: Any,
) -> None:
    # One task tells everyone about a comment (tasks.notify_comment_published): the author
    # hears as the author, and the thread's other followers as subscribers.
    writer = UserFactory(email="writer@example.org")
    post = PostFactory(authors=[PersonFactory(user=writer)])
    SubscriptionFactory(post=post, email="Writer@Example.org")
    SubscriptionFactory(post=post, email="confirmed@example.net")
    known("ada@example.net")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        write(post, "Lovely piece.")
    assert [m.subject.split("] ", 1)[1].split(" “")[0] for m in sent_to("writer@example.org")] == [
        "New comment on"
    ]
    assert len(sent_to("confirmed@example.net")) == 1


def test_the_posts_author_is_not_told_of_their_own_comment(
    django_capture_on_commit_callbacks: Any,
) -> None:
    writer = UserFactory(email="writer@example.org")
    post = PostFactory(authors=[PersonFactory(user=writer)])
    with django_capture_on_commit_callbacks(execute=True):
        services.post_comment(post=post, author=writer, body="Thanks, all.")
    assert sent_to("writer@example.org") == []


def test_the_posts_author_is_not_told_when_the_setting_is_off(
    django_capture_on_commit_callbacks: Any,
) -> None:
    configure(notify_post_author=False)
    writer = UserFactory(email="writer@example.org")
    post = PostFactory(authors=[PersonFactory(user=writer)])
    known("ada@example.net")
    with django_capture_on_commit_callbacks(execute=True):
        write(post)
    assert sent_to("writer@example.org") == []


def test_every_email_has_a_plain_text_and_an_html_part(
    moderator: User, django_capture_on_commit_callbacks: Any
) -> None:
    writer = UserFactory(email="writer@example.org")
    post = PostFactory(authors=[PersonFactory(user=writer)])
    parent = CommentFactory(post=post)
    SubscriptionFactory(post=post, email="confirmed@example.net")
    known("bob@example.net", "Bob")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        write(post, "Held, being a first comment.")
        write(post, "Approved at once.", author=guest("bob@example.net", "Bob"), parent=parent)
        services.subscribe_to_post(post=post, email="new@example.net")
    subjects = sorted(m.subject.split("] ", 1)[1].split(" “")[0] for m in mail.outbox)
    assert subjects == [
        "New comment on",
        "New reply under",
        "Please confirm your subscription",
        "Please moderate:",
    ]
    for message in mail.outbox:
        assert message.body.strip()
        assert [kind for _, kind in message.alternatives] == ["text/html"]
        assert html_part(message).lstrip().lower().startswith("<!doctype html>")


def test_the_plain_text_part_shows_the_comment_as_written_not_html_escaped(
    post: Post, moderator: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        write(post, 'Don\'t worry: a < b & "c".', author=guest(name="O'Brien & Co"))
    [message] = sent_to("mod@example.org")
    assert 'Don\'t worry: a < b & "c".' in message.body
    assert "O'Brien & Co" in message.body
    assert "&lt;" not in message.body
    assert "&amp;" not in message.body
    assert "&#39;" not in message.body


def test_subscribing_asks_to_confirm_and_the_emailed_link_confirms(
    post: Post, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        subscription = services.subscribe_to_post(post=post, email="new@example.net")
    [message] = sent_to("new@example.net")
    assert "confirm" in message.subject.lower()
    confirm = next(url for url in URL.findall(message.body) if "/confirm/" in url)
    assert confirm in html_part(message)
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(path_of(confirm))
    assert page.status_code == 200
    assert refreshed(subscription).confirmed_at is None, "a mail scanner's GET confirms nothing"
    token = browser.cookies["csrftoken"].value
    assert browser.post(path_of(confirm), HTTP_X_CSRFTOKEN=token).status_code == 200
    assert refreshed(subscription).confirmed_at is not None


def test_the_confirmation_email_is_not_sent_again_once_confirmed(
    post: Post, django_capture_on_commit_callbacks: Any
) -> None:
    SubscriptionFactory(post=post, email="new@example.net")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.subscribe_to_post(post=post, email="new@example.net")
    assert mail.outbox == []


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_unsubscribe_link_in_the_confirmation_email_works(
    post: Post, django_capture_on_commit_callbacks: Any, method: str
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.subscribe_to_post(post=post, email="new@example.net")
    [message] = sent_to("new@example.net")
    unsubscribe = next(url for url in URL.findall(message.body) if "/unsubscribe/" in url)
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert getattr(Client(), method)(path_of(unsubscribe)).status_code == 200
    assert not Subscription.objects.exists()


def test_a_subscription_link_works_only_for_its_own_purpose(
    post: Post, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        subscription = services.subscribe_to_post(post=post, email="new@example.net")
    [message] = sent_to("new@example.net")
    urls = URL.findall(message.body)
    confirm = path_of(next(url for url in urls if "/confirm/" in url))
    unsubscribe = path_of(next(url for url in urls if "/unsubscribe/" in url))
    confirm_token = confirm.split("/subscription/", 1)[1].split("/", 1)[0]
    unsubscribe_token = unsubscribe.split("/subscription/", 1)[1].split("/", 1)[0]
    client = Client()
    # An unsubscribe token cannot confirm; a confirm token cannot unsubscribe.
    swapped = confirm.replace(confirm_token, unsubscribe_token)
    assert client.get(swapped).status_code == 403
    client.post(unsubscribe.replace(unsubscribe_token, confirm_token))
    assert Subscription.objects.filter(pk=subscription.pk).exists()
    assert refreshed(subscription).confirmed_at is None


# --- purging ---------------------------------------------------------------------------------


def age(comment: Comment, days: int) -> Comment:
    """Make a comment (and its last change) as old as that."""
    then = timezone.now() - dt.timedelta(days=days)
    Comment.objects.filter(pk=comment.pk).update(created_at=then, updated_at=then)
    return comment


def exists(comment: Comment) -> bool:
    return Comment.objects.filter(pk=comment.pk).exists()


def test_purge_empties_spam_and_trash_older_than_the_retention_period(post: Post) -> None:
    assert DiscussionSettings.current().retention_days == 30
    old_spam = age(CommentFactory(post=post, status=SPAM), 31)
    old_trash = age(CommentFactory(post=post, status=TRASH), 31)
    new_spam = age(CommentFactory(post=post, status=SPAM), 29)
    new_trash = CommentFactory(post=post, status=TRASH)
    old_approved = age(CommentFactory(post=post), 400)
    old_held = age(CommentFactory(post=post, status=HELD), 400)
    deleted, _ = services.purge_old_comments()
    assert deleted == 2
    assert not exists(old_spam)
    assert not exists(old_trash)
    assert all(exists(c) for c in (new_spam, new_trash, old_approved, old_held))
    assert not CommentEvent.objects.filter(comment_id__in=[old_spam.pk, old_trash.pk]).exists()


def test_purge_moves_replies_of_a_deleted_comment_up_a_level(post: Post) -> None:
    top = CommentFactory(post=post)
    middle = CommentFactory(parent=top)
    reply = CommentFactory(parent=middle)
    services.trash_comment(comment=middle)
    age(middle, 31)
    services.purge_old_comments()
    assert not exists(middle)
    assert refreshed(reply).parent == top


def test_purge_moves_replies_up_past_several_deleted_ancestors(post: Post) -> None:
    top = CommentFactory(post=post)
    first = CommentFactory(parent=top)
    second = CommentFactory(parent=first)
    reply = CommentFactory(parent=second)
    for doomed in (first, second):
        services.spam_comment(comment=doomed)
        age(doomed, 31)
    services.purge_old_comments()
    assert not exists(first)
    assert not exists(second)
    assert refreshed(reply).parent == top


def test_purge_erases_addresses_and_browsers_of_old_comments_only(post: Post) -> None:
    origin = {"ip_address": "203.0.113.5", "user_agent": "Mozilla/5.0 (Test)"}
    old = age(CommentFactory(post=post, **origin), 31)
    recent = CommentFactory(post=post, ip_address="198.51.100.7", user_agent="Mozilla/5.0")
    _, erased = services.purge_old_comments()
    assert erased == 1
    old = refreshed(old)
    assert (old.ip_address, old.user_agent) == (None, "")
    assert old.status == APPROVED
    recent = refreshed(recent)
    assert (recent.ip_address, recent.user_agent) == ("198.51.100.7", "Mozilla/5.0")


def test_purge_keeps_the_comment_counts_right(post: Post) -> None:
    CommentFactory(post=post)
    parent = CommentFactory(post=post)
    doomed = CommentFactory(parent=parent)
    services.trash_comment(comment=doomed)
    age(doomed, 31)
    age(CommentFactory(post=post, status=SPAM), 31)
    assert count_of(post) == 2
    services.purge_old_comments()
    assert count_of(post) == 2 == Comment.objects.filter(post=post, status=APPROVED).count()


def test_the_retention_period_is_a_setting(post: Post) -> None:
    configure(retention_days=7)
    doomed = age(CommentFactory(post=post, status=SPAM), 8)
    services.purge_old_comments()
    assert not exists(doomed)
