"""The API app's piece of a page it does not own (stoa.core.slots): the member's personal
API tokens on their account page (ACCOUNT_SECTIONS)."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from stoa.api import access
from stoa.api.models import ApiToken
from stoa.members.models import User

SHOWN_TOKENS = 50


def account_tokens(request: HttpRequest, member: User) -> str:
    """The member's tokens (scopes, made, last used, revoked), a revoke button for each live
    one, and the form that makes a new one."""
    # An embedded discussion's login token that has ended by itself is nothing to act on.
    shown = ApiToken.objects.filter(user=member).exclude(expires_at__lte=timezone.now())
    tokens = list(shown[:SHOWN_TOKENS])
    context = {"tokens": tokens, "scopes": access.scopes_offered(member)}
    return render_to_string("api/account_tokens.html", context, request)
