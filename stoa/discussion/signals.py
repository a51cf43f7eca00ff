"""What happens to comments when a member's profile, addresses or account change; and what
the discussion tells apps above it, which it never imports: they connect to these signals.

- ``comment_approved(comment)``: a comment is shown to readers, approved by a moderator or
  by the rules as it was written (notifications.comment_approved, one call per change of
  status to approved; nothing for an import or while notifications are silenced). Sent
  inside the change's transaction: a receiver that acts after the commit says so itself
  (transaction.on_commit).
"""

from __future__ import annotations

from typing import Any

from allauth.account.signals import email_confirmed
from django.dispatch import Signal

from stoa.members import signals as members

comment_approved = Signal()


def member_profile_changed(sender: Any, user: Any, fields: frozenset[str], **kwargs: Any) -> None:
    """Their comments carry their name, picture and verified credential: draw them anew."""
    from stoa.discussion.services import refresh_member_comments

    refresh_member_comments(user=user)


def member_account_deleting(sender: Any, user: Any, keep_comments: bool, **kwargs: Any) -> None:
    """Remove the member's comments, or keep them anonymised, as they chose."""
    from stoa.discussion.services import forget_member

    forget_member(user=user, keep_comments=keep_comments)


def member_email_confirmed(sender: Any, email_address: Any, **kwargs: Any) -> None:
    """A verified address's reply subscriptions become its member's. Its guest comments do
    not: whoever typed the address in a comment form need not be its owner, so the member's
    account page asks which are theirs (slots.account_guest_comments)."""
    from stoa.discussion.services import address_verified

    address_verified(user=email_address.user, email=email_address.email)


def connect() -> None:
    """Connect the receivers; called once from the app's ready()."""
    members.profile_changed.connect(member_profile_changed, dispatch_uid="discussion-profile")
    members.account_deleting.connect(member_account_deleting, dispatch_uid="discussion-delete")
    email_confirmed.connect(member_email_confirmed, dispatch_uid="discussion-claim")
