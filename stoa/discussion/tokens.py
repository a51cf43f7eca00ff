"""Signed tokens in links: a commenter's own comment, moderators' one-click links, and
subscription confirm/unsubscribe links. Signed with SECRET_KEY, so they cannot be forged."""

from __future__ import annotations

from django.core import signing

OWNER_SALT = "stoa.discussion.owner"
MODERATE_SALT = "stoa.discussion.moderate"
SUBSCRIPTION_SALT = "stoa.discussion.subscription"
OWNER_MAX_AGE = 60 * 60 * 24 * 7
MODERATE_MAX_AGE = 60 * 60 * 24 * 14
MODERATION_ACTIONS = ("approve", "spam", "trash")


def owner_token(comment_id: int) -> str:
    """Proof, carried in the address after posting, that the reader wrote this comment."""
    return signing.dumps(comment_id, salt=OWNER_SALT, compress=True)


def owned_comment_id(token: str) -> int | None:
    """The comment an owner token names, if the token is genuine and not too old."""
    try:
        value = signing.loads(token, salt=OWNER_SALT, max_age=OWNER_MAX_AGE)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def moderation_token(comment_id: int, action: str, moderator_id: int | None) -> str:
    """A moderator's one-click link for one action on one comment."""
    return signing.dumps({"c": comment_id, "a": action, "m": moderator_id}, salt=MODERATE_SALT)


def read_moderation_token(token: str) -> tuple[int, str, int | None] | None:
    """(comment id, action, moderator id) from a moderation link, or None if it is not ours."""
    try:
        value = signing.loads(token, salt=MODERATE_SALT, max_age=MODERATE_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or value.get("a") not in MODERATION_ACTIONS:
        return None
    return int(value["c"]), str(value["a"]), value.get("m")


def subscription_token(subscription_id: int, purpose: str) -> str:
    """A confirm or unsubscribe link's token for one subscription."""
    return signing.dumps({"s": subscription_id, "p": purpose}, salt=SUBSCRIPTION_SALT)


def read_subscription_token(token: str, purpose: str) -> int | None:
    """The subscription a link names, for that purpose only."""
    try:
        value = signing.loads(token, salt=SUBSCRIPTION_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or value.get("p") != purpose:
        return None
    return int(value["s"])
