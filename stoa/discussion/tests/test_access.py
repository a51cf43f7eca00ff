"""Who may do what with a comment, exhaustively: every kind of viewer against every state a
comment can be in, for each question stoa.discussion.access answers. The querysets that
answer the same questions for many comments (Comment.objects.visible_to, written_by) must
agree, and so must every other place that asks who moderates (the flood rule, the emails to
moderators, the admin)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.test import Client

from stoa.discussion import moderation, tasks
from stoa.discussion.access import (
    ALLOWED_MOVES,
    APPROVED,
    HELD,
    OFFERED_MOVES,
    SPAM,
    TRASH,
    Move,
    Reason,
    allowed_moves,
    can_edit_comment,
    can_moderate,
    can_move,
    can_read_comment,
    can_reply_as_moderator,
    can_report,
    is_writer,
    offered_moves,
    within_edit_window,
)
from stoa.discussion.models import Comment, CommentStatus, DiscussionSettings
from stoa.discussion.tests.factories import CommentFactory, ModeratorFactory
from stoa.members.roles import Role
from stoa.publishing.tests.factories import (
    PersonFactory,
    PostFactory,
    SuperuserFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


# The states a comment can be in, as a viewer meets it: "members_only" is an approved comment
# under a post for members.
STATES = ["approved", "held", "spam", "trash", "members_only"]
STATUS_OF = {"approved": APPROVED, "held": HELD, "spam": SPAM, "trash": TRASH}
VIEWERS = [
    "anonymous",
    "guest_with_token",  # wrote the comment without an account; the address carries its token
    "writer",  # the member who wrote the comment
    "member",  # another member
    "post_author",  # wrote the post, is staff, may not moderate
    "moderator",
    "superuser",
    "inactive_moderator",
]
MODERATORS = {"moderator", "superuser"}
WRITERS = {"guest_with_token", "writer"}

# What can_moderate says of each viewer: every moderator's question starts from it.
MODERATES: dict[str, Reason] = {
    "anonymous": Reason.VISITOR,
    "guest_with_token": Reason.VISITOR,
    "writer": Reason.NOT_STAFF,
    "member": Reason.NOT_STAFF,
    "post_author": Reason.NO_PERMISSION,
    "moderator": Reason.MODERATOR,
    "superuser": Reason.MODERATOR,
    "inactive_moderator": Reason.INACTIVE,
}

# The answers, viewer by viewer, in the order of STATES:
#   approved | held | spam | trash | members_only
MOD, PUB, WRI, HID, BIN, MEM = (
    Reason.MODERATOR,
    Reason.PUBLISHED,
    Reason.WRITER,
    Reason.NOT_PUBLISHED,
    Reason.TRASHED,
    Reason.MEMBERS_ONLY,
)
# Someone else's comment; the writer's, locked (spam, trash); no reply to it.
OTH, LCK, NRP = Reason.NOT_WRITER, Reason.LOCKED, Reason.NOT_REPLYABLE
# fmt: off
READ: dict[str, tuple[Reason, ...]] = {
    "anonymous":          (PUB, HID, HID, BIN, MEM),
    # Spam is shown to its writer, as held: nothing tells a spammer what happened.
    "guest_with_token":   (PUB, WRI, WRI, BIN, MEM),
    "writer":             (PUB, WRI, WRI, BIN, PUB),
    "member":             (PUB, HID, HID, BIN, PUB),
    "post_author":        (PUB, HID, HID, BIN, PUB),
    "moderator":          (MOD, MOD, MOD, MOD, MOD),
    "superuser":          (MOD, MOD, MOD, MOD, MOD),
    "inactive_moderator": (PUB, HID, HID, BIN, MEM),
}
EDIT: dict[str, tuple[Reason, ...]] = {
    "anonymous":          (OTH, OTH, OTH, OTH, OTH),
    "guest_with_token":   (WRI, WRI, LCK, LCK, MEM),
    "writer":             (WRI, WRI, LCK, LCK, WRI),
    "member":             (OTH, OTH, OTH, OTH, OTH),
    "post_author":        (OTH, OTH, OTH, OTH, OTH),
    "moderator":          (MOD, MOD, MOD, MOD, MOD),
    "superuser":          (MOD, MOD, MOD, MOD, MOD),
    "inactive_moderator": (OTH, OTH, OTH, OTH, OTH),
}
REPORT: dict[str, tuple[Reason, ...]] = {
    "anonymous":          (PUB, HID, HID, HID, MEM),
    "guest_with_token":   (PUB, HID, HID, HID, MEM),
    "writer":             (PUB, HID, HID, HID, PUB),
    "member":             (PUB, HID, HID, HID, PUB),
    "post_author":        (PUB, HID, HID, HID, PUB),
    "moderator":          (MOD, HID, HID, HID, MOD),
    "superuser":          (MOD, HID, HID, HID, MOD),
    "inactive_moderator": (PUB, HID, HID, HID, MEM),
}
REPLY: dict[str, tuple[Reason, ...]] = {
    **{viewer: (reason,) * len(STATES) for viewer, reason in MODERATES.items()},
    "moderator":          (MOD, MOD, NRP, NRP, MOD),
    "superuser":          (MOD, MOD, NRP, NRP, MOD),
}
# fmt: on

ALLOWING = {
    Reason.MODERATOR,
    Reason.PUBLISHED,
    Reason.WRITER,
}


@dataclass
class Scene:
    """One viewer before one comment."""

    viewer: Any
    comment: Comment
    token: int | None


def make_viewer(kind: str) -> Any:
    if kind in ("anonymous", "guest_with_token"):
        return AnonymousUser()
    if kind in ("moderator", "inactive_moderator"):
        user = UserFactory(role=Role.MODERATOR)
        if kind == "inactive_moderator":
            user.is_active = False
            user.save()
        return user
    if kind == "superuser":
        return SuperuserFactory()
    if kind == "post_author":
        return UserFactory(role=Role.AUTHOR)
    return UserFactory()


def make_scene(state: str, viewer_kind: str) -> Scene:
    viewer = make_viewer(viewer_kind)
    post_traits: dict[str, Any] = {"members_only": state == "members_only"}
    if viewer_kind == "post_author":
        post_traits["authors"] = [PersonFactory(user=viewer)]
    post = PostFactory(**post_traits)
    # The guest's comment is a guest's; every other viewer meets a member's.
    writer = {"guest_with_token": None, "writer": viewer}.get(viewer_kind, UserFactory())
    comment = CommentFactory(post=post, user=writer, status=STATUS_OF.get(state, APPROVED))
    token = comment.pk if viewer_kind == "guest_with_token" else None
    return Scene(viewer, comment, token)


def within_window(comment: Comment) -> dt.datetime:
    return comment.created_at + dt.timedelta(minutes=1)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("viewer_kind", VIEWERS)
def test_each_viewer_may_do_what_the_rules_give_with_each_comment(
    state: str, viewer_kind: str
) -> None:
    scene = make_scene(state, viewer_kind)
    viewer, comment, token = scene.viewer, scene.comment, scene.token
    now = within_window(comment)

    read = can_read_comment(viewer, comment, owner_token_pk=token)
    edit = can_edit_comment(viewer, comment, owner_token_pk=token, now=now)
    report = can_report(viewer, comment)
    reply = can_reply_as_moderator(viewer, comment)

    column = STATES.index(state)
    assert (read.reason, edit.reason, report.reason, reply.reason) == (
        READ[viewer_kind][column],
        EDIT[viewer_kind][column],
        REPORT[viewer_kind][column],
        REPLY[viewer_kind][column],
    )
    for decision in (read, edit, report, reply):
        assert bool(decision) is (decision.reason in ALLOWING)
    assert can_moderate(viewer).reason == MODERATES[viewer_kind]
    for move in Move:
        allowed = viewer_kind in MODERATORS and move in ALLOWED_MOVES[comment.status]
        assert bool(can_move(viewer, comment, move)) is allowed, move
    # The querysets give the same answers for many comments at once.
    visible = Comment.objects.visible_to(viewer, owner_token_pk=token)
    assert (comment in visible) is bool(read)
    writes = Comment.objects.written_by(viewer, owner_token_pk=token)
    assert (comment in writes) is (viewer_kind in WRITERS)
    assert is_writer(viewer, comment, owner_token_pk=token) is (viewer_kind in WRITERS)


# --- Writers ------------------------------------------------------------------------------------


def test_a_guests_token_names_one_comment_and_opens_no_other() -> None:
    post = PostFactory()
    mine = CommentFactory(post=post, status=HELD)
    theirs = CommentFactory(post=post, status=HELD)
    guest = AnonymousUser()

    assert can_read_comment(guest, mine, owner_token_pk=mine.pk)
    assert can_read_comment(guest, theirs, owner_token_pk=mine.pk).reason == Reason.NOT_PUBLISHED
    assert not can_edit_comment(guest, theirs, owner_token_pk=mine.pk, now=theirs.created_at)
    assert set(Comment.objects.visible_to(guest, owner_token_pk=mine.pk)) == {mine}


def test_a_guests_comment_is_no_anonymous_viewers_own() -> None:
    # A guest's comment has no account, nor has an anonymous viewer: that is no match.
    comment = CommentFactory(status=HELD)
    assert not is_writer(AnonymousUser(), comment)
    assert not Comment.objects.written_by(AnonymousUser()).exists()


def test_a_disabled_account_no_longer_speaks_for_its_comments() -> None:
    member = UserFactory()
    comment = CommentFactory(user=member, status=HELD)
    member.is_active = False
    member.save()
    assert not is_writer(member, comment)
    assert not can_read_comment(member, comment)


def test_the_edit_window_closes_for_the_writer_and_never_for_a_moderator() -> None:
    member = UserFactory()
    comment = CommentFactory(user=member)
    closes = comment.created_at + dt.timedelta(minutes=15)

    assert can_edit_comment(member, comment, now=closes - dt.timedelta(seconds=1))
    refused = can_edit_comment(member, comment, now=closes)
    assert refused.reason == Reason.WINDOW_CLOSED
    assert refused.reason.label == "The time for changing this comment has passed."
    assert can_edit_comment(ModeratorFactory(), comment, now=closes + dt.timedelta(days=365))


def test_the_edit_window_is_fifteen_minutes_by_default_and_a_setting() -> None:
    comment = CommentFactory()
    start = comment.created_at
    assert within_edit_window(comment, now=start + dt.timedelta(minutes=14))
    assert not within_edit_window(comment, now=start + dt.timedelta(minutes=15))
    assert not within_edit_window(comment, now=start + dt.timedelta(minutes=16))
    row = DiscussionSettings.current()
    row.edit_window_minutes = 60
    row.save()
    assert within_edit_window(comment, now=start + dt.timedelta(minutes=30))


def test_a_spammer_is_refused_an_edit_in_the_same_words_as_a_stranger() -> None:
    member = UserFactory()
    spam = CommentFactory(user=member, status=SPAM)
    mine = can_edit_comment(member, spam, now=spam.created_at)
    theirs = can_edit_comment(UserFactory(), spam, now=spam.created_at)
    assert mine.reason != theirs.reason
    assert mine.reason.label == theirs.reason.label == "You can only change your own comments."


# --- Moderators ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "moderates"),
    [
        (Role.MEMBER, False),
        (Role.AUTHOR, False),
        (Role.EDITOR, True),
        (Role.MODERATOR, True),
        (Role.ADMINISTRATOR, True),
    ],
)
def test_the_roles_that_work_the_comment_queue_moderate(role: Role, moderates: bool) -> None:
    assert bool(can_moderate(UserFactory(role=role))) is moderates


def test_a_member_given_the_permission_without_the_back_office_is_no_moderator() -> None:
    member = UserFactory()
    member.user_permissions.add(
        Permission.objects.get(content_type__app_label="discussion", codename="change_comment")
    )
    assert member.has_perm("discussion.change_comment")
    assert can_moderate(member).reason == Reason.NOT_STAFF


def test_nobody_moderates_without_an_account() -> None:
    assert can_moderate(None).reason == Reason.VISITOR
    assert can_moderate(AnonymousUser()).reason == Reason.VISITOR


def people() -> dict[str, Any]:
    """One account of each kind that might or might not moderate."""
    inactive = UserFactory(role=Role.MODERATOR)
    inactive.is_active = False
    inactive.save()
    member_with_permission = UserFactory()
    member_with_permission.user_permissions.add(
        Permission.objects.get(content_type__app_label="discussion", codename="change_comment")
    )
    return {
        "moderator": UserFactory(role=Role.MODERATOR),
        "editor": UserFactory(role=Role.EDITOR),
        "administrator": UserFactory(role=Role.ADMINISTRATOR),
        "superuser": SuperuserFactory(),
        "author": UserFactory(role=Role.AUTHOR),
        "member": UserFactory(),
        "inactive_moderator": inactive,
        "member_with_permission": member_with_permission,
    }


def test_the_emails_about_held_comments_go_to_exactly_those_who_moderate() -> None:
    found = people()
    expected = {user.email for user in found.values() if can_moderate(user)}
    assert expected == {
        found[kind].email for kind in ("moderator", "editor", "administrator", "superuser")
    }
    assert set(tasks.moderator_addresses()) == expected
    assert set(tasks.moderators()) == {u for u in found.values() if can_moderate(u)}


def test_only_those_who_moderate_skip_the_flood_limit(post: Any) -> None:
    settings = DiscussionSettings.current()
    for kind, user in people().items():
        CommentFactory(post=post, user=user)
        again = moderation.Candidate(
            post=post,
            text=f"Once more from {kind}.",
            author_name=kind,
            author_email=user.email,
            user=user,
        )
        exempt = moderation.too_fast(again, settings) is None
        assert exempt is bool(can_moderate(user)), kind


def test_only_those_who_moderate_open_the_comment_queue() -> None:
    comment = CommentFactory(status=HELD)
    for kind, user in people().items():
        client = Client()
        client.force_login(user)
        queue = client.get(f"/admin/discussion/comment/{comment.pk}/reply/")
        # Staff without the right are refused; others never reach the back office.
        assert (queue.status_code == 200) is bool(can_moderate(user)), kind


# --- Moves --------------------------------------------------------------------------------------


def test_each_status_allows_the_moves_that_lead_out_of_it() -> None:
    expected = {
        HELD: {Move.APPROVE, Move.SPAM, Move.TRASH},
        APPROVED: {Move.UNAPPROVE, Move.SPAM, Move.TRASH},
        SPAM: {Move.APPROVE, Move.UNSPAM, Move.TRASH},
        TRASH: {Move.APPROVE, Move.SPAM, Move.RESTORE},
    }
    assert expected == ALLOWED_MOVES
    assert set(ALLOWED_MOVES) == set(OFFERED_MOVES) == set(CommentStatus.values)


@pytest.mark.parametrize("status", CommentStatus.values)
def test_a_comments_row_offers_some_of_its_allowed_moves(status: str) -> None:
    comment = CommentFactory(status=status)
    assert set(offered_moves(comment)) <= allowed_moves(comment)
    # Spam and the trash come back where they were, rather than straight to approved.
    assert (Move.APPROVE in offered_moves(comment)) is (status == HELD)
