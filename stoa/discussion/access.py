"""Who may do what with a comment: one function per question, and every place in the
discussion that needs an answer asks here (the site's pages, the admin, the services, the
moderation rules, the emails to moderators).

- Moderating (the queue and its moves, replies, edits at any time, the emails' one-click
  links, no flood limit): active staff holding the discussion's change permission.
- Reading a comment: approved ones, by whoever may read the post in full; held ones (and
  spam, which its writer is shown as held) by their writer; everything by moderators; the
  trash by moderators only.
- Editing a comment: its writer, while the edit window is open and it is neither spam nor
  trash; moderators, always.
- Reporting a comment: an approved one, by whoever may read it.
- Moving a comment between statuses (approve, unapprove, spam, not spam, trash, restore):
  which moves each status allows, and which of them a comment's row offers as buttons.

A writer is known by their account, or, for a guest, by the signed token carried in the
address after posting (stoa.discussion.tokens), passed here as `owner_token_pk`: the id of
the comment the token names.

Each function returns a Decision: true when allowed, with the reason either way. Some
reasons' words are shown to readers as they are (the edit refusals): they say the same for
spam as for someone else's comment, so that nobody learns a comment was judged spam.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django.utils import timezone

from stoa.discussion.models import Comment, CommentStatus, DiscussionSettings
from stoa.publishing.models import Post, PostVisibility, can_read_full_post

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from stoa.members.models import User

HELD, APPROVED, SPAM, TRASH = (
    CommentStatus.PENDING,
    CommentStatus.APPROVED,
    CommentStatus.SPAM,
    CommentStatus.TRASH,
)


class Reason(models.TextChoices):
    """Why a viewer may or may not do something with a comment."""

    MODERATOR = "moderator", "Moderators see and change every comment"
    VISITOR = "visitor", "Not logged in"
    INACTIVE = "inactive", "The account is disabled"
    NOT_STAFF = "not_staff", "Not in the back office"
    NO_PERMISSION = "no_permission", "Without the permission to moderate comments"
    PUBLISHED = "published", "Approved, under a post the viewer may read"
    WRITER = "writer", "Its writer"
    MEMBERS_ONLY = "members_only", "This discussion is for members"
    NOT_PUBLISHED = "not_published", "Not published"
    TRASHED = "trashed", "In the trash"
    NOT_WRITER = "not_writer", "You can only change your own comments."
    # The same words as NOT_WRITER on purpose: a spammer is not told what happened.
    LOCKED = "locked", "You can only change your own comments."
    WINDOW_CLOSED = "window_closed", "The time for changing this comment has passed."
    NOT_REPLYABLE = "not_replyable", "Only held and approved comments take a reply"
    MOVE_NOT_ALLOWED = "move_not_allowed", "Not a move from this status"


@dataclass(frozen=True)
class Decision:
    """One answer and why; true when allowed, so that `if can_…(…):` reads as it says."""

    allowed: bool
    reason: Reason

    def __bool__(self) -> bool:
        return self.allowed


def _yes(reason: Reason) -> Decision:
    return Decision(True, reason)


def _no(reason: Reason) -> Decision:
    return Decision(False, reason)


# --- Who moderates ------------------------------------------------------------------------------


def can_moderate(user: User | AnonymousUser | None) -> Decision:
    """Whether this account moderates comments. Staff only: the queue is in the back office,
    and a member given the permission by mistake should not skip the rules on the site."""
    if user is None or not user.is_authenticated:
        return _no(Reason.VISITOR)
    if not user.is_active:
        return _no(Reason.INACTIVE)
    if not user.is_staff:
        return _no(Reason.NOT_STAFF)
    if not user.has_perm("discussion.change_comment"):
        return _no(Reason.NO_PERMISSION)
    return _yes(Reason.MODERATOR)


# --- Who wrote it -------------------------------------------------------------------------------


def is_writer(
    user: User | AnonymousUser, comment: Comment, *, owner_token_pk: int | None = None
) -> bool:
    """Whether the viewer wrote this comment: a member by their (active) account, a guest by
    the owner token in the address."""
    if owner_token_pk is not None and owner_token_pk == comment.pk:
        return True
    # A guest's comment has no user: an anonymous viewer's missing pk must not match it.
    return bool(user.is_authenticated and user.is_active and comment.user_id == user.pk)


def written_by(user: User | AnonymousUser, *, owner_token_pk: int | None = None) -> Q:
    """is_writer as a filter on comments (for CommentQuerySet)."""
    found = Q(pk__in=[])
    if owner_token_pk is not None:
        found |= Q(pk=owner_token_pk)
    if user.is_authenticated and user.is_active:
        found |= Q(user=user)
    return found


# --- Reading ------------------------------------------------------------------------------------


def reads_members_posts(user: User | AnonymousUser) -> bool:
    """Whether this user may read members-only posts in full: publishing's rule, asked of a
    members-only post, so that it stays written in one place (for CommentQuerySet)."""
    return can_read_full_post(user, Post(visibility=PostVisibility.MEMBERS))


def can_read_comment(
    user: User | AnonymousUser, comment: Comment, *, owner_token_pk: int | None = None
) -> Decision:
    """Whether this viewer may read the comment (CommentQuerySet.visible_to agrees)."""
    if can_moderate(user):
        return _yes(Reason.MODERATOR)
    if comment.status == TRASH:
        # Withdrawn by its writer, or thrown away by a moderator: gone for everyone else.
        return _no(Reason.TRASHED)
    if not can_read_full_post(user, comment.post):
        return _no(Reason.MEMBERS_ONLY)
    if comment.status == APPROVED:
        return _yes(Reason.PUBLISHED)
    if is_writer(user, comment, owner_token_pk=owner_token_pk):
        return _yes(Reason.WRITER)
    return _no(Reason.NOT_PUBLISHED)


def can_report(user: User | AnonymousUser, comment: Comment) -> Decision:
    """Whether this viewer may report the comment to the moderators: an approved comment
    they can read (a held one is already waiting for a moderator)."""
    if comment.status != APPROVED:
        return _no(Reason.NOT_PUBLISHED)
    return can_read_comment(user, comment)


# --- Editing ------------------------------------------------------------------------------------


def within_edit_window(comment: Comment, now: dt.datetime | None = None) -> bool:
    """Whether the comment's writer may still change or withdraw it."""
    minutes = DiscussionSettings.current().edit_window_minutes
    return (now or timezone.now()) < comment.created_at + dt.timedelta(minutes=minutes)


def can_edit_comment(
    user: User | AnonymousUser,
    comment: Comment,
    *,
    owner_token_pk: int | None = None,
    now: dt.datetime | None = None,
) -> Decision:
    """Whether this viewer may change (or withdraw) the comment: its writer within the edit
    window, moderators at any time."""
    if can_moderate(user):
        return _yes(Reason.MODERATOR)
    if not is_writer(user, comment, owner_token_pk=owner_token_pk):
        return _no(Reason.NOT_WRITER)
    if not can_read_full_post(user, comment.post):
        # A guest's comment under a discussion now for members (an import's, say).
        return _no(Reason.MEMBERS_ONLY)
    if comment.status in (SPAM, TRASH):
        return _no(Reason.LOCKED)
    if not within_edit_window(comment, now):
        return _no(Reason.WINDOW_CLOSED)
    return _yes(Reason.WRITER)


# --- Moderators' moves and replies --------------------------------------------------------------


class Move(models.TextChoices):
    """A moderator's step with a comment (its value names it in addresses; its label is its
    button's)."""

    APPROVE = "approve", "Approve"
    UNAPPROVE = "unapprove", "Unapprove"
    SPAM = "spam", "Spam"
    UNSPAM = "unspam", "Not spam"
    TRASH = "trash", "Trash"
    RESTORE = "restore", "Restore"


# Which moves each status allows: from the row's buttons, the bulk actions and the emails'
# one-click links alike. A move to the status a comment already has is none.
ALLOWED_MOVES: dict[str, frozenset[Move]] = {
    HELD: frozenset({Move.APPROVE, Move.SPAM, Move.TRASH}),
    APPROVED: frozenset({Move.UNAPPROVE, Move.SPAM, Move.TRASH}),
    SPAM: frozenset({Move.APPROVE, Move.UNSPAM, Move.TRASH}),
    TRASH: frozenset({Move.APPROVE, Move.SPAM, Move.RESTORE}),
}
# The buttons a comment's row and page offer, in order (as WordPress's row actions): spam and
# trash come back with "Not spam" and "Restore", to where they were, rather than "Approve".
OFFERED_MOVES: dict[str, tuple[Move, ...]] = {
    HELD: (Move.APPROVE, Move.SPAM, Move.TRASH),
    APPROVED: (Move.UNAPPROVE, Move.SPAM, Move.TRASH),
    SPAM: (Move.UNSPAM, Move.TRASH),
    TRASH: (Move.RESTORE,),
}
# Comments a moderator may reply to (a reply to a held one approves it first): a reply to
# spam or trash would hang under something readers cannot see.
REPLYABLE = frozenset({HELD, APPROVED})


def allowed_moves(comment: Comment) -> frozenset[Move]:
    """The moves the comment's status allows."""
    return ALLOWED_MOVES.get(comment.status, frozenset())


def offered_moves(comment: Comment) -> tuple[Move, ...]:
    """The moves the comment's row offers as buttons (some of the allowed ones)."""
    return OFFERED_MOVES.get(comment.status, ())


def can_move(user: User | AnonymousUser | None, comment: Comment, move: str) -> Decision:
    """Whether this user may make this move with the comment now."""
    decision = can_moderate(user)
    if not decision:
        return decision
    if move not in allowed_moves(comment):
        return _no(Reason.MOVE_NOT_ALLOWED)
    return decision


def can_reply_as_moderator(user: User | AnonymousUser | None, comment: Comment) -> Decision:
    """Whether this user may reply under the comment from the back office (published at once,
    under their name)."""
    decision = can_moderate(user)
    if not decision:
        return decision
    if comment.status not in REPLYABLE:
        return _no(Reason.NOT_REPLYABLE)
    return decision
