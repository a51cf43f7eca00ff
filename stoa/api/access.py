"""Who is calling the API, and what their credentials allow.

Whether the caller may read a post, a comment or a session is never decided here: each app's
own rules decide (publishing.models, discussion.access, webcasts.access), asked with the
caller's account. This module only says what a token adds or takes away: a token acts as its
member, within its scopes; a session (the site's own pages) acts as the member with every
scope their account allows; a visitor reads and comments as a guest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from stoa.api.models import ApiToken, Scope
from stoa.discussion.access import can_moderate

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from stoa.members.models import User


@dataclass(frozen=True)
class Caller:
    """Who is asking: their account (anonymous for a visitor) and the token, if any."""

    user: User | AnonymousUser
    token: ApiToken | None = None
    by_session: bool = False

    def __bool__(self) -> bool:
        # django-ninja takes a false answer for "not authenticated": a visitor is a caller.
        return True


def token_allows(caller: Caller, scope: Scope) -> bool:
    """Whether the caller's credentials carry this scope (a session or no token: every
    scope, the account's own rules deciding the rest)."""
    if caller.token is None:
        return True
    return scope in caller.token.scope_list


def may_moderate(caller: Caller) -> bool:
    """A moderator's account, through a session or a token with the moderate scope."""
    return token_allows(caller, Scope.MODERATE) and bool(can_moderate(caller.user))


def scopes_offered(user: User) -> list[Scope]:
    """The scopes a member may put on a new token: moderate only for moderators."""
    return [scope for scope in Scope if scope != Scope.MODERATE or can_moderate(user)]
