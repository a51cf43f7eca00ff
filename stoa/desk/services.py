"""Every change of state of the desk: review links, restoring a revision."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from reversion.models import Version

from stoa.desk.models import ReviewLink
from stoa.desk.signals import acting
from stoa.members.models import User
from stoa.publishing import services as publishing
from stoa.publishing.models import Page, Post, PostStatus, can_change_post

REVIEW_SALT = "stoa.desk.review-link"
DEFAULT_REVIEW_DAYS = 7
MAX_REVIEW_DAYS = 30
# What a restore brings back: the writing and its credits, as WordPress restores a
# revision's title, content and excerpt. Status, schedule and address stay as they are now:
# bringing back an old text must not unpublish, reschedule or move a post.
RESTORED_FIELDS = {
    Post: ("title", "dek", "body", "excerpt", "visibility"),
    Page: ("title", "body"),
}
RESTORED_RELATIONS = {Post: ("authors", "categories", "tags"), Page: ()}


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def share_for_review(
    *, post: Post, by: User, days: int = DEFAULT_REVIEW_DAYS
) -> tuple[ReviewLink, str]:
    """A new review link for this draft, and its token (shown once: only its hash is kept)."""
    if not can_change_post(by, post):
        raise PermissionDenied("You cannot share this post.")
    if post.is_live:
        raise ValidationError("This post is published: share its address instead.")
    if not 1 <= days <= MAX_REVIEW_DAYS:
        raise ValidationError(f"A review link lasts from 1 to {MAX_REVIEW_DAYS} days.")
    key = secrets.token_urlsafe(24)
    now = timezone.now()
    link = ReviewLink.objects.create(
        post=post,
        key_hash=_hash(key),
        created_by=by,
        created_at=now,
        expires_at=now + dt.timedelta(days=days),
    )
    token = signing.dumps({"l": link.pk, "k": key}, salt=REVIEW_SALT, compress=True)
    return link, token


@transaction.atomic
def revoke_review_link(*, link: ReviewLink, by: User) -> ReviewLink:
    """Withdraw a review link: the next request for it is refused."""
    if not can_change_post(by, link.post):
        raise PermissionDenied("You cannot withdraw this link.")
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link


def find_review_link(token: str) -> tuple[ReviewLink | None, bool]:
    """The link a token names and whether it still opens its draft; (None, False) for a
    token this site did not sign."""
    try:
        data = signing.loads(token, salt=REVIEW_SALT, max_age=dt.timedelta(days=MAX_REVIEW_DAYS))
    except signing.BadSignature:
        return None, False
    if not isinstance(data, dict) or not isinstance(data.get("l"), int):
        return None, False
    link = ReviewLink.objects.select_related("post").filter(pk=data["l"]).first()
    if link is None or not hmac.compare_digest(link.key_hash, _hash(str(data.get("k", "")))):
        return None, False
    return link, link.is_usable


def can_restore(user: Any, obj: Post | Page) -> bool:
    if isinstance(obj, Post):
        return can_change_post(user, obj)
    return bool(user.is_active and user.is_staff and user.has_perm("publishing.change_page"))


@transaction.atomic
def restore_revision(*, version: Version, by: User) -> Post | Page:
    """Bring a post or page back to what an earlier revision held (its writing and credits),
    saved through publishing's services: the restore is a revision of its own."""
    model = version.content_type.model_class()
    if model not in RESTORED_FIELDS:
        raise ValidationError("Only posts and pages have revisions here.")
    obj = model._default_manager.select_for_update().get(pk=version.object_id)
    if not can_restore(by, obj):
        raise PermissionDenied("You cannot change this.")
    old = version.field_dict
    when = timezone.localtime(version.revision.date_created)
    with acting(by, f"Restored the revision of {when:%Y-%m-%d %H:%M:%S}"):
        for name in RESTORED_FIELDS[model]:
            if name in old:
                setattr(obj, name, old[name])
        if isinstance(obj, Post):
            if obj.status not in (PostStatus.DRAFT, PostStatus.PENDING) and not obj.body:
                raise ValidationError("That revision has no body.")
            publishing.save_post(post=obj)
            for name in RESTORED_RELATIONS[Post]:
                if old.get(name):  # a post keeps at least one author and category
                    getattr(obj, name).set(old[name])
        else:
            publishing.save_page(page=obj)
    return obj
