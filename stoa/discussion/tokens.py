"""Signed tokens in links: a commenter's own comment, moderators' one-click links, and
subscription confirm/unsubscribe links. Signed with SECRET_KEY, so they cannot be forged."""

from __future__ import annotations

from django.core import signing

OWNER_SALT = "stoa.discussion.owner"
MODERATE_SALT = "stoa.discussion.moderate"
SUBSCRIPTION_SALT = "stoa.discussion.subscription"
DAY = 60 * 60 * 24
# How long each link works, by what it is for:
# - a guest's own comment (?c=): while they may edit it, and while a held comment of theirs
#   waits for a moderator (MODERATION_WAIT); after both, it grants nothing;
# - a moderator's one-click link: the days a moderation email is acted on;
# - confirming a subscription: the days such an email is answered;
# - unsubscribing: as long as anyone keeps an old notification email around (each new
#   email carries a fresh link), RFC 8058 one-click included.
MODERATION_WAIT = 3 * DAY
MODERATE_MAX_AGE = 7 * DAY
SUBSCRIPTION_MAX_AGE = {"confirm": 7 * DAY, "unsubscribe": 365 * DAY}
MODERATION_ACTIONS = ("approve", "spam", "trash")


def owner_token(comment_id: int) -> str:
    """Proof, carried in the address after posting, that the reader wrote this comment."""
    return signing.dumps(comment_id, salt=OWNER_SALT, compress=True)


def owner_max_age() -> int:
    """Seconds an owner token grants anything: the edit window, or the moderation wait."""
    from stoa.discussion.models import DiscussionSettings

    window = DiscussionSettings.current().edit_window_minutes * 60
    return max(window, MODERATION_WAIT)


def owned_comment_id(token: str) -> int | None:
    """The comment an owner token names, if the token is genuine and not too old."""
    if not token:
        return None
    try:
        value = signing.loads(token, salt=OWNER_SALT, max_age=owner_max_age())
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
    """The subscription a link names, for that purpose only, while the link is young enough
    for it."""
    max_age = SUBSCRIPTION_MAX_AGE.get(purpose)
    if max_age is None:
        return None
    try:
        value = signing.loads(token, salt=SUBSCRIPTION_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or value.get("p") != purpose:
        return None
    return int(value["s"])
