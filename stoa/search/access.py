"""Who finds what: the one question search asks of the other apps' rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stoa.discussion.access import can_moderate, reads_members_posts

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from stoa.members.models import User


def finds_members_bodies(user: User | AnonymousUser) -> bool:
    """Whether this reader's searches read members-only bodies (and the discussions under
    members-only articles): whoever may read those posts in full (publishing's rule, as
    discussion asks it)."""
    return reads_members_posts(user)


def searches_back_office(user: User | AnonymousUser) -> bool:
    """Whether this user's admin searches may use the index (staff who moderate, or may
    change posts: they see every document's text anyway)."""
    return bool(can_moderate(user)) or bool(
        user.is_active and user.is_staff and user.has_perm("publishing.change_post")
    )
