"""The discussion's part of a member's data export (STOA["ACCOUNT_EXPORTERS"])."""

from __future__ import annotations

from typing import Any

from stoa.discussion.models import Comment, Subscription
from stoa.members.models import User


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment else None


def member_data(user: User) -> dict[str, Any]:
    """The member's comments (with what moderators see of them) and their subscriptions."""
    comments = Comment.objects.filter(user=user).select_related("post").order_by("created_at", "pk")
    subscriptions = Subscription.objects.filter(user=user).select_related("post").order_by("pk")
    return {
        "comments": [
            {
                "id": comment.pk,
                "post": comment.post.title,
                "post_url": comment.post.get_absolute_url(),
                "in_reply_to": comment.parent_id,
                "signed": comment.author_name,
                "email": comment.author_email,
                "text": comment.text,
                "status": comment.get_status_display(),
                "written_at": _iso(comment.created_at),
                "edited_at": _iso(comment.edited_at),
                # Kept for moderators until the retention period ends; it is the member's
                # own data, so they see it here too.
                "ip_address": comment.ip_address,
                "user_agent": comment.user_agent,
            }
            for comment in comments
        ],
        "subscriptions": [
            {
                "post": subscription.post.title,
                "post_url": subscription.post.get_absolute_url(),
                "email": subscription.email,
                "confirmed_at": _iso(subscription.confirmed_at),
                "subscribed_at": _iso(subscription.created_at),
            }
            for subscription in subscriptions
        ],
    }
