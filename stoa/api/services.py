"""Every change of state of the API app: tokens made, used and revoked."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from stoa.api import access
from stoa.api.models import ApiToken, Scope
from stoa.members.models import User

# Tokens say what they are, so that a leaked one is recognised by secret scanners.
TOKEN_PREFIX = "stoa_"  # noqa: S105 - a label, not a secret
# last_used_at is written at most this often per token: not one write per request.
LAST_USED_PRECISION_SECONDS = 60


def digest(secret: str) -> str:
    """What is stored of a token: its SHA-256 (the secret is 256 random bits; see models)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def check_token(*, user: User, name: str, scopes: Iterable[str]) -> tuple[str, list[str]]:
    """The name and scopes of a new token, cleaned, or ValidationError: a missing name, no
    scope, an unknown one, or moderate for someone who does not moderate."""
    name = name.strip()
    chosen = sorted(set(scopes))
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "Please give the token a name, to tell it apart later."
    if not chosen:
        errors["scopes"] = "Please choose at least one scope."
    offered = {str(scope) for scope in access.scopes_offered(user)}
    if any(scope not in offered for scope in chosen):
        known = {str(scope) for scope in Scope}
        unknown = [scope for scope in chosen if scope not in known]
        errors["scopes"] = (
            f"Unknown scope: {', '.join(unknown)}."
            if unknown
            else "Only moderators may have a token with the moderate scope."
        )
    if errors:
        raise ValidationError(errors)
    return name, chosen


@transaction.atomic
def create_token(*, user: User, name: str, scopes: Iterable[str]) -> tuple[ApiToken, str]:
    """Make a token for the member; returns it and its secret, which is never stored and
    must be shown to them now. Raises ValidationError for a missing name or a scope the
    member may not have (moderate without being a moderator)."""
    name, chosen = check_token(user=user, name=name, scopes=scopes)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        digest=digest(secret),
        scopes=" ".join(chosen),
    )
    return token, secret


def revoke_token(*, token: ApiToken) -> ApiToken:
    """Stop the token opening the API, for good (kept, so its owner sees when it stopped)."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def find_token(secret: str) -> ApiToken | None:
    """The live token with this secret, with its member, or None."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    return ApiToken.objects.live().select_related("user").filter(digest=digest(secret)).first()


def note_use(*, token: ApiToken) -> None:
    """Remember when the token was last used (to the minute: at most one write a minute)."""
    now = timezone.now()
    last = token.last_used_at
    if last is None or (now - last).total_seconds() >= LAST_USED_PRECISION_SECONDS:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
